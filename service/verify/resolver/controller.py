"""The GS1-conformant resolver for Radura's own GTINs (SPEC §6.1): `/01/{gtin}[/10/{lot}][/21/…]`.

A request for no particular link type is redirected (307) to the label's page at `/label/01/…`
— syntax checks and a look in the set of our GTINs held in memory (an unknown GTIN is 404 at
once, `gtins.py`), no database work, so a shopper's scan pays one cheap hop. A request for a
link type is redirected to that link; the linkset itself is answered here, read from the
database, since it names the product (`itemDescription`) and the recall of a lot.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, HttpMethod, Request, Response, get, head, route
from litestar.datastructures import CacheControlHeader
from litestar.openapi.datastructures import ResponseSpec

from labels.uri import LabelUriError, encode_ai_value, parse_gs1_key_path
from service.core.errors import PROBLEM_BASE, PROBLEM_MEDIA_TYPE
from service.core.metrics import ROUTE_METRICS
from service.verify.counted import counted
from service.verify.documented_forms import RESOLVER_FORMS, RESOLVER_HEAD_FORMS
from service.verify.memo import memo_of_short_texts
from service.verify.resolver import linkset
from service.verify.resolver.linkset import ResolverRequest, content_href
from service.verify.response import RawResponse, encode_headers, header

# GS1 DL key qualifiers of a GTIN, in canonical order; Radura issues 10 and 21 and walks up
# the tree from any other (a GTIN's linkset answers for all of them)
_QUALIFIERS = ("22", "10", "21")
_METHODS = "GET, HEAD, OPTIONS"
# GS1 resolvers SHALL support CORS: any app may read any answer from a browser
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": _METHODS,
    "Access-Control-Expose-Headers": "Link, Location",
}
_COMMON = {**_CORS, "Vary": "Accept, Accept-Language", "Cache-Control": "no-store"}
_REDIRECT = encode_headers(None, _COMMON)
_NOT_FOUND = encode_headers(PROBLEM_MEDIA_TYPE, _COMMON)
_LINKSET = encode_headers(
    "application/linkset+json",
    {
        **_COMMON,
        "Link": f'<{linkset.GS1_LINKSET_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; '
        'type="application/ld+json"',
    },
)
_LINKSET_REQUESTS = ("linkset", "all")
_json = msgspec.json.Encoder()


class ResolverSyntaxError(ValueError):
    """The URI is not GS1 Digital Link syntax Radura can resolve (answered with 400); `field`
    names the part that is wrong (`path`, or a query parameter)."""

    def __init__(self, message: str, field: str = "path") -> None:
        super().__init__(message)
        self.field = field


@memo_of_short_texts(max_entries=4096)
def parse_request(raw_path: str, query: str) -> ResolverRequest:
    """Take apart `/01/…` and its query; raise ResolverSyntaxError saying what is wrong."""
    segments = raw_path.removeprefix("/").removesuffix("/").split("/")
    if len(segments) < 2 or segments[0] != "01":
        raise ResolverSyntaxError("the path must start with /01/{gtin}")
    try:
        gtin14, qualifiers, _ = parse_gs1_key_path(segments[1:], _QUALIFIERS)
    except LabelUriError as error:
        raise ResolverSyntaxError(error.reason) from None
    path = f"/01/{gtin14}" + "".join(
        f"/{ai}/{encode_ai_value(qualifiers[ai])}" for ai in _QUALIFIERS if ai in qualifiers
    )
    kept, link_type = [], None
    for item in query.split("&") if query else ():
        if not item.isascii() or not item.isprintable():
            # a raw byte can be neither a GS1 value nor passed on in a redirect's Location
            name = item.partition("=")[0]
            message = f"{name} must be printable ASCII (percent-encode anything else)"
            raise ResolverSyntaxError(message, name)
        if item.startswith("linkType="):
            link_type = item[9:].replace("%3A", ":").replace("%3a", ":")
        elif item.startswith("17=") and not (len(item) == 9 and item[3:].isdigit()):
            raise ResolverSyntaxError("AI 17 (expiry) must be six digits, YYMMDD", "17")
        elif item:
            kept.append(item)
    return ResolverRequest(
        gtin14=gtin14,
        lot=qualifiers.get("10"),
        serial=qualifiers.get("21"),
        path=path,
        query="&".join(kept),
        link_type=link_type,
    )


def linkset_link_header(base_url: str, request: ResolverRequest) -> bytes:
    query = "linkType=linkset" + ("&" + request.query if request.query else "")
    href = f"{base_url}{request.path}?{query}"
    return f'<{href}>; rel="linkset"; type="application/linkset+json"'.encode("ascii")


def _problem(
    status: int, title: str, detail: str, code: str, field: str | None = None
) -> RawResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if field is not None:
        body["errors"] = [{"field": field, "message": detail}]
    return RawResponse(status, _NOT_FOUND, _json.encode(body))


def _unknown_gtin() -> RawResponse:
    return _problem(404, "Unknown GTIN", "Radura issued no label for this GTIN", "unknown-gtin")


def _wants_linkset(request: ResolverRequest, accept: str | None) -> bool:
    if request.link_type is not None:
        return request.link_type in _LINKSET_REQUESTS
    if not accept or "linkset" not in accept:
        return False
    from litestar.datastructures.headers import Accept

    best = Accept(accept).best_match(
        ["text/html", "application/json", "application/linkset+json"], default="text/html"
    )
    return best == "application/linkset+json"


async def resolve(http: Request[Any, Any, Any]) -> RawResponse:
    """Answer one resolver request: 400, a redirect, the linkset, or 404."""
    scope = http.scope
    raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
    try:
        request = parse_request(
            raw_path.partition(b"?")[0].decode("latin-1"), scope["query_string"].decode("latin-1")
        )
    except ResolverSyntaxError as error:
        return _problem(400, "Not a GS1 Digital Link URI", str(error), "gs1-syntax", error.field)
    base_url: str = http.app.state["public_base_url"]
    accept = header(scope, b"accept")
    if _wants_linkset(request, accept):
        return await _linkset(http, request, base_url)
    # not one of our GTINs: 404 at once, from memory, rather than a hop to a page that says so
    if http.app.state["verifier"].gtins.knows(request.gtin14) is False:
        return _unknown_gtin()
    link_type = request.link_type
    if link_type is None:
        target = content_href(base_url, request)
        return RawResponse(
            307,
            _REDIRECT,
            extra=[
                (b"location", target.encode("ascii")),
                (b"link", linkset_link_header(base_url, request)),
            ],
        )
    target_or_none = linkset.link_target(base_url, request, link_type)
    if target_or_none is None and link_type in linkset.CONDITIONAL_LINK_TYPES:
        item = await _item(http, request)
        if item is not None and item["recalled"]:
            target_or_none = content_href(base_url, request, link_type)
    if target_or_none is None:
        detail = f"no link of type {link_type!r} for this item"
        return _problem(404, "Link type not available", detail, "link-type-not-available")
    return RawResponse(307, _REDIRECT, extra=[(b"location", target_or_none.encode("ascii"))])


async def _item(http: Request[Any, Any, Any], request: ResolverRequest) -> Any:
    verifier = http.app.state.verifier
    return await verifier.gtin_item(request.gtin14, request.lot)


async def _linkset(
    http: Request[Any, Any, Any], request: ResolverRequest, base_url: str
) -> RawResponse:
    item = await _item(http, request)
    if item is None:
        return _unknown_gtin()
    document = linkset.resolver_linkset(
        base_url, request, item["product_name"], recalled=item["recalled"]
    )
    return RawResponse(200, _LINKSET, _json.encode(document))


_RESPONSES = {
    200: ResponseSpec(
        dict[str, Any],
        generate_examples=False,
        description="The linkset (RFC 9264, `application/linkset+json`), asked for by "
        "`linkType=linkset` (or `all`) or `Accept: application/linkset+json`.",
        media_type="application/linkset+json",
    ),
    307: ResponseSpec(
        None,
        generate_examples=False,
        description="To the label's page, or to the link of the `linkType` asked for.",
    ),
    400: ResponseSpec(
        dict[str, Any],
        generate_examples=False,
        description="Not GS1 Digital Link syntax (problem details).",
        media_type=PROBLEM_MEDIA_TYPE,
    ),
    404: ResponseSpec(
        dict[str, Any],
        generate_examples=False,
        description="A GTIN that is none of Radura's (`unknown-gtin`), or a link type this "
        "item has not.",
        media_type=PROBLEM_MEDIA_TYPE,
    ),
}


class Gs1ResolverController(Controller):
    """GS1 Digital Link URIs of Radura's GTINs, as GS1's resolver standard wants them answered."""

    tags = ["verification"]
    security: list[dict[str, list[str]]] = [{}]

    @get(
        "/01/{label_path:path}",
        operation_id="resolveGs1Uri",
        exclude_from_auth=True,
        responses=_RESPONSES,
        opt={"documented_as": RESOLVER_FORMS},
        summary="Resolve a GS1 Digital Link URI /01/{gtin}[/10/{lot}][/21/{serial}]",
    )
    async def resolve_gs1_uri(self, request: Request[Any, Any, Any]) -> RawResponse:
        """307 to the label's page (or the link type asked for), or the linkset; 400 for a URI
        that is not GS1 Digital Link syntax."""
        return await counted(request.scope, resolve(request))

    @head(
        "/01/{label_path:path}",
        operation_id="checkGs1Uri",
        exclude_from_auth=True,
        opt={"documented_as": RESOLVER_HEAD_FORMS},
        responses={307: _RESPONSES[307], 404: _RESPONSES[404]},
        middleware=[ROUTE_METRICS],
    )
    async def check_gs1_uri(self, request: Request[Any, Any, Any]) -> Response[None]:
        """The status and headers of GET, without a body."""
        answer = await resolve(request)
        headers = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in answer.headers
            if name not in (b"content-length", b"content-type")
        }
        content_type = dict(answer.headers).get(b"content-type", b"application/json").decode()
        return Response(None, status_code=answer.status, headers=headers, media_type=content_type)

    @route(
        "/01/{label_path:path}",
        http_method=HttpMethod.OPTIONS,
        operation_id="gs1UriOptions",
        exclude_from_auth=True,
        middleware=[ROUTE_METRICS],
        include_in_schema=False,
        status_code=204,
    )
    async def allow_gs1_methods(self, request: Request[Any, Any, Any]) -> Response[None]:
        """What a GS1 URI answers to, with the link to its linkset (CORS preflight included)."""
        headers = {"Allow": _METHODS, **_CORS}
        scope = request.scope
        try:
            parsed = parse_request(scope["path"], scope["query_string"].decode("latin-1"))
        except ResolverSyntaxError:
            return Response(None, status_code=204, headers=headers)
        link = linkset_link_header(request.app.state.public_base_url, parsed)
        return Response(None, status_code=204, headers={**headers, "Link": link.decode("ascii")})


@get(
    "/.well-known/gs1resolver",
    operation_id="gs1ResolverDescription",
    summary="GS1 resolver description",
    tags=["verification"],
    security=[{}],
    exclude_from_auth=True,
    cache_control=CacheControlHeader(max_age=3600, public=True),
)
async def resolver_description(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """The GS1-conformant resolver description of this service, readable from any origin."""
    return Response(
        linkset.resolver_description(request.app.state.public_base_url),
        headers={"Access-Control-Allow-Origin": "*"},
    )
