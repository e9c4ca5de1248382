"""What a released batch's labels print and point to, read once from the database."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from labels.uri import signed_uri
from schemas.batches import JAKARTA
from schemas.labels import LabelContent, LabelRef
from service.batches.labelling.keys import SigningKeys
from service.batches.transitions import visible_to
from service.core.auth import AuthUser
from service.core.errors import Conflict, NotFound

_LABEL_SOURCE = """
SELECT b.id, b.code, b.lot, b.status, b.production_date, b.best_before, b.shelf_life,
       p.name AS product_name, p.gtin, p.registration_no, p.net_content, p.purpose,
       p.storage_temp_c, p.category, p.packaging,
       pr.name AS producer_name, pr.address AS producer_address, pr.city AS producer_city,
       f.name AS facility_name, f.address AS facility_address, f.city AS facility_city,
       f.country AS facility_country,
       t.ended_at
FROM batches b
JOIN versioned_products p ON p.id = b.product_id AND p.version = b.product_version
JOIN organizations pr ON pr.id = b.producer_id
JOIN organizations f ON f.id = b.facility_id
LEFT JOIN treatments t ON t.batch_id = b.id
WHERE b.id = $1 AND {visible}
"""


class BatchLabel(msgspec.Struct, frozen=True):
    """The batch-level label and what serial labels of the same batch share."""

    batch_id: UUID
    ref: LabelRef
    content: LabelContent


async def load_batch_label(
    conn: asyncpg.Connection,
    batch_id: UUID,
    user: AuthUser | None,
    keys: SigningKeys,
    base_url: str,
    statuses: tuple[str, ...] = ("released",),
) -> BatchLabel:
    """The label of a released batch the user may see: 404 if not visible, 409 if not released
    (or in none of `statuses`: the certificate of a recalled batch is still given, marked so).
    `user` None is the public reading a verified label's own batch, which anyone may see."""
    args: list[Any] = [batch_id]
    visible = visible_to(user, args) if user is not None else "TRUE"
    row = await conn.fetchrow(_LABEL_SOURCE.format(visible=visible), *args)
    if row is None:
        raise NotFound("batch")
    if row["status"] not in statuses:
        what = "Labels are issued" if statuses == ("released",) else "This is given"
        raise Conflict(
            "batch_not_released",
            f"{what} only for a {' or '.join(statuses)} batch; this one is {row['status']}.",
            current_status=row["status"],
        )
    ref = LabelRef(
        code=row["code"].strip(),
        lot=row["lot"],
        gtin14=row["gtin"],
        best_before=row["best_before"],
    )
    shelf_life = row["shelf_life"] or {}
    content = LabelContent(
        uri=signed_uri(base_url, ref, keys),
        code=ref.code,
        product_name=row["product_name"],
        producer_name=row["producer_name"],
        producer_address=row["producer_address"],
        producer_city=row["producer_city"],
        registration_no=row["registration_no"],
        lot=row["lot"],
        production_date=row["production_date"],
        best_before=row["best_before"],
        # the temperature the date was computed for, fixed at release with the other inputs
        storage_temp_c=float(shelf_life.get("storage_temp_c", row["storage_temp_c"])),
        category=row["category"],
        packaging=row["packaging"],
        purpose=row["purpose"],
        facility_name=row["facility_name"],
        facility_address=f"{row['facility_address']}, {row['facility_city']}",
        facility_city=row["facility_city"],
        irradiated_on=_jakarta_date(row["ended_at"]),
        # where the facility stands, from its record: never a word fixed in a template
        irradiation_country=row["facility_country"],
        net_content=row["net_content"],
    )
    return BatchLabel(batch_id, ref, content)


def _jakarta_date(moment: Any) -> date:
    return moment.astimezone(JAKARTA).date()


def serial_uri(label: BatchLabel, serial: str, keys: SigningKeys, base_url: str) -> str:
    return signed_uri(base_url, msgspec.structs.replace(label.ref, serial=serial), keys)
