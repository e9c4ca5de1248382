"""A person's email preferences: the language of their notices and, for a producer's people,
whether they are told when a batch is received, released or rejected (on unless turned off)."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import msgspec

from service.core.errors import NotFound

LANGUAGES = ("id", "en")


class MailPreferences(msgspec.Struct, frozen=True):
    language: str
    batch_notices: bool


async def mail_preferences(conn: asyncpg.Connection, user_id: UUID) -> MailPreferences:
    row = await conn.fetchrow(
        "SELECT language, batch_notices FROM users WHERE id = $1 AND disabled_at IS NULL", user_id
    )
    if row is None:
        raise NotFound("user")
    return MailPreferences(row["language"], row["batch_notices"])


async def set_mail_preferences(
    conn: asyncpg.Connection,
    user_id: UUID,
    *,
    language: str | None = None,
    batch_notices: bool | None = None,
) -> MailPreferences:
    """Change what is given (None keeps it); the caller has checked `language` is one of ours."""
    assert language is None or language in LANGUAGES, language
    row = await conn.fetchrow(
        """UPDATE users SET language = coalesce($2, language),
                            batch_notices = coalesce($3, batch_notices)
           WHERE id = $1 AND disabled_at IS NULL RETURNING language, batch_notices""",
        user_id,
        language,
        batch_notices,
    )
    if row is None:
        raise NotFound("user")
    return MailPreferences(row["language"], row["batch_notices"])
