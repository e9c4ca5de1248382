"""Wiring of webhooks into the app: the secret box, the delivery worker's lifespan and the
outbox gauge of `/metrics`."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar

from service.core.metrics import database_gauge
from service.core.settings import Settings
from service.webhooks.keys import load_or_create_box
from service.webhooks.outbox import outbox_depth
from service.webhooks.worker import DeliveryWorker


def webhooks_lifespan(
    settings: Settings, worker: DeliveryWorker
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """Starts `worker` on the app's pool; it is woken by the change listener, which the app
    builds with the worker among its notified channels."""

    @asynccontextmanager
    async def webhooks(app: Litestar) -> AsyncGenerator[None, None]:
        box = load_or_create_box(settings.data_dir)
        app.state.webhook_box = box
        app.state.webhook_settings = worker.settings
        worker.start(app.state.pool, box)
        try:
            yield
        finally:
            await worker.stop()

    return webhooks


def register_webhook_metrics() -> None:
    """`radura_webhook_outbox_depth`, read from the database at each scrape of `/metrics`."""
    database_gauge(
        "radura_webhook_outbox_depth",
        "Webhook deliveries not yet made, retries included",
        outbox_depth,
    )
