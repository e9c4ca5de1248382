"""The caller of an authenticated request, as the token and session checks hand it on."""

from __future__ import annotations

from uuid import UUID

import msgspec


class AuthUser(msgspec.Struct, frozen=True):
    """The caller of an authenticated request."""

    id: UUID
    name: str
    role: str
    organization_id: UUID | None
