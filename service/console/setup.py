"""Wiring of the console shell into the app: templates, static files, sessions, CSRF. The sign-in
pages are accounts' (`service/accounts/sign_in_pages.py`), mounted by `create_app`."""

from __future__ import annotations

import secrets
from collections.abc import AsyncGenerator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar import Litestar, Response
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader
from litestar.middleware.base import DefineMiddleware
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ControllerRouterHandler

from service.console.auth import NOT_CONSOLE_PATHS, ConsoleAuthenticationMiddleware
from service.console.sessions import STORE_NAME, PostgresSessionStore, session_config
from service.console.templating import template_config
from service.core.settings import Settings

STATIC_DIR = Path(__file__).parent / "static"
CONSOLE_PATH = "^/app(?:/|$)"
CSRF_SECRET_NAME = "console_csrf"  # noqa: S105 - the name of a row, not a secret


@dataclass
class Console:
    """Everything `create_app` passes to Litestar for the console."""

    route_handlers: list[ControllerRouterHandler]
    # session first: both authentication middlewares read it
    session_middleware: DefineMiddleware
    auth_middleware: DefineMiddleware
    template_config: TemplateConfig[Any]
    csrf_config: CSRFConfig
    stores: dict[str, Any]
    lifespan: Callable[[Litestar], AbstractAsyncContextManager[None]]


def _no_sniffing(response: Response[Any]) -> Response[Any]:
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def console(settings: Settings, public_paths: list[str]) -> Console:
    """`public_paths` are the app's paths that read no session (probes, scans, OpenAPI)."""
    secure = settings.public_base_url.startswith("https://")
    store = PostgresSessionStore()
    # the secret is the deployment's, shared through the database (see the lifespan below)
    csrf = CSRFConfig(
        secret=secrets.token_urlsafe(32),
        cookie_name="radura_csrf",
        cookie_path="/app",
        cookie_secure=secure,
        cookie_httponly=True,  # forms carry the token; htmx sends it from the page's markup
        cookie_samesite="lax",
        exclude=["^/api/", *public_paths],
    )

    @asynccontextmanager
    async def bind_store(app: Litestar) -> AsyncGenerator[None, None]:
        pool = app.state.pool
        store.bind(pool)
        # every process must sign CSRF tokens with the same secret, or a form rendered by one
        # process would be refused by another; whichever process starts first picks it
        async with pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO server_secrets (name, value) VALUES ($1, $2)"
                " ON CONFLICT (name) DO NOTHING",
                CSRF_SECRET_NAME,
                secrets.token_bytes(32),
            )
            value: bytes = await conn.fetchval(
                "SELECT value FROM server_secrets WHERE name = $1", CSRF_SECRET_NAME
            )
        csrf.secret = value.hex()
        yield

    static = create_static_files_router(
        path="/app/static",
        directories=[STATIC_DIR],
        name="console-static",
        cache_control=CacheControlHeader(max_age=3600, public=True),
        opt={"exclude_from_auth": True},
        include_in_schema=False,
        after_request=_no_sniffing,
    )
    return Console(
        route_handlers=[static],
        session_middleware=session_config(secure=secure, exclude=public_paths).middleware,
        auth_middleware=DefineMiddleware(
            ConsoleAuthenticationMiddleware, exclude=NOT_CONSOLE_PATHS
        ),
        template_config=template_config(),
        csrf_config=csrf,
        stores={STORE_NAME: store},
        lifespan=bind_store,
    )
