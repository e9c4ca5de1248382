"""Demo products and one batch in every state, for `radura serve --demo`.

Seeded through the same domain operations as the API (so every batch has its events, its chain
and a real dose record), once: a product is known by its producer and name, a batch by its
product and lot, and a second start finds them and adds nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from labels.gtin import gtin_check_digit
from schemas.batches import BatchCreate, ReceiptCreate, TreatmentCreate, today_in_jakarta
from schemas.products import EVIDENCE_FIELDS, ProductCreate, ProductPatch
from service.batches import lifecycle
from service.batches.products.versions import edit_product
from service.core.auth import AuthUser


def _gtin13(body12: str) -> str:
    return body12 + str(gtin_check_digit(body12))


PRODUCTS: dict[str, dict[str, Any]] = {
    "rendang": {
        "name": "Rendang Daging Sapi Steril 250 g",
        "category": "ready_meal_sterile",
        "purpose": "sterilisation",
        "min_dose_kgy": 45,
        "base_shelf_life_days": 5,
        "reference_temp_c": 30,
        "storage_temp_c": 30,
        "packaging": "vacuum",
        "gtin": _gtin13("899700123001"),
        # a commercially sterile meal needs a BPOM MD number: P-IRT is not for it
        "registration_no": "MD 2245 1000 1234",
        "net_content": "250 g",
        "validated_shelf_life_days": 540,
        "validated_study_ref": "BATAN PAIR, uji simpan rendang iradiasi 45 kGy, 2019",
        # what the study validated: 28–30 °C, 45 kGy, vacuum laminate (DOMAIN §4)
        "validated_study_temp_c": 30,
        "validated_study_dose_kgy": 45,
        "validated_study_packaging": "vacuum",
        "hs_code": "16025000",
    },
    "fish": {
        "name": "Tuna Loin Beku Vakum",
        "category": "fish_seafood",
        "purpose": "reduce_pathogens",
        "min_dose_kgy": 1.5,
        "base_shelf_life_days": 270,
        "reference_temp_c": -18,
        "storage_temp_c": -18,
        "packaging": "vacuum",
        "gtin": _gtin13("899700123002"),
        # fresh and frozen fish fall under KKP: no BPOM number
        "net_content": "1 kg",
        "hs_code": "03048700",
    },
    "sambal": {
        "name": "Bumbu Rendang Kering",
        "category": "spices_herbs",
        "purpose": "reduce_microbial_load",
        "min_dose_kgy": 6.5,
        "base_shelf_life_days": 365,
        "reference_temp_c": 30,
        "storage_temp_c": 30,
        "packaging": "air",
        "water_activity": 0.45,
        "registration_no": "P-IRT 2063674010046-27",
        "net_content": "100 g",
        "hs_code": "09109900",  # other spices and mixtures (HS 0910.99): it may go abroad
    },
    "chicken": {
        "name": "Ayam Potong Kemasan",
        "category": "meat_poultry",
        "purpose": "extend_shelf_life",
        "min_dose_kgy": 1.5,
        "base_shelf_life_days": 5,
        "reference_temp_c": 8,
        "storage_temp_c": 4,
        "packaging": "air",
        "gtin": _gtin13("899700123003"),
        "net_content": "500 g",
    },
}

# the dose map each product's loading pattern uses (service/demo/seed.py DOSE_MAPS)
DOSE_MAP_OF = {"rendang": "carton", "fish": "tote", "sambal": "tote", "chicken": "tote"}

# state → (product, lot, days before today it was made, reference dosimeter readings in kGy or
# None). D_min = lowest reference × ratio_min, judged less the map's 4.6 % uncertainty.
BATCHES: list[tuple[str, str, str, int, tuple[float, ...] | None]] = [
    ("registered", "chicken", "AYM-DEMO-01", 1, None),
    ("cancelled", "chicken", "AYM-DEMO-02", 6, None),
    ("received", "sambal", "BMB-DEMO-01", 3, None),
    ("treated", "fish", "TUN-DEMO-01", 4, (2.05, 2.12)),
    # 50.5 × 0.95 = 47.98 kGy, less 4.6 % = 45.77 ≥ 45; 51.0 × 1.08 × 1.046 = 57.61 ≤ 60
    ("released", "rendang", "RDG-DEMO-01", 9, (50.5, 51.0, 50.8)),
    # 6.7 × 0.88 = 5.90 kGy, less 4.6 % = 5.62: below the validated 6.5 kGy
    ("rejected", "sambal", "BMB-DEMO-02", 12, (6.7, 7.0)),
    ("recalled", "chicken", "AYM-DEMO-03", 3, (2.0, 2.1)),
    # kept a week: the dashboard's best-before dates coming up, and scans (demo_scans.py)
    ("released", "chicken", "AYM-DEMO-04", 2, (2.0, 2.1)),
]


def _treatment(
    irradiator_id: UUID, dose_map_id: UUID, lot: str, ended: datetime, doses: tuple[float, ...]
) -> Any:
    return msgspec.convert(
        {
            "irradiator_id": irradiator_id,
            "run_id": f"IGMP-{ended:%y%m%d}-{lot[-2:]}",
            "started_at": ended - timedelta(hours=6),
            "ended_at": ended,
            "passes": 2,
            "conveyor_speed_m_min": 0.35,
            "product_temp_c": -78 if doses[0] > 40 else 4,
            "atmosphere": "vakum, es kering" if doses[0] > 40 else "udara",
            "pq_ref": "IGMP-PQ-2025",
            "dose_map_id": dose_map_id,
            # routine dosimeters at the map's reference position, as a gamma facility places them
            "dosimeters": [
                {
                    "dosimeter_id": f"{lot}-D{i + 1}",
                    "type": "Red Perspex 4034" if dose > 10 else "Amber Perspex 3042",
                    "position": "reference",
                    "dose_kgy": dose,
                    "calibration_ref": "KAL-PTKMR-2025-112",
                }
                for i, dose in enumerate(doses)
            ],
        },
        TreatmentCreate,
    )


async def _product_id(conn: asyncpg.Connection, producer: AuthUser, key: str) -> UUID:
    body = PRODUCTS[key]
    existing: UUID | None = await conn.fetchval(
        "SELECT id FROM products WHERE organization_id = $1 AND name = $2",
        producer.organization_id,
        body["name"],
    )
    if existing:
        await _complete_evidence(conn, producer, existing, body)
        return existing
    product = await lifecycle.create_product(conn, producer, msgspec.convert(body, ProductCreate))
    return product.id


async def _complete_evidence(
    conn: asyncpg.Connection, producer: AuthUser, product_id: UUID, body: dict[str, Any]
) -> None:
    """A demo product seeded before its evidence fields existed (the study's conditions) gets
    them by the producer's own in-place amendment, so its next batch can be released."""
    row = await conn.fetchrow("SELECT * FROM products WHERE id = $1", product_id)
    missing = {
        field: body[field]
        for field in EVIDENCE_FIELDS
        if field in body and row is not None and row[field] is None
    }
    if missing:
        # evidence alone: amended in place, no new version
        await edit_product(conn, producer, product_id, msgspec.convert(missing, ProductPatch))


async def seed_demo_batches(
    conn: asyncpg.Connection,
    *,
    users: dict[str, AuthUser],
    facility_id: UUID,
    irradiator_id: UUID,
    dose_maps: dict[str, UUID],
    before_recall: Callable[[UUID], Awaitable[None]] | None = None,
) -> list[dict[str, str]]:
    """Seed (or find) the demo batches; returns `[{status, id, code, lot, product}]`.
    `before_recall` is called with a batch to be recalled once it is released (the demo ships
    it, so that the recall reaches its buyers)."""
    producer, operator, qa, regulator = (
        users[r] for r in ("producer", "operator", "qa", "regulator")
    )
    seeded = []
    for status, key, lot, days_ago, doses in BATCHES:
        product_id = await _product_id(conn, producer, key)
        row = await conn.fetchrow(
            "SELECT id, code, status FROM batches WHERE product_id = $1 AND lot = $2",
            product_id,
            lot,
        )
        if row is None:
            made = today_in_jakarta() - timedelta(days=days_ago)
            batch_id = await _walk(
                conn,
                status,
                product_id,
                lot,
                made,
                doses,
                facility_id,
                irradiator_id,
                dose_maps[DOSE_MAP_OF[key]],
                producer,
                operator,
                qa,
                regulator,
                before_recall,
            )
            row = await conn.fetchrow(
                "SELECT id, code, status FROM batches WHERE id = $1", batch_id
            )
        seeded.append(
            {
                "status": row["status"],
                "id": str(row["id"]),
                "code": row["code"],
                "lot": lot,
                "product": PRODUCTS[key]["name"],
            }
        )
    return seeded


async def _walk(
    conn: asyncpg.Connection,
    status: str,
    product_id: UUID,
    lot: str,
    made: date,
    doses: tuple[float, ...] | None,
    facility_id: UUID,
    irradiator_id: UUID,
    dose_map_id: UUID,
    producer: AuthUser,
    operator: AuthUser,
    qa: AuthUser,
    regulator: AuthUser,
    before_recall: Callable[[UUID], Awaitable[None]] | None,
) -> UUID:
    """Register one batch and take it along the life cycle to `status`."""
    batch = await lifecycle.register_batch(
        conn,
        producer,
        msgspec.convert(
            {
                "product_id": product_id,
                "facility_id": facility_id,
                "lot": lot,
                "production_date": made,
                "quantity": 240,
                "unit": "pcs",
            },
            BatchCreate,
        ),
    )
    if status == "cancelled":
        await lifecycle.cancel_batch(conn, producer, batch.id)
    if status == "registered" or status == "cancelled":
        return batch.id
    received_at = datetime.combine(made, datetime.min.time(), UTC) + timedelta(days=1, hours=2)
    receipt = ReceiptCreate(
        quantity_received=240, condition="baik, segel utuh", received_at=received_at
    )
    await lifecycle.receive_batch(conn, operator, batch.id, receipt)
    if status == "received" or doses is None:
        return batch.id
    ended = min(received_at + timedelta(hours=20), datetime.now(UTC) - timedelta(hours=1))
    await lifecycle.record_treatment(
        conn, operator, batch.id, _treatment(irradiator_id, dose_map_id, lot, ended, doses)
    )
    if status == "rejected":
        await lifecycle.reject_batch(
            conn,
            qa,
            batch.id,
            "D_min 5,9 kGy (5,6 kGy dengan ketidakpastian) di bawah dosis minimum tervalidasi "
            "6,5 kGy",
        )
    elif status in ("released", "recalled"):
        await lifecycle.release_batch(conn, qa, batch.id)
    if status == "recalled":
        if before_recall is not None:
            await before_recall(batch.id)
        await lifecycle.recall_batch(
            conn, regulator, batch.id, "Temuan inspeksi BPOM: suhu distribusi di atas 4 °C"
        )
    return batch.id
