"""The batch state machine: who sees a batch, and each arrow as one status-guarded UPDATE."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg

from service.core.auth import AuthUser
from service.core.errors import Conflict, NotFound

# SPEC §2: the arrows of the life cycle, as (from, to) per action
ARROWS: dict[str, tuple[str, str]] = {
    "receive": ("registered", "received"),
    "treat": ("received", "treated"),
    "release": ("treated", "released"),
    "reject": ("treated", "rejected"),
    "cancel": ("registered", "cancelled"),
    "recall": ("released", "recalled"),
}
TERMINAL = frozenset({"rejected", "cancelled", "recalled"})
# a batch in one of these has its one treatment: no second one, ever (Codex: no re-irradiation)
TREATED_OR_AFTER = frozenset({"treated", "released", "rejected", "recalled"})


def visible_to(user: AuthUser, args: list[Any], alias: str = "b") -> str:
    """SQL condition: the batches `user` may see; appends its parameter to `args`.

    A producer sees its own batches, an operator or QA officer those sent to its facility, a
    regulator or admin all of them. Anything else answers 404, never revealing that it exists."""
    if user.role in ("admin", "regulator"):
        return "TRUE"
    column = "producer_id" if user.role == "producer" else "facility_id"
    args.append(user.organization_id)
    return f"{alias}.{column} = ${len(args)}"


async def load_batch(
    conn: asyncpg.Connection, batch_id: UUID, user: AuthUser, *, for_update: bool = False
) -> asyncpg.Record:
    """The batch row if `user` may see it, else 404."""
    args: list[Any] = [batch_id]
    where = visible_to(user, args)
    lock = " FOR UPDATE" if for_update else ""
    row = await conn.fetchrow(f"SELECT b.* FROM batches b WHERE b.id = $1 AND {where}{lock}", *args)
    if row is None:
        raise NotFound("batch")
    return row


def status_conflict(current: str | None, action: str) -> Conflict:
    """409 with the current status, for a call that came too late or in the wrong state."""
    expected = ARROWS[action][0]
    if action == "treat" and current in TREATED_OR_AFTER:
        return Conflict(
            "already_treated",
            f"The batch has been treated already (it is {current}): no re-irradiation.",
            current_status=current,
            expected_status=expected,
        )
    return Conflict(
        "status_conflict",
        f"Cannot {action} a batch that is {current}; it must be {expected}.",
        current_status=current,
        expected_status=expected,
    )


def require_status(batch: asyncpg.Record, action: str) -> None:
    if batch["status"] != ARROWS[action][0]:
        raise status_conflict(batch["status"], action)


async def move(
    conn: asyncpg.Connection,
    batch_id: UUID,
    action: str,
    sets: str = "",
    args: Sequence[Any] = (),
) -> asyncpg.Record:
    """Take one arrow of the life cycle in one statement guarded by the expected status.

    `sets` adds assignments whose parameters start at $4 and come from `args`. Of two concurrent
    callers the second waits on the row lock, re-reads the status, matches nothing and gets 409.
    Times are clock_timestamp(), not now(): the demo seeder runs a whole life in one transaction,
    and each step must still carry its own time."""
    expected, new = ARROWS[action]
    extra = f", {sets}" if sets else ""
    row = await conn.fetchrow(
        f"""UPDATE batches SET status = $2, updated_at = clock_timestamp(){extra}
            WHERE id = $1 AND status = $3 RETURNING *""",
        batch_id,
        new,
        expected,
        *args,
    )
    if row is None:
        current = await conn.fetchval("SELECT status FROM batches WHERE id = $1", batch_id)
        raise status_conflict(current, action)
    return row
