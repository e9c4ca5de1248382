"""The batch state machine: who sees a batch, each arrow of the action table (`actions.ARROWS`)
as one status-guarded UPDATE, and `record_transition`, the one way a batch changes status: the
UPDATE, the audit event and the webhook outbox, together in the caller's transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg

from service.accounts.network.scope import is_network, network_batches
from service.batches.actions import ACTIONS, ARROWS, status_conflict
from service.batches.events import append_event
from service.core.auth import AuthUser
from service.core.errors import NotFound
from service.mail.batch_notices import notify_batch_step
from service.webhooks.outbox import enqueue_batch_event


def visible_to(user: AuthUser, args: list[Any], alias: str = "b") -> str:
    """SQL condition: the batches `user` may see; appends its parameter to `args`.

    A producer sees its own batches, an operator or QA officer those sent to its facility, a
    regulator or admin all of them, a market network the released batches of the producers in
    it. Anything else answers 404, never revealing that it exists."""
    if user.role in ("admin", "regulator"):
        return "TRUE"
    if is_network(user):
        return network_batches(user, args, alias)
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


@dataclass(slots=True)
class Transition:
    """An arrow being taken: the batch row as the UPDATE left it, and what the block says of the
    step: `data` for the audit event, `webhook` for the organization's endpoints (the actions
    the table marks `notifies`), and `own_webhook` what the producer's own endpoints get instead,
    when it differs."""

    batch: asyncpg.Record
    data: dict[str, Any] | None = None
    webhook: dict[str, Any] = field(default_factory=dict)
    own_webhook: dict[str, Any] | None = None


@asynccontextmanager
async def record_transition(
    conn: asyncpg.Connection,
    user: AuthUser,
    batch_id: UUID,
    action: str,
    *,
    sets: str = "",
    args: Sequence[Any] = (),
) -> AsyncIterator[Transition]:
    """Every status change of a batch, in the caller's transaction: the guarded UPDATE of
    `action` (`move`, with its `sets` and `args`), then the block (which writes what the arrow
    adds, a receipt or a treatment, and fills in the step's `data` and `webhook`), then the audit
    event of the new status and, for an action that notifies, its outbox row `batch.<status>`.
    An exception in the block leaves no event: the caller's transaction rolls back."""
    step = Transition(await move(conn, batch_id, action, sets, args))
    yield step
    arrow = ACTIONS[action]
    assert arrow.to_status is not None  # an arrow that moves the batch
    await append_event(conn, batch_id, arrow.to_status, user, step.data)
    if arrow.notifies:
        await enqueue_batch_event(
            conn,
            f"batch.{arrow.to_status}",
            batch_id,
            step.webhook,
            own_extra=step.own_webhook,
        )
    if arrow.to_status in ("received", "released", "rejected"):
        # the producer's users who asked for it get an email of the step (SPEC §13.2)
        await notify_batch_step(conn, batch_id, arrow.to_status)
