"""API tokens: named, optionally expiring, revocable; the secret is shown once, at creation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from schemas.common import Name, check_public_texts

AwareDateTime = Annotated[datetime, msgspec.Meta(tz=True)]


class TokenCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    # without a time zone an expiry would mean different instants on different machines
    expires_at: AwareDateTime | None = None

    def __post_init__(self) -> None:
        check_public_texts(self)
        if self.expires_at is not None and self.expires_at <= datetime.now(UTC):
            raise ValueError("expires_at: must be in the future")


class TokenLine(msgspec.Struct):
    """A token as listed: never its secret, which is kept only as a hash."""

    id: UUID
    name: str
    user_id: UUID
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenIssued(msgspec.Struct):
    """A new token; `token` is shown this once and stored only as its SHA-256."""

    id: UUID
    name: str
    user_id: UUID
    created_at: datetime
    expires_at: datetime | None
    token: str
