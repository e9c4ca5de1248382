"""The mail outbox: notices written in the transaction of the change that causes them.

A change that rolls back leaves no notice, one that commits cannot lose its notice: the worker
(`service/mail/worker.py`) sends it at least once. Each notice gets its Message-ID here, once,
so every attempt of it carries the same one. Without a mail server configured the notice is
still written, as `not_sent`, so what would have been sent stays on record. The NOTIFY goes out
at commit only, and wakes the mail worker of every process."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any, Literal
from uuid import UUID

import asyncpg

from service.mail.settings import MailSettings, get_mail_settings

CHANNEL = "radura_mail_outbox"
# the associated data of a secret a notice carries, sealed with the deployment's SecretBox
SECRET_CONTEXT = b"radura-mail-secret"

NoticeKind = Literal[
    "batch_received", "batch_released", "batch_rejected", "password_reset", "recall_notice"
]

_INSERT = """
INSERT INTO mail_notices (id, kind, recipient, user_id, batch_id, language, params,
                          secret_sealed, message_id, status, next_attempt_at, send_until)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
        CASE WHEN $10 = 'pending' THEN clock_timestamp() END,
        clock_timestamp() + make_interval(secs => $11))
"""


def new_message_id(notice_id: UUID, settings: MailSettings) -> str:
    """`<{notice id}@{the sender's domain}>`: unique, and fixed for the notice's every attempt."""
    return f"<{notice_id}@{settings.message_id_domain}>"


async def enqueue_notice(
    conn: asyncpg.Connection,
    kind: NoticeKind,
    recipient: str,
    language: str,
    params: dict[str, Any],
    *,
    user_id: UUID | None = None,
    batch_id: UUID | None = None,
    secret_sealed: bytes | None = None,
    send_within: timedelta | None = None,
    settings: MailSettings | None = None,
) -> UUID:
    """Write one notice in the caller's transaction; returns its id. `send_within` bounds how
    late it may still go out (default RADURA_MAIL_GIVE_UP_AFTER_S)."""
    settings = settings or get_mail_settings()
    notice_id = uuid.uuid4()
    within_s = send_within.total_seconds() if send_within is not None else settings.give_up_after_s
    status = "pending" if settings.sending else "not_sent"
    await conn.execute(
        _INSERT,
        notice_id,
        kind,
        recipient,
        user_id,
        batch_id,
        language,
        params,
        secret_sealed,
        new_message_id(notice_id, settings),
        status,
        within_s,
    )
    if settings.sending:
        await conn.execute("SELECT pg_notify($1, '')", CHANNEL)
    return notice_id


async def outbox_depth(conn: asyncpg.Connection) -> int:
    """Notices not yet sent (retries included): what /metrics reports."""
    depth: int = await conn.fetchval("SELECT count(*) FROM mail_notices WHERE status = 'pending'")
    return depth
