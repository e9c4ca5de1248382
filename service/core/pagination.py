"""Keyset pagination over (created_at, id), newest first, with opaque cursors."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar.exceptions import ValidationException
from litestar.params import QueryParameter

Limit = Annotated[int, QueryParameter(ge=1, le=200, description="Page size, 1–200.")]
Cursor = Annotated[
    str | None, QueryParameter(max_length=200, description="`next_cursor` of the previous page.")
]


class _Position(msgspec.Struct, array_like=True):
    created_at: datetime
    id: UUID


def encode_cursor(created_at: datetime, id_: UUID) -> str:
    raw = msgspec.json.encode(_Position(created_at, id_))
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str | None) -> tuple[datetime, UUID] | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = msgspec.json.decode(raw, type=_Position)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise ValidationException(
            "Invalid cursor.", extra=[{"key": "cursor", "message": "not a cursor this API issued"}]
        ) from None
    return position.created_at, position.id


def page_clause(cursor: str | None, args: list[Any], alias: str = "") -> str:
    """SQL condition selecting rows after `cursor`; appends its parameters to `args`."""
    position = decode_cursor(cursor)
    if position is None:
        return "TRUE"
    args.extend(position)
    prefix = f"{alias}." if alias else ""
    return f"({prefix}created_at, {prefix}id) < (${len(args) - 1}, ${len(args)})"


def next_cursor(rows: list[Any], limit: int) -> str | None:
    """Rows are fetched with LIMIT limit+1; an extra row means there is a next page."""
    if len(rows) <= limit:
        return None
    last = rows[limit - 1]
    return encode_cursor(last["created_at"], last["id"])
