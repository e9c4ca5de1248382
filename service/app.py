"""create_app(): the one place where routes, dependencies, errors and OpenAPI are wired."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.di import Provide
from litestar.middleware.base import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.structlog import StructlogConfig, StructlogPlugin

from service.core.settings import Settings, get_settings

# paths that never need a token: probes, the OpenAPI pages, public verification and keys
PUBLIC_PATHS = ["^/health$", "^/ready$", "^/schema", "^/v/", "^/01/", "^/\\.well-known/"]


def create_app(settings: Settings | None = None) -> Litestar:
    from service.accounts.admin_pages import AdminPages
    from service.accounts.controller import AccountsController
    from service.accounts.dose_maps import DoseMapsController
    from service.accounts.token_routes import TokensController
    from service.accounts.user_pages import AdminUserPages
    from service.batches.routes import batch_controllers, batch_pages
    from service.console.errors import console_exception_handlers
    from service.console.setup import CONSOLE_PATH, console
    from service.core import db
    from service.core.auth import TokenAuthenticationMiddleware
    from service.core.errors import exception_handlers
    from service.core.health import HealthController
    from service.core.logs import logging_config
    from service.core.proxies import TrustedProxies
    from service.core.strict_body import refuse_lax_json
    from service.core.token_cache import CHANNEL as TOKEN_CHANNEL
    from service.core.token_cache import TokenCache
    from service.labels_api.controller import LabelsController
    from service.labels_api.keys import JwksController, signing_keys_lifespan
    from service.labels_api.render_gate import render_gate_lifespan
    from service.shelf_life.controller import ShelfLifeController
    from service.verify.setup import verify_lifespan, verify_route_handlers, verify_stores

    settings = settings or get_settings()
    assert settings.database_url, "the CLI starts the embedded database before creating the app"
    shell = console(settings, public_paths=PUBLIC_PATHS)
    # bearer-token lookups, kept fresh by the same LISTEN connection as verification's cache
    token_cache = TokenCache()

    @asynccontextmanager
    async def database(app: Litestar) -> AsyncGenerator[None, None]:
        app.state.settings = settings
        app.state.token_cache = token_cache
        app.state.pool = await db.create_pool(
            settings.database_url or "", max_size=settings.pool_max_size
        )
        try:
            yield
        finally:
            await app.state.pool.close()

    app = Litestar(
        route_handlers=[
            HealthController,
            AccountsController,
            TokensController,
            DoseMapsController,
            LabelsController,
            *batch_controllers(),
            *shell.route_handlers,
            *batch_pages(),
            AdminPages,
            AdminUserPages,
            # every public endpoint shares the verification pages' per-client rate limit
            *verify_route_handlers(settings, other_public=[JwksController, ShelfLifeController]),
        ],
        lifespan=[
            database,
            shell.lifespan,
            signing_keys_lifespan(settings),
            verify_lifespan(settings, also_notified={TOKEN_CHANNEL: token_cache}),
            render_gate_lifespan,  # last, so its renders are the first thing stopped
        ],
        dependencies={"db": Provide(db.provide_db)},
        middleware=[
            shell.session_middleware,
            DefineMiddleware(TokenAuthenticationMiddleware, exclude=[*PUBLIC_PATHS, CONSOLE_PATH]),
            shell.auth_middleware,
        ],
        # under /app the same errors become pages in the user's language
        exception_handlers=console_exception_handlers(exception_handlers()),
        template_config=shell.template_config,
        csrf_config=shell.csrf_config,
        stores={**shell.stores, **verify_stores(settings)},
        before_request=refuse_lax_json,
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024),
        openapi_config=OpenAPIConfig(
            title="Radura",
            version="1",
            description="Traceability, shelf-life dating and signed QR labels for irradiated food.",
            path="/schema",
            render_plugins=[ScalarRenderPlugin()],
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}
            ),
            security=[{"bearer": []}],
        ),
        plugins=[
            StructlogPlugin(
                StructlogConfig(
                    structlog_logging_config=logging_config(settings.log_format == "json"),
                    enable_middleware_logging=False,
                )
            )
        ],
        debug=False,
    )
    if settings.trusted_proxies:
        # outermost, before routing and error handling, so every reader of the client address
        # (fingerprint, rate limit, sign-in throttle, logs) sees the one behind the proxies
        app.asgi_handler = TrustedProxies(app.asgi_handler, settings.trusted_proxies)
    return app
