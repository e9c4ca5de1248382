"""Idempotency-Key support: a retried write returns the first response instead of acting twice."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

import asyncpg
import msgspec
from litestar.params import HeaderParameter

from service.core.errors import RuleViolation

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[!-~]+$",
        description="Any unique string (e.g. a UUID) chosen by the client: a retry with the same "
        "key and body returns the first response; the same key with another body is refused.",
        required=False,
    ),
]


def request_fingerprint(body: Any) -> bytes:
    """SHA-256 of the decoded body re-encoded canonically: whitespace and key order do not count."""
    return hashlib.sha256(msgspec.json.encode(body, order="sorted")).digest()


@dataclass(frozen=True, slots=True)
class FirstResponse:
    status: int
    body: Any


@dataclass(frozen=True, slots=True)
class IdempotentRequest:
    """One keyed request of one user to one endpoint (`scope`)."""

    user_id: UUID
    scope: str
    key: str
    fingerprint: bytes

    async def first_response(self, conn: asyncpg.Connection) -> FirstResponse | None:
        """Inside the caller's transaction: wait for any concurrent request with this key, then
        return the response it stored, or None if this is the first time."""
        lock_name = f"idempotency:{self.user_id}:{self.scope}:{self.key}"
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", lock_name)
        row = await conn.fetchrow(
            """SELECT request_sha256, response_status, response_body FROM idempotency_keys
               WHERE user_id = $1 AND scope = $2 AND key = $3""",
            self.user_id,
            self.scope,
            self.key,
        )
        if row is None:
            return None
        if bytes(row["request_sha256"]) != self.fingerprint:
            raise RuleViolation(
                "idempotency_key_reused",
                "This Idempotency-Key was already used with a different request body.",
            )
        return FirstResponse(row["response_status"], row["response_body"])

    async def remember(self, conn: asyncpg.Connection, status: int, body: Any) -> None:
        """Store the response, in the same transaction as the work it describes."""
        await conn.execute(
            """INSERT INTO idempotency_keys (user_id, scope, key, request_sha256, response_status,
                   response_body)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            self.user_id,
            self.scope,
            self.key,
            self.fingerprint,
            status,
            msgspec.to_builtins(body),
        )
