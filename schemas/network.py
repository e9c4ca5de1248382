"""The cooperative office's market network (SPEC §13.4): memberships of producers, and the
figures the network reads of them — shipments only as counts and quantities by market and month,
never whom they went to (UU PDP 27/2022)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

MembershipStatus = Literal["invited", "accepted", "declined", "left"]


class MemberInvite(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of POST /api/v1/organizations/{network_id}/members."""

    producer_id: UUID


class Membership(msgspec.Struct, kw_only=True):
    """A producer's place in a network: invited, then accepted or declined; accepted, then left."""

    id: UUID
    status: MembershipStatus
    network_id: UUID
    network_name: str
    producer_id: UUID
    producer_name: str
    invited_at: datetime
    answered_at: datetime | None
    left_at: datetime | None


class MarketMonth(msgspec.Struct, kw_only=True):
    """Shipments of the network's producers to one market in one month (Asia/Jakarta), in one
    unit: how many, and how much. Cancelled shipments are not counted."""

    market: str
    month: str  # YYYY-MM
    unit: str
    shipments: int
    quantity: float


class ExportReady(msgspec.Struct, kw_only=True):
    """How many of the network's irradiated products the market check lets into a market."""

    market: str
    products: int


class NetworkRecall(msgspec.Struct, kw_only=True):
    """A recalled batch of a producer in the network, and how far its notices reached: customers
    counted, never named."""

    batch_id: UUID
    code: str
    lot: str
    product_name: str
    producer_name: str
    recalled_at: datetime
    reason: str
    customers: int
    acknowledged: int
    acknowledged_share: float


class NetworkDashboard(msgspec.Struct, kw_only=True):
    """GET /api/v1/network: the network summed up. `irradiated_products`: products of its
    producers with at least one released batch; `batches_this_month`: batches released this month
    (Asia/Jakarta); `shipments_home` / `shipments_abroad`: shipments to `ID` / any other market."""

    network_id: UUID
    name: str
    month: str  # YYYY-MM, the month `batches_this_month` counts
    producers: int
    irradiated_products: int
    batches_this_month: int
    shipments_home: int
    shipments_abroad: int
    shipments: list[MarketMonth]
    export_ready: list[ExportReady]
    recalls: list[NetworkRecall]
