"""A network's invitations and the producer's answer (SPEC §13.4): the network invites, the
producer accepts or declines, and may leave. Each answer is one UPDATE guarded by the status it
expects, so of two racing answers exactly one wins and the other is told what happened (409)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from schemas.common import Page
from schemas.network import Membership
from service.accounts.network.scope import is_network
from service.core.auth import AuthUser
from service.core.errors import Conflict, NotFound, RuleViolation
from service.core.pagination import next_cursor, page_clause

_MEMBERSHIP = """
SELECT m.id, m.status, m.network_id, n.name AS network_name, m.producer_id,
       p.name AS producer_name, m.invited_at, m.answered_at, m.left_at,
       m.invited_at AS created_at
FROM network_memberships m
JOIN organizations n ON n.id = m.network_id
JOIN organizations p ON p.id = m.producer_id
"""

# the status an answer needs, the status it leaves, and the code of a refusal
_ANSWERS: dict[str, tuple[str, str, str]] = {
    "accept": ("invited", "accepted", "membership_not_invited"),
    "decline": ("invited", "declined", "membership_not_invited"),
    "leave": ("accepted", "left", "membership_not_accepted"),
}


def to_membership(row: asyncpg.Record) -> Membership:
    fields = dict(row)
    fields.pop("created_at", None)
    return msgspec.convert(fields, Membership)


async def _one(conn: asyncpg.Connection, membership_id: UUID) -> Membership:
    row = await conn.fetchrow(_MEMBERSHIP + "WHERE m.id = $1", membership_id)
    assert row is not None
    return to_membership(row)


def _own_network(user: AuthUser, network_id: UUID) -> None:
    """A network's users act for their own network only; any other id is unknown to them."""
    if user.role != "admin" and user.organization_id != network_id:
        raise NotFound("organization")


async def invite(
    conn: asyncpg.Connection, user: AuthUser, network_id: UUID, producer_id: UUID
) -> Membership:
    """Invite a producer into the network. 404 for another network or an unknown producer; 422
    `not_a_network` / `not_a_producer` for an organization of another kind; 409
    `already_invited` / `already_member` while an invitation or membership is open."""
    _own_network(user, network_id)
    async with conn.transaction():
        kinds = {
            r["id"]: r["kind"]
            for r in await conn.fetch(
                "SELECT id, kind FROM organizations WHERE id = ANY($1::uuid[])",
                [network_id, producer_id],
            )
        }
        if network_id not in kinds:
            raise NotFound("organization")
        if kinds[network_id] != "market_network":
            raise RuleViolation("not_a_network", "Only a market network invites producers.")
        if producer_id not in kinds:
            raise NotFound("producer")
        if kinds[producer_id] != "producer":
            raise RuleViolation(
                "not_a_producer",
                "producer_id must name a producer organization.",
                field="producer_id",
            )
        try:
            async with conn.transaction():
                membership_id = await conn.fetchval(
                    """INSERT INTO network_memberships (network_id, producer_id, invited_by)
                       VALUES ($1, $2, $3) RETURNING id""",
                    network_id,
                    producer_id,
                    user.id,
                )
        except asyncpg.UniqueViolationError:
            current = await conn.fetchval(
                """SELECT status FROM network_memberships WHERE network_id = $1
                   AND producer_id = $2 AND status IN ('invited', 'accepted')""",
                network_id,
                producer_id,
            )
            code = "already_member" if current == "accepted" else "already_invited"
            raise Conflict(
                code,
                "The producer is already in the network."
                if current == "accepted"
                else "The producer has an open invitation to the network already.",
                current_status=current,
            ) from None
        return await _one(conn, membership_id)


async def answer(
    conn: asyncpg.Connection, user: AuthUser, membership_id: UUID, how: str
) -> Membership:
    """The producer's `accept`, `decline` or `leave`. Another producer's membership is 404; one
    not in the status the answer needs is 409 with its current status."""
    expected, new, refusal = _ANSWERS[how]
    assert user.organization_id is not None  # producers only (the route's guard)
    args: list[Any] = [membership_id, user.organization_id, expected]
    if new == "left":
        sets = "status = 'left', left_at = now()"
    else:
        args += [new, user.id]
        sets = "status = $4, answered_by = $5, answered_at = now()"
    async with conn.transaction():
        changed = await conn.fetchval(
            f"""UPDATE network_memberships SET {sets}
                WHERE id = $1 AND producer_id = $2 AND status = $3 RETURNING id""",
            *args,
        )
        if changed is None:
            current = await conn.fetchval(
                "SELECT status FROM network_memberships WHERE id = $1 AND producer_id = $2",
                membership_id,
                user.organization_id,
            )
            if current is None:
                raise NotFound("membership")
            raise Conflict(
                refusal,
                f"The membership is {current}; only an {expected} one can be answered so.",
                current_status=current,
            )
        return await _one(conn, membership_id)


async def list_memberships(
    conn: asyncpg.Connection,
    user: AuthUser,
    *,
    network_id: UUID | None,
    limit: int,
    cursor: str | None,
) -> Page[Membership]:
    """Memberships newest first: a producer's own, a network's, or (admin, regulator) any
    network's named by `network_id`."""
    args: list[Any] = [limit + 1]
    if user.role == "producer":
        args.append(user.organization_id)
        where = f"m.producer_id = ${len(args)}"
    elif is_network(user):
        args.append(user.organization_id)
        where = f"m.network_id = ${len(args)}"
    else:
        args.append(network_id)
        where = f"($2::uuid IS NULL OR m.network_id = ${len(args)})"
    if network_id is not None and is_network(user) and network_id != user.organization_id:
        raise NotFound("organization")
    after = page_clause(cursor, args, alias="x")
    rows = await conn.fetch(
        f"""SELECT * FROM ({_MEMBERSHIP} WHERE {where}) x WHERE {after}
            ORDER BY x.created_at DESC, x.id DESC LIMIT $1""",
        *args,
    )
    return Page([to_membership(r) for r in rows[:limit]], next_cursor(list(rows), limit))


# producers a network may invite: none it has an open invitation or membership with
_INVITABLE = """
SELECT o.id, o.name, o.city FROM organizations o
WHERE o.kind = 'producer' AND NOT EXISTS (
    SELECT 1 FROM network_memberships m WHERE m.network_id = $1 AND m.producer_id = o.id
      AND m.status IN ('invited', 'accepted'))
ORDER BY o.name, o.id
"""


async def invitable_producers(conn: asyncpg.Connection, network_id: UUID) -> list[asyncpg.Record]:
    """The producers `network_id` may invite (id, name, city), by name."""
    return await conn.fetch(_INVITABLE, network_id)
