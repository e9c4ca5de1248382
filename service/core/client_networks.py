"""The client network a sign-in comes from (an IPv4 /24, an IPv6 /64), as a keyed hash: the
sign-in budgets count networks, never addresses, and store no address (SPEC §10)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets

import asyncpg

from service.core.proxies import ip_address

SIGN_IN_KEY_NAME = "sign_in_network_key"
NETWORK_HASH_BYTES = 16


def sign_in_network(host: str) -> str:
    """The client's /24 (IPv4, also written as an IPv4-mapped IPv6 address) or /64 (IPv6: one
    subscriber's prefix, whose phone may take any of its addresses); anything that is no address
    (a Unix socket, a test client) is one network of its own."""
    address = ip_address(host)
    if address is None:
        return host
    bits = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{bits}", strict=False))


async def _network_key(conn: asyncpg.Connection) -> bytes:
    """The deployment's key, created by whichever process asks first; every process hashes
    with the same key, so they count the same networks."""
    key: bytes | None = await conn.fetchval(
        "SELECT value FROM server_secrets WHERE name = $1", SIGN_IN_KEY_NAME
    )
    if key is None:
        await conn.execute(
            "INSERT INTO server_secrets (name, value) VALUES ($1, $2)"
            " ON CONFLICT (name) DO NOTHING",
            SIGN_IN_KEY_NAME,
            secrets.token_bytes(32),
        )
        key = await conn.fetchval(
            "SELECT value FROM server_secrets WHERE name = $1", SIGN_IN_KEY_NAME
        )
    assert key is not None
    return key


async def network_hash(conn: asyncpg.Connection, host: str) -> bytes:
    """The keyed hash of the network `host` is in."""
    key = await _network_key(conn)
    message = sign_in_network(host).encode()
    return hmac.digest(key, message, hashlib.sha256)[:NETWORK_HASH_BYTES]
