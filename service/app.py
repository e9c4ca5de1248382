"""create_app(): the one place where routes, dependencies, errors and OpenAPI are wired."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.config.compression import CompressionConfig
from litestar.di import Provide
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.compression import CompressionMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.plugins.structlog import StructlogConfig, StructlogPlugin

from service.core.settings import Settings, get_settings

# paths that never need a token: the root (a redirect to the console), probes, the OpenAPI
# pages, public verification and keys
# (/metrics has its own address allow-list instead)
PUBLIC_PATHS = [
    "^/$",
    "^/health$",
    "^/ready$",
    "^/metrics$",
    "^/schema",
    "^/v/",
    "^/01/",
    "^/label/01/",
    "^/\\.well-known/",
    "^/r/",
    "^/c/",
]


def create_app(settings: Settings | None = None) -> Litestar:
    from service.accounts.admin_pages import AdminPages
    from service.accounts.controller import AccountsController
    from service.accounts.dose_map_pages import DoseMapPages
    from service.accounts.dose_maps_controller import DoseMapsController
    from service.accounts.edit_pages import AdminEditPages
    from service.accounts.edits_controller import AccountEditsController
    from service.accounts.markets.approval_pages import ApprovalPages
    from service.accounts.markets.controller import ApprovalsController, MarketsController
    from service.accounts.markets.pages import MarketPages
    from service.accounts.sign_in_pages import ConsoleAccountController
    from service.accounts.token_pages import TokenPages
    from service.accounts.token_routes import TokensController
    from service.accounts.user_pages import AdminUserPages
    from service.api_docs.setup import openapi_config
    from service.batches.estimate.controller import ShelfLifeController
    from service.batches.labelling.keys import signing_keys_lifespan
    from service.batches.routes import batch_controllers, batch_pages
    from service.console.errors import console_exception_handlers
    from service.console.root import root
    from service.console.setup import CONSOLE_PATH, console
    from service.core import db
    from service.core.auth import TokenAuthenticationMiddleware
    from service.core.download_gate import download_gate_lifespan
    from service.core.errors import exception_handlers
    from service.core.health import HealthController
    from service.core.logs import logging_config
    from service.core.metrics import ROUTE_METRICS
    from service.core.metrics_controller import MetricsController
    from service.core.options_allow import complete_allow_headers
    from service.core.proxies import TrustedProxies
    from service.core.strict_body import refuse_lax_json
    from service.core.token_cache import CHANNEL as TOKEN_CHANNEL
    from service.core.token_cache import TokenCache
    from service.labels_api.certificate import CertificateController
    from service.labels_api.controller import LabelsController
    from service.labels_api.keys_controller import JwksController
    from service.labels_api.render_gate import render_gate_lifespan
    from service.mail.outbox import CHANNEL as MAIL_CHANNEL
    from service.mail.password_reset_pages import PasswordResetPages
    from service.mail.recall_ack_pages import RecallAckPages
    from service.mail.setup import (
        MailSender,
        install_banner,
        mail_lifespan,
        register_mail_metrics,
    )
    from service.network.controller import (
        MembershipsController,
        NetworkController,
        NetworkMembersController,
    )
    from service.network.pages import NetworkPages
    from service.verify.certificate_check import CertificateCheckController
    from service.verify.setup import verify_lifespan, verify_route_handlers, verify_stores
    from service.webhooks.controller import WebhooksController
    from service.webhooks.outbox import CHANNEL as WEBHOOK_CHANNEL
    from service.webhooks.pages import WebhookPages
    from service.webhooks.settings import get_webhook_settings
    from service.webhooks.setup import register_webhook_metrics, webhooks_lifespan
    from service.webhooks.worker import DeliveryWorker

    settings = settings or get_settings()
    assert settings.database_url, "the CLI starts the embedded database before creating the app"
    shell = console(settings, public_paths=PUBLIC_PATHS)
    # bearer-token lookups, kept fresh by the same LISTEN connection as verification's cache
    token_cache = TokenCache()
    # woken by the same LISTEN connection when a change writes to the webhook outbox
    webhook_worker = DeliveryWorker(get_webhook_settings())
    register_webhook_metrics()
    # woken by the same LISTEN connection when a change writes to the mail outbox
    mail_sender = MailSender()
    register_mail_metrics()
    install_banner(shell.template_config)

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

    # Sessions, sign-in, CSRF and gzip wrap only the routes that may need them: a scan of a label
    # (the busiest route by far) passes none of those layers, not even to be told it is excluded.
    # The verification page comes gzipped from its own cache (service/verify/page_body.py).
    compression = DefineMiddleware(
        CompressionMiddleware, config=CompressionConfig(backend="gzip", minimum_size=1024)
    )
    public, scans_api = verify_route_handlers(
        settings,
        other_public=[JwksController, ShelfLifeController, CertificateCheckController],
    )
    signed_in = Router(
        path="/",
        route_handlers=[
            HealthController,
            MetricsController,
            AccountsController,
            AccountEditsController,
            TokensController,
            DoseMapsController,
            MarketsController,
            ApprovalsController,
            NetworkMembersController,
            MembershipsController,
            NetworkController,
            LabelsController,
            WebhooksController,
            *batch_controllers(),
            CertificateController,
            root,
            *shell.route_handlers,
            ConsoleAccountController,
            PasswordResetPages,
            RecallAckPages,
            *batch_pages(),
            AdminPages,
            AdminEditPages,
            DoseMapPages,
            MarketPages,
            ApprovalPages,
            AdminUserPages,
            WebhookPages,
            NetworkPages,
            TokenPages,
            scans_api,
        ],
        before_request=refuse_lax_json,
        middleware=[
            ROUTE_METRICS,  # outermost: the latency includes every other layer
            shell.session_middleware,
            DefineMiddleware(TokenAuthenticationMiddleware, exclude=[*PUBLIC_PATHS, CONSOLE_PATH]),
            shell.auth_middleware,
            DefineMiddleware(CSRFMiddleware, config=shell.csrf_config),
            compression,
        ],
    )
    app = Litestar(
        route_handlers=[signed_in, public],
        lifespan=[
            database,
            shell.lifespan,
            signing_keys_lifespan(settings),
            verify_lifespan(
                settings,
                also_notified={
                    TOKEN_CHANNEL: token_cache,
                    WEBHOOK_CHANNEL: webhook_worker,
                    MAIL_CHANNEL: mail_sender,
                },
            ),
            webhooks_lifespan(settings, webhook_worker),
            mail_lifespan(settings, mail_sender),
            download_gate_lifespan,
            render_gate_lifespan,  # last, so its renders are the first thing stopped
        ],
        dependencies={"db": Provide(db.provide_db)},
        # under /app the same errors become pages in the user's language
        exception_handlers=console_exception_handlers(exception_handlers()),
        template_config=shell.template_config,
        stores={**shell.stores, **verify_stores(settings)},
        openapi_config=openapi_config(PUBLIC_PATHS, middleware=[ROUTE_METRICS, compression]),
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
    complete_allow_headers(app)
    if settings.trusted_proxies:
        # outermost, before routing and error handling, so every reader of the client address
        # (fingerprint, rate limit, sign-in throttle, logs) sees the one behind the proxies
        app.asgi_handler = TrustedProxies(app.asgi_handler, settings.trusted_proxies)
    return app
