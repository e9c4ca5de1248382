"""`/.well-known/jwks.json`: the public keys that verify label signatures (`keys.SigningKeys`)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, head
from litestar.datastructures import State

_JWKS_HEADERS = {"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"}


class JwksController(Controller):
    tags = ["labels"]

    @get(
        "/.well-known/jwks.json",
        operation_id="getJwks",
        exclude_from_auth=True,
        media_type="application/json",
    )
    async def jwks(self, state: State) -> Response[dict[str, Any]]:
        """The public keys that verify label signatures, active and retired (RFC 7517)."""
        return Response(state.signing_keys.jwks(), headers=_JWKS_HEADERS)

    @head(
        "/.well-known/jwks.json",
        operation_id="checkJwks",
        exclude_from_auth=True,
        include_in_schema=False,
        media_type="application/json",
    )
    async def check_jwks(self) -> Response[None]:
        """HEAD: the headers of GET (caches and resolvers probe with it)."""
        return Response(None, headers=_JWKS_HEADERS, media_type="application/json")
