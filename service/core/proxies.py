"""The client's real address behind trusted reverse proxies (RADURA_TRUSTED_PROXIES, SPEC §12).

Rewrites the ASGI scope's `client` once, before routing, so everything that reads
`request.client` — the scan fingerprint, the rate limit, the sign-in throttle, logs — sees the
phone rather than the proxy. Only a connection whose peer is a trusted proxy has its forwarding
headers read, and of the addresses they list the right-most one that is not itself a trusted
proxy is the client: the addresses left of it were written by the client and prove nothing.

Granian's own `wrap_asgi_with_proxy_headers` is not used: it reads only `X-Forwarded-For`, and
takes any text (not only an address) as the client.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence

from litestar.types import ASGIApp, Receive, Scope, Send

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# one `for=` parameter of an RFC 7239 `Forwarded` element: a token or a quoted string
_FORWARDED_FOR = re.compile(r'(?:^|;)\s*for\s*=\s*("[^"]*"|[^;,\s]*)', re.IGNORECASE)


def _address(node: str) -> IPAddress | None:
    """The address of one hop as written in a header (`1.2.3.4`, `1.2.3.4:80`, `[2001:db8::1]`,
    `"[2001:db8::1]:4711"`), or None for anything else (`unknown`, an obfuscated `_name`)."""
    node = node.strip().strip('"')
    if node.startswith("["):
        node = node[1 : node.find("]")] if "]" in node else ""
    elif node.count(":") == 1:  # IPv4 with a port
        node = node.split(":", 1)[0]
    return ip_address(node)


def ip_address(text: str) -> IPAddress | None:
    """The address `text` writes, an IPv4-mapped IPv6 one (`::ffff:10.0.0.1`) as the IPv4
    address it is; None when it is not an address."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def forwarded_chain(headers: Iterable[tuple[bytes, bytes]]) -> list[str]:
    """The hops the request passed, oldest first, from `X-Forwarded-For` or else `Forwarded`.

    `X-Forwarded-For` wins when both are present: it is the header nginx and most proxies
    append to, while a `Forwarded` header they do not know passes through as the client wrote
    it. (A proxy that writes only `Forwarded` must therefore drop any incoming
    `X-Forwarded-For`.)
    """
    x_forwarded_for: list[str] = []
    forwarded: list[str] = []
    for name, value in headers:
        if name == b"x-forwarded-for":
            x_forwarded_for.extend(value.decode("latin-1").split(","))
        elif name == b"forwarded":
            for element in value.decode("latin-1").split(","):
                match = _FORWARDED_FOR.search(element)
                forwarded.append(match.group(1) if match else "")
    return x_forwarded_for or forwarded


def client_behind(peer: IPAddress, chain: list[str], trusted: Sequence[IPNetwork]) -> str | None:
    """The client's address when `peer` is a trusted proxy, else None (the peer is the client).

    Walks the chain from the right: each trusted proxy vouches for the hop before it, and the
    first untrusted hop is the client. A hop that is not an address ends the walk there: the
    proxy in front of it is the last hop anyone vouched for.
    """
    if not any(peer in network for network in trusted):
        return None
    client = peer
    for node in reversed(chain):
        hop = _address(node)
        if hop is None:
            break
        client = hop
        if not any(hop in network for network in trusted):
            break
    return str(client)


class TrustedProxies:
    """Pure ASGI middleware: the scope's `client` becomes the address behind trusted proxies."""

    def __init__(self, app: ASGIApp, trusted: Sequence[IPNetwork]) -> None:
        self.app = app
        self.trusted = tuple(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        peer_address = scope.get("client") if scope["type"] in ("http", "websocket") else None
        if peer_address:
            peer = _address(peer_address[0])
            if peer is not None:
                chain = forwarded_chain(scope["headers"])
                client = client_behind(peer, chain, self.trusted)
                if client is not None:
                    scope["client"] = (client, 0)
        await self.app(scope, receive, send)
