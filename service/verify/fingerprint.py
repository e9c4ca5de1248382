"""Client fingerprints for the scan log and the clone rule: a keyed hash of the client's network,
no raw IP; and the bucket of a client for the rate limit."""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import secrets
from pathlib import Path

import asyncpg

FINGERPRINT_KEY_NAME = "scan_fingerprint_key"
FINGERPRINT_BYTES = 16


async def load_fingerprint_key(conn: asyncpg.Connection) -> bytes:
    """The deployment's fingerprint key, created by whichever process asks first.

    Every process must hash with the same key, or the clone rule would count one phone once per
    process; ON CONFLICT DO NOTHING makes concurrent first starts agree on one row.
    """
    await conn.execute(
        "INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        FINGERPRINT_KEY_NAME,
        secrets.token_bytes(32),
    )
    key: bytes = await conn.fetchval(
        "SELECT value FROM server_secrets WHERE name = $1", FINGERPRINT_KEY_NAME
    )
    return key


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None  # not an address (a Unix socket, a test client): still one client
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def network_prefix(host: str) -> str:
    """The client's /24 (IPv4) or /48 (IPv6) network: a household or a mobile carrier's NAT pool
    rather than a person, and enough to tell one phone re-scanning from many phones."""
    address = _address(host)
    if address is None:
        return host
    bits = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{bits}", strict=False))


@functools.lru_cache(maxsize=4096)
def rate_limit_bucket(host: str) -> str:
    """Whose budget a request spends: an IPv4 address, or an IPv6 /64 (one subscriber's
    prefix: a single phone can take any of its 2^64 addresses, one per request)."""
    address = _address(host)
    if address is None or address.version == 4:
        return str(address or host)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))


# Chat apps fetch a shared link to preview it; each would look like one more phone scanning the
# label. Their agents are kept as data, beside this module.
LINK_PREVIEW_AGENTS: tuple[str, ...] = tuple(
    line.strip().lower()
    for line in (Path(__file__).with_name("link_previewers.txt")).read_text("utf-8").splitlines()
    if line.strip() and not line.lstrip().startswith("#")
)


def is_link_preview(user_agent: str) -> bool:
    """Whether the request is a link previewer's (recorded as a preview, never as a client)."""
    agent = user_agent.lower()
    return any(name in agent for name in LINK_PREVIEW_AGENTS)


class Fingerprinter:
    """Keyed hashes of clients' networks (every link previewer shares one, which marks its scans
    as previews in the scan log); the key never leaves the process or the server_secrets table."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        # a phone scans several labels in a row: skip re-hashing the same (host, agent)
        self._recent: dict[tuple[str, str], bytes] = {}

    def fingerprint(self, host: str, user_agent: str) -> bytes:
        cache_key = (host, user_agent)
        found = self._recent.get(cache_key)
        if found is not None:
            return found
        # The network alone, not the User-Agent: one phone can claim any number of agents,
        # but not of networks, so no single network can make a label suspect by itself.
        message = b"link-preview" if is_link_preview(user_agent) else network_prefix(host).encode()
        digest = hmac.digest(self._key, message, hashlib.sha256)[:FINGERPRINT_BYTES]
        if len(self._recent) >= 4096:
            self._recent.clear()
        self._recent[cache_key] = digest
        return digest
