"""Where a webhook may be sent: never back into our own networks (SSRF).

An endpoint URL must be https, and every address its host resolves to must be a public one: not
loopback, private, shared (CGNAT), link-local (cloud metadata at 169.254.169.254), multicast,
reserved or unspecified, nor an IPv6 address that carries such an IPv4 address inside it (6to4,
IPv4-mapped and -compatible, NAT64, Teredo, ISATAP), which a relay or the host's own stack would
turn back into that IPv4 address. Checked when the endpoint is registered and again before each
delivery, which then connects to the address it checked, so a name that later resolves elsewhere
(DNS rebinding) cannot redirect it. `RADURA_WEBHOOK_ALLOW_PRIVATE=1` lifts both rules (tests)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from service.core.errors import RuleViolation

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
RESOLVE_TIMEOUT_S = 5.0


class ForbiddenUrl(RuleViolation):
    """422 naming the `url` field and the rule it breaks."""

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__("webhook_url_refused", detail, field="url", rule=rule)


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL and the addresses it resolved to, all of them allowed, to connect to."""

    url: SplitResult
    host: str
    port: int
    addresses: tuple[IPAddress, ...]


# IPv6 forms that carry an IPv4 address in their last 32 bits: IPv4-compatible (::a.b.c.d,
# deprecated but still routed by some stacks) and NAT64's well-known prefix (RFC 6052).
_COMPATIBLE = ipaddress.IPv6Network("::/96")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# NAT64's local-use prefix (RFC 8215): the operator chooses where the IPv4 address sits (RFC 6052
# allows /48 to /96), so no position can be read reliably; none of it is a public destination.
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
# An ISATAP interface id (RFC 5214): 0000:5efe or 0200:5efe (either u/g bit) and the IPv4 address.
_ISATAP_ID = 0x00005EFE
_ISATAP_ID_FLAGS = 0x03000000


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """Every IPv4 address `address` carries inside it, in any of the forms a relay or tunnel
    turns back into IPv4: IPv4-mapped, IPv4-compatible, NAT64, 6to4 (2002::/16), Teredo
    (2001::/32: its server and its client, de-obfuscated) and an ISATAP interface id."""
    last_32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    found = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address in _COMPATIBLE or address in _NAT64 or address in _NAT64_LOCAL:
        found.append(last_32)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)  # (server, client); the client bits are un-inverted
    if (int(address) >> 32) & 0xFFFFFFFF & ~_ISATAP_ID_FLAGS == _ISATAP_ID:
        found.append(last_32)
    return found


def forbidden_address(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if address in _NAT64_LOCAL:
            return True
        if any(forbidden_address(inner) for inner in embedded_ipv4(address)):
            return True  # 2002:7f00:1:: is 127.0.0.1 to a 6to4 relay
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # ::ffff:8.8.8.8 is judged as 8.8.8.8
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def parse_url(url: str, *, allow_private: bool) -> tuple[SplitResult, str, int]:
    """The URL's parts, host and port; refuses what no resolution can make acceptable."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ForbiddenUrl("malformed", "The URL cannot be parsed.") from None
    allowed_schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed_schemes:
        raise ForbiddenUrl("https_required", "A webhook URL must start with https://.")
    host = parts.hostname
    if not host:
        raise ForbiddenUrl("host_required", "A webhook URL must name a host.")
    if parts.username is not None or parts.password is not None:
        raise ForbiddenUrl("no_credentials", "A webhook URL must not carry a user or password.")
    if parts.fragment:
        raise ForbiddenUrl("no_fragment", "A webhook URL must not carry a #fragment.")
    return parts, host, port or (443 if parts.scheme == "https" else 80)


async def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT_S
        )
    except (OSError, UnicodeError, TimeoutError):
        raise ForbiddenUrl("unresolvable", f"The host {host!r} does not resolve.") from None
    # getaddrinfo may add an IPv6 scope (`fe80::1%eth0`); the address is what is judged
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def _carrying(address: IPAddress) -> str:
    inner = embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else []
    return f" (carrying {', '.join(map(str, inner))})" if inner else ""


async def check_url(url: str, *, allow_private: bool) -> Target:
    """The URL and its addresses, if every address it resolves to is allowed."""
    parts, host, port = parse_url(url, allow_private=allow_private)
    addresses = await resolve(host, port)
    if not addresses:
        raise ForbiddenUrl("unresolvable", f"The host {host!r} does not resolve.")
    if not allow_private:
        for address in addresses:
            if forbidden_address(address):
                raise ForbiddenUrl(
                    "private_address",
                    f"The host {host!r} resolves to {address}{_carrying(address)}, which is not "
                    "a public address.",
                )
    return Target(parts, host, port, tuple(dict.fromkeys(addresses)))
