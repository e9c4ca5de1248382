"""The administrators' audit log: every administrative change appends one entry, in the same
transaction as the change, so there is never a change without its entry or an entry without its
change. The table refuses UPDATE, DELETE and TRUNCATE (migration 0055)."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from schemas.accounts import AdminAction, AdminAuditEntry, AdminSubject
from service.core.auth import AuthUser
from service.core.pagination import page_clause

# who an entry names when the change came from `radura user …` on the server itself
COMMAND_LINE_ACTOR = "radura command line"
_COLUMNS = (
    "id, created_at, actor_id, actor_name, actor_role, action, subject_type, subject_id, "
    "subject_name, details"
)


async def record_admin_change(
    conn: asyncpg.Connection,
    actor: AuthUser | None,
    action: AdminAction,
    subject_type: AdminSubject,
    subject_id: object,
    subject_name: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Append who (`actor`, None for the command line) did `action` to which record. Call it
    inside the transaction that makes the change."""
    await conn.execute(
        """INSERT INTO admin_audit_log (actor_id, actor_name, actor_role, action, subject_type,
                                        subject_id, subject_name, details)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb)""",
        actor.id if actor else None,
        actor.name if actor else COMMAND_LINE_ACTOR,
        actor.role if actor else None,
        action,
        subject_type,
        str(subject_id),
        subject_name,
        # as text, so it works on a bare connection (the CLI's) as on the pool's with codecs
        msgspec.json.encode(details or {}).decode(),
    )


async def admin_log_entries(
    conn: asyncpg.Connection, *, limit: int, cursor: str | None
) -> list[AdminAuditEntry]:
    """The log, newest first: `limit + 1` entries, so the caller can tell there are more."""
    args: list[Any] = [limit + 1]
    after = page_clause(cursor, args)
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM admin_audit_log WHERE {after}
            ORDER BY created_at DESC, id DESC LIMIT $1""",
        *args,
    )
    return [msgspec.convert(dict(r), AdminAuditEntry) for r in rows]
