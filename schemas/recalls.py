"""What a recall reached (SPEC §13.2): GET /api/v1/batches/{id}/recall."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec


class RecallCustomer(msgspec.Struct, kw_only=True):
    """A customer that received the batch, its shipments summed; times null until they happen."""

    customer_id: UUID
    name: str
    quantity: float
    unit: str
    notified_at: datetime | None
    acknowledged_at: datetime | None


class ScanDay(msgspec.Struct, kw_only=True):
    """Scans of the batch's labels on one day (Asia/Jakarta) from the recall's day on."""

    day: date
    scans: int


class RecallStatus(msgspec.Struct, kw_only=True):
    """The recall, the customers it reached, the share of the shipped quantity acknowledged
    (0 to 1) and the scans since."""

    reason: str
    recalled_at: datetime
    customers: list[RecallCustomer]
    acknowledged_share: float
    scans_after_recall: list[ScanDay]
