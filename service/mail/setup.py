"""Wiring of email into the app: the mail worker's lifespan (only with RADURA_SMTP_URL), the
console's banner when notices are not being sent, and the outbox gauge of `/metrics`."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import structlog
from litestar import Litestar
from litestar.template.config import TemplateConfig

from service.core.metrics import database_gauge
from service.core.settings import Settings
from service.mail.outbox import outbox_depth
from service.mail.settings import MailSettings, get_mail_settings
from service.mail.worker import MailWorker
from service.webhooks.keys import load_or_create_box

log = structlog.get_logger()


class MailSender:
    """The app's mail worker, made at start when a mail server is configured; until then (and
    without one) a NOTIFY on the outbox channel is simply dropped."""

    def __init__(self) -> None:
        self.worker: MailWorker | None = None

    def on_notify(self, payload: str) -> None:
        if self.worker is not None:
            self.worker.on_notify(payload)

    def distrust(self) -> None:
        pass

    def trust(self, *, after_outage: bool) -> None:
        if self.worker is not None:
            self.worker.trust(after_outage=after_outage)


def mail_lifespan(
    settings: Settings, sender: MailSender, mail_settings: MailSettings | None = None
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """Opens the box that seals the links notices carry and, with a mail server, starts the
    worker on the app's pool; without one, says once that nothing will be sent."""

    @asynccontextmanager
    async def mail(app: Litestar) -> AsyncGenerator[None, None]:
        current = mail_settings or get_mail_settings()
        box = load_or_create_box(settings.data_dir)
        app.state.mail_box = box
        if current.server is None:
            log.warning("mail_not_sent", reason="RADURA_SMTP_URL is not set")
            yield
            return
        log.info("mail_sending", server=str(current.server))
        sender.worker = MailWorker(current, settings.public_base_url, box)
        sender.worker.start(app.state.pool)
        try:
            yield
        finally:
            await sender.worker.stop()
            sender.worker = None

    return mail


def notices_not_sent() -> bool:
    """For the console's banner: true while this process has no mail server."""
    return not get_mail_settings().sending


def install_banner(template_config: TemplateConfig[Any]) -> None:
    """`notices_not_sent()` in every console template (the layout shows the banner)."""
    engine = getattr(template_config.instance, "engine", None)
    if engine is not None:
        engine.globals["notices_not_sent"] = notices_not_sent


def register_mail_metrics() -> None:
    """`radura_mail_outbox_depth`, read from the database at each scrape of `/metrics`."""
    database_gauge(
        "radura_mail_outbox_depth", "Email notices not yet sent, retries included", outbox_depth
    )
