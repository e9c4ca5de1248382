"""Wiring of the API reference into the app: the OpenAPI config, its truthful JSON document and
the Swagger UI page, whose script and style are served by the app itself (pinned in `static/`),
so /schema works without internet access and under a strict Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from litestar import Request, Router
from litestar.datastructures import CacheControlHeader, ResponseHeader
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router
from litestar.types import Middleware

from service.api_docs.document import make_truthful

DOCS_PATH = "/schema"
STATIC_DIR = Path(__file__).parent / "static"
# swagger-ui-dist, vendored from the npm registry; the version is in static/VERSION
_STATIC_URL = DOCS_PATH + "/static/"
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


class TruthfulJson(JsonRenderPlugin):
    """`/schema/openapi.json`: Litestar's document with `make_truthful` applied, once."""

    def __init__(self, public_paths: Sequence[str]) -> None:
        super().__init__()
        self._public_paths = list(public_paths)
        self._done: set[int] = set()

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        # the plugin caches the dict it passes here, so the rewrite happens on the first request
        if id(openapi_schema) not in self._done:
            make_truthful(openapi_schema, request.app, self._public_paths)
            self._done.add(id(openapi_schema))
        return super().render(request, openapi_schema)


class SwaggerPage(OpenAPIRenderPlugin):
    """`/schema` (and `/schema/swagger`): Swagger UI from the app's own static files."""

    def __init__(self) -> None:
        super().__init__(path="/swagger")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = escape(f"{openapi_schema['info']['title']} API")
        url = escape(self.get_openapi_json_route(request))
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{_STATIC_URL}swagger-ui.css">
</head>
<body>
<noscript>The API reference needs JavaScript; the document itself is at
<a href="{url}">{url}</a>.</noscript>
<div id="swagger-ui" data-url="{url}"></div>
<script src="{_STATIC_URL}swagger-ui-bundle.js"></script>
<script src="{_STATIC_URL}swagger-ui-start.js"></script>
</body>
</html>
""".encode()


def openapi_config(
    public_paths: Sequence[str], middleware: Sequence[Middleware] = ()
) -> OpenAPIConfig:
    """The OpenAPI document and its offline docs page under /schema (`middleware`: e.g. gzip,
    which the app applies per router rather than to every route)."""
    static = create_static_files_router(
        path="/static",
        directories=[STATIC_DIR],
        name="api-docs-static",
        cache_control=CacheControlHeader(max_age=86400, public=True),
        include_in_schema=False,
    )
    router = Router(
        DOCS_PATH,
        route_handlers=[static],
        include_in_schema=False,
        middleware=list(middleware),
        response_headers=[
            ResponseHeader(name="Content-Security-Policy", value=_CSP),
            ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
        ],
    )
    return OpenAPIConfig(
        title="Radura",
        version="1",
        description="Traceability, shelf-life dating and signed QR labels for irradiated food. "
        "Every refusal is an RFC 9457 problem document (`application/problem+json`).",
        path=DOCS_PATH,
        openapi_router=router,
        render_plugins=[SwaggerPage(), TruthfulJson(public_paths)],
        use_handler_docstrings=True,
        components=Components(
            security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}
        ),
        security=[{"bearer": []}],
    )
