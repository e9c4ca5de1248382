"""Webhook endpoints, their deliveries and attempts (SPEC §11)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

import msgspec

from schemas.common import FieldRule, check_rules

EventType = Literal["batch.released", "batch.recalled", "batch.rejected", "scan.suspect"]
EVENT_TYPES: tuple[str, ...] = (
    "batch.released",
    "batch.recalled",
    "batch.rejected",
    "scan.suspect",
)

WebhookUrl = Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=r"^\S+$")]


def _check_events_once(body: Any) -> None:
    if len(set(body.events)) != len(body.events):
        raise ValueError("events: each event may be named once")


class WebhookCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    url: WebhookUrl
    events: Annotated[
        list[EventType],
        msgspec.Meta(
            min_length=1, max_length=len(EVENT_TYPES), extra_json_schema={"uniqueItems": True}
        ),
    ]

    RULES: ClassVar[tuple[FieldRule, ...]] = (FieldRule(("events",), _check_events_once),)

    def __post_init__(self) -> None:
        check_rules(self, self.RULES)


class WebhookEndpoint(msgspec.Struct):
    """An endpoint as listed: never its secret."""

    id: UUID
    url: str
    events: list[str]
    created_at: datetime


class WebhookCreated(msgspec.Struct):
    """A new endpoint; `secret` (Standard Webhooks `whsec_…`) is shown this once."""

    id: UUID
    url: str
    events: list[str]
    created_at: datetime
    secret: str


class WebhookAttempt(msgspec.Struct):
    attempt: int
    attempted_at: datetime
    duration_ms: int
    http_status: int | None
    error: str | None
    next_attempt_at: datetime | None


class WebhookDelivery(msgspec.Struct):
    """One message to one endpoint: `pending` (with when it is next due), `delivered` or
    `failed` (given up after 24 hours, or the endpoint was deleted)."""

    id: UUID
    message_id: str
    event_type: str
    status: str
    created_at: datetime
    next_attempt_at: datetime | None
    finished_at: datetime | None
    attempts: list[WebhookAttempt]
