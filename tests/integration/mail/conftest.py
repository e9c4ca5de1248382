"""A mail server for Radura to send to, and Radura's mail turned on for one test at a time.

The app under test is shared by the session and starts without RADURA_SMTP_URL (notices are
kept as `not_sent`); `mail_on` sets it, to a real aiosmtpd server in this process, for one test,
and runs a mail worker of its own on the test's pool. Notices written during the test are
pending; whatever is still pending at its end is closed, so no later test sends it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg
import pytest
import pytest_asyncio

from service.mail.settings import MailSettings, get_mail_settings
from service.mail.worker import MailWorker
from tests.smtp_sink import Sink, running_sink

BASE_URL = "https://radura.test"


@dataclass
class Mail:
    sink: Sink
    settings: MailSettings


@pytest.fixture
def sink() -> Iterator[Sink]:
    with running_sink() as sink:
        yield sink


@pytest_asyncio.fixture(loop_scope="session")
async def mail_on(
    sink: Sink, monkeypatch: pytest.MonkeyPatch, pool: asyncpg.Pool
) -> AsyncIterator[Mail]:
    """RADURA_SMTP_URL set to the sink, with quick retries, for this test."""
    monkeypatch.setenv("RADURA_SMTP_URL", sink.url)
    monkeypatch.setenv("RADURA_MAIL_FROM", "Radura <noreply@radura.test>")
    monkeypatch.setenv("RADURA_MAIL_TIMEOUT_S", "0.5")
    monkeypatch.setenv("RADURA_MAIL_RETRY_BASE_S", "0.2")
    monkeypatch.setenv("RADURA_MAIL_RETRY_MAX_S", "0.5")
    monkeypatch.setenv("RADURA_MAIL_POLL_S", "0.2")
    get_mail_settings.cache_clear()
    try:
        yield Mail(sink, get_mail_settings())
    finally:
        monkeypatch.undo()
        get_mail_settings.cache_clear()
        await pool.execute(
            """UPDATE mail_notices SET status = 'failed', next_attempt_at = NULL,
                      last_error = 'the test ended' WHERE status = 'pending'"""
        )


@asynccontextmanager
async def running_worker(
    client, pool: asyncpg.Pool, settings: MailSettings, worker_class: type[MailWorker] = MailWorker
) -> AsyncIterator[MailWorker]:  # type: ignore[no-untyped-def]
    """A mail worker of this process sending the outbox, as each Radura process runs one."""
    worker = worker_class(settings, BASE_URL, client.app.state.mail_box)
    worker.start(pool)
    try:
        yield worker
    finally:
        await worker.stop()
