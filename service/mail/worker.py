"""Sends the mail outbox: claims due notices, sends them over one SMTP connection, records each.

Every process with RADURA_SMTP_URL runs one worker. Notices are claimed with `FOR UPDATE SKIP
LOCKED` and, in the same statement, pushed past the end of their attempt (a lease), so no two
processes send one at the same time; a process that dies mid-attempt leaves them to be sent
again when the lease ends. Delivery is at least once: a crash after the server's 250 and before
the commit sends the notice again, with the same Message-ID, so the resend is recognisable. A
failure is retried with exponential backoff and jitter until the notice's `send_until`, then it
is marked failed; a refusal for good (a 5xx) fails it at once. The worker wakes on the outbox's
NOTIFY (through the app's one LISTEN connection) and polls as a fallback."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import asyncpg
import structlog
from cryptography.exceptions import InvalidTag

from service.mail.messages import compose, render
from service.mail.outbox import SECRET_CONTEXT
from service.mail.settings import MailSettings
from service.mail.smtp import Outcome, send_messages
from service.webhooks.keys import SecretBox

log = structlog.get_logger()

CLAIM_BATCH = 10

_CLAIM = """
WITH due AS (
    SELECT id FROM mail_notices
    WHERE status = 'pending' AND next_attempt_at <= clock_timestamp()
    ORDER BY next_attempt_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
)
UPDATE mail_notices n
SET attempts = n.attempts + 1,
    next_attempt_at = clock_timestamp() + make_interval(secs => $2)
FROM due
WHERE n.id = due.id
RETURNING n.id, n.kind, n.recipient, n.language, n.params, n.secret_sealed, n.message_id,
          n.attempts, n.send_until, n.created_at
"""

# guarded on the attempt number: a lease that ran out meanwhile lets no stale result win; a
# notice done with drops its sealed secret
_FINISH = """
UPDATE mail_notices
SET status = $3, next_attempt_at = $4, last_error = $5,
    sent_at = CASE WHEN $3 = 'sent' THEN clock_timestamp() END,
    secret_sealed = CASE WHEN $3 = 'pending' THEN secret_sealed END
WHERE id = $1 AND attempts = $2 AND status = 'pending'
"""


@dataclass(frozen=True, slots=True)
class Claimed:
    """A claimed notice, ready to send (`message`), or failed before sending (`refusal`)."""

    row: asyncpg.Record
    message: EmailMessage | None
    refusal: Outcome | None = None


def retry_delay_s(attempts: int, settings: MailSettings) -> float:
    """Exponential backoff, with jitter between half and all of the step, so that notices that
    failed together (the mail server's outage) do not all come back at once."""
    step_s = min(settings.retry_base_s * 2 ** (attempts - 1), settings.retry_max_s)
    return step_s * random.uniform(0.5, 1.0)


def next_step(
    outcome: Outcome, attempts: int, send_until: datetime, now: datetime, settings: MailSettings
) -> tuple[str, datetime | None]:
    """The notice's state after an attempt, and when it is next due."""
    if outcome.sent:
        return "sent", None
    if outcome.permanent:
        return "failed", None
    next_at = now + timedelta(seconds=retry_delay_s(attempts, settings))
    if next_at > send_until:
        return "failed", None
    return "pending", next_at


def lease_s(settings: MailSettings) -> float:
    """How long a claim holds its notices: connecting, STARTTLS and login each within the
    timeout, no message begun after one timeout, and a margin to record the outcomes."""
    return settings.timeout_s * 4


class MailWorker:
    """The process's mail sender; also the change listener's consumer of the outbox channel."""

    def __init__(self, settings: MailSettings, base_url: str, box: SecretBox) -> None:
        assert settings.server is not None, "a worker needs RADURA_SMTP_URL"
        self.settings = settings
        self.base_url = base_url
        self._box = box
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._pool: asyncpg.Pool | None = None

    # the ChangeListener's NotifiedCache protocol: a NOTIFY or a (re)connection wakes the worker
    def on_notify(self, payload: str) -> None:
        self._wake.set()

    def distrust(self) -> None:
        pass  # without NOTIFY, polling still finds due notices

    def trust(self, *, after_outage: bool) -> None:
        self._wake.set()

    def start(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._task = asyncio.create_task(self._run(), name="mail-sender")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                while await self.send_due():
                    pass
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("mail_worker_failed", error=type(exc).__name__)
            except Exception:
                # a bug must not end the process's mail for good: log it, poll again
                log.exception("mail_worker_error")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.settings.poll_interval_s)
            self._wake.clear()

    async def send_due(self, pool: asyncpg.Pool | None = None) -> int:
        """Claim one batch of due notices, send them, record the outcomes; returns how many
        were claimed."""
        pool = pool or self._pool
        assert pool is not None
        async with pool.acquire() as conn:
            rows = await conn.fetch(_CLAIM, CLAIM_BATCH, lease_s(self.settings))
        if not rows:
            return 0
        claimed = [self._prepare(row) for row in rows]
        outcomes = await self.send([c.message for c in claimed if c.message is not None])
        sent = iter(outcomes)
        results = [c.refusal or next(sent) for c in claimed]
        await self.record(pool, [c.row for c in claimed], results)
        return len(rows)

    def _prepare(self, row: asyncpg.Record) -> Claimed:
        """The email of a claimed notice; a notice that cannot be written (its secret sealed
        under another key, a kind without text) fails for good without being sent."""
        try:
            secret = None
            if row["secret_sealed"] is not None:
                secret = self._box.open(row["secret_sealed"], SECRET_CONTEXT).decode()
            subject, body = render(
                row["kind"], row["language"], row["params"], self.base_url, secret
            )
        except InvalidTag:
            error = "the notice's secret cannot be opened: was RADURA_WEBHOOK_KEY changed?"
            return Claimed(row, None, Outcome(False, error, permanent=True))
        except (KeyError, ValueError) as exc:
            return Claimed(row, None, Outcome(False, f"cannot be written: {exc!r}", permanent=True))
        message = compose(
            sender=self.settings.sender,
            recipient=row["recipient"],
            message_id=row["message_id"],
            lang=row["language"],
            subject=subject,
            body=body,
            created_at=row["created_at"],
        )
        return Claimed(row, message)

    async def send(self, messages: Sequence[EmailMessage]) -> list[Outcome]:
        """One SMTP connection for the lot, in a thread (smtplib blocks)."""
        if not messages:
            return []
        assert self.settings.server is not None
        return await asyncio.to_thread(
            send_messages, self.settings.server, messages, self.settings.timeout_s
        )

    async def record(
        self, pool: asyncpg.Pool, rows: Sequence[asyncpg.Record], outcomes: Sequence[Outcome]
    ) -> None:
        """Each notice's new state, in one transaction."""
        now = datetime.now(UTC)
        steps = []
        for row, outcome in zip(rows, outcomes, strict=True):
            status, next_at = next_step(
                outcome, row["attempts"], row["send_until"], now, self.settings
            )
            steps.append((row["id"], row["attempts"], status, next_at, outcome.error))
            log.info(
                "mail_attempt",
                notice_id=str(row["id"]),
                kind=row["kind"],
                attempt=row["attempts"],
                error=outcome.error,
                result=status,
            )
        async with pool.acquire() as conn, conn.transaction():
            await conn.executemany(_FINISH, steps)
