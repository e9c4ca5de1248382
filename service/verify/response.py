"""A bare ASGI response with headers encoded once: the verification hot path sends the same
dozen security and cache headers thousands of times a second."""

from __future__ import annotations

from collections.abc import Iterable

from litestar.types import Receive, Scope, Send

EncodedHeaders = list[tuple[bytes, bytes]]


def encode_headers(media_type: str | None, headers: dict[str, str]) -> EncodedHeaders:
    encoded = [
        (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()
    ]
    if media_type is not None:
        encoded.insert(0, (b"content-type", media_type.encode("latin-1")))
    return encoded


def header(scope: Scope, name: bytes) -> str | None:
    """One request header (`name` in lower case), read straight from the ASGI scope: a
    Litestar Headers object costs more than the lookup it serves."""
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def quality(params: str) -> float:
    """The weight of one entry of an Accept-* header from its parameters (`q=0.8`; RFC 9110
    §12.4.2): 1 without one, 0 for one that is not a number."""
    params = params.strip()
    if not params.startswith("q="):
        return 1.0
    try:
        return float(params[2:])
    except ValueError:
        return 0.0


class RawResponse:
    """What a route handler may return instead of a Litestar Response: Litestar sends any
    async callable as the ASGI app of the response, through the app's middleware."""

    __slots__ = ("body", "headers", "status")

    def __init__(
        self,
        status: int,
        headers: EncodedHeaders,
        body: bytes = b"",
        extra: Iterable[tuple[bytes, bytes]] = (),
    ) -> None:
        self.status = status
        self.body = body
        self.headers = [*headers, *extra, (b"content-length", str(len(body)).encode())]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body, "more_body": False})
