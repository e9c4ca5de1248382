"""Demo customers and shipments for `radura serve --demo`: who bought the released rendang, so
the batch page, the customers' pages and the trace report have something to show, and who
bought the chicken that is then recalled, so the recall has buyers to reach. Seeded through the
same operations as the API (`records.create_customer`, `shipping.ship`), once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from schemas.customers import CustomerCreate
from schemas.shipments import ShipmentCreate
from service.batches.customers import records
from service.batches.shipments import shipping
from service.core.auth import AuthUser

# (name, kind, country, city, GLN, email, WhatsApp); the GLNs are GS1's example numbers
CUSTOMERS: list[tuple[str, str, str, str, str | None, str | None, str | None]] = [
    ("Toko Oleh-Oleh Uni Minang", "retailer", "ID", "Padang", None,
     "belanja@unininang.co.id", "+6281266001122"),
    ("CV Distribusi Pangan Nusantara", "distributor", "ID", "Jakarta Timur", "4000001000005",
     "order@pangannusantara.co.id", "+6281311223344"),
    ("Bundo Kanduang di lokapasar", "marketplace", "ID", "Tangerang", None, None, None),
    ("Halal Feinkost Import GmbH", "importer", "DE", "Hamburg", "4000001000029",
     "einkauf@halal-feinkost.de", None),
]  # fmt: skip
# the released rendang's shipments: (customer, pieces, reference document); the last one was a
# typing mistake, cancelled with its reason
SHIPMENTS = [
    ("Toko Oleh-Oleh Uni Minang", 60, "SJ/BK/2026/0141"),
    ("CV Distribusi Pangan Nusantara", 120, "INV/BK/2026/0088"),
    ("Bundo Kanduang di lokapasar", 24, "SJ/BK/2026/0142"),
    ("Toko Oleh-Oleh Uni Minang", 6, "SJ/BK/2026/0143"),
]
CANCELLED_REASON = "Salah ketik: pengiriman yang sama dengan SJ/BK/2026/0141"
SHIPPED_LOT = "RDG-DEMO-01"
# the chicken recalled in the demo had gone to these two before its recall: the recall page
# shows a notice to each (sent once RADURA_SMTP_URL names a mail server)
RECALLED_SHIPMENTS = [
    ("Toko Oleh-Oleh Uni Minang", 40, "SJ/BK/2026/0131"),
    ("CV Distribusi Pangan Nusantara", 80, "INV/BK/2026/0079"),
]


async def _ship(
    conn: asyncpg.Connection,
    producer: AuthUser,
    batch_id: UUID,
    customer_id: UUID,
    pieces: int,
    document_no: str,
) -> UUID:
    body = {"customer_id": customer_id, "shipped_at": datetime.now(UTC), "quantity": pieces,
            "unit": "pcs", "document_no": document_no}  # fmt: skip
    return (await shipping.ship(conn, producer, batch_id, msgspec.convert(body, ShipmentCreate))).id


async def ship_before_recall(
    conn: asyncpg.Connection, producer: AuthUser, customers: dict[str, UUID], batch_id: UUID
) -> None:
    """The shipments of the batch the demo recalls, made while it was still released."""
    for name, pieces, document_no in RECALLED_SHIPMENTS:
        await _ship(conn, producer, batch_id, customers[name], pieces, document_no)


async def seed_demo_customers(conn: asyncpg.Connection, producer: AuthUser) -> dict[str, UUID]:
    """Seed (or find) the demo producer's customers; their ids by name."""
    ids: dict[str, UUID] = {}
    for name, kind, country, city, gln, email, whatsapp in CUSTOMERS:
        existing: UUID | None = await conn.fetchval(
            "SELECT id FROM customers WHERE organization_id = $1 AND name = $2",
            producer.organization_id,
            name,
        )
        if existing is None:
            body = {"name": name, "kind": kind, "country": country, "city": city, "gln": gln,
                    "email": email, "whatsapp": whatsapp}  # fmt: skip
            data = msgspec.convert({k: v for k, v in body.items() if v}, CustomerCreate)
            existing = (await records.create_customer(conn, producer, data)).id
        ids[name] = existing
    return ids


async def seed_demo_shipments(
    conn: asyncpg.Connection,
    producer: AuthUser,
    customers: dict[str, UUID],
    batches: list[dict[str, Any]],
) -> int:
    """Seed, once, the released rendang's shipments; returns how many shipments the batch
    has."""
    batch = next(
        (b for b in batches if b["lot"] == SHIPPED_LOT and b["status"] == "released"), None
    )
    if batch is None:
        return 0
    batch_id = UUID(batch["id"])
    count: int = await conn.fetchval("SELECT count(*) FROM shipments WHERE batch_id = $1", batch_id)
    if count:
        return count
    for name, pieces, document_no in SHIPMENTS:
        shipment_id = await _ship(conn, producer, batch_id, customers[name], pieces, document_no)
    await shipping.cancel(conn, producer, shipment_id, CANCELLED_REASON)
    return len(SHIPMENTS)
