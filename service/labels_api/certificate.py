"""GET /api/v1/batches/{id}/certificate.pdf: the treatment certificate of a released batch.

A recalled batch keeps its certificate — the treatment took place, and whoever holds the goods
or the paper needs its record — but every copy given after the recall says RECALLED across the
page, with the date and the reason, so the paper can never pass for a clean bill. The label's
page and its signed linkset link it in both states, and it answers 200 in both."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import anyio
import asyncpg
from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.params import FromPath

from labels.certificate_pdf import CertificateFacts, certificate_pdf, format_instant
from labels.wording import PURPOSES
from service.batches.labelling.content import load_batch_label
from service.core.auth import ANY_ROLE, AuthUser
from service.core.db import Db
from service.core.formatting import format_number

PDF = "application/pdf"
# the batches whose certificate is given: a recalled one's says so
CERTIFIED_STATUSES = ("released", "recalled")

_TREATMENT = """
SELECT b.quantity, b.unit, b.released_at, r.name AS released_by, b.status, b.recall_reason,
       b.recalled_at,
       t.run_id, t.started_at, t.ended_at, t.dose_min_kgy, t.dose_max_kgy, t.dur,
       t.product_min_dose_kgy, t.legal_max_dose_kgy, t.facility_licence_no,
       t.irradiator_name, t.irradiator_source_type AS source_type,
       (SELECT string_agg(DISTINCT d.type, ', ') FROM dosimeters d WHERE d.batch_id = b.id)
           AS dosimeter_types,
       (SELECT count(*) FROM dosimeters d WHERE d.batch_id = b.id) AS dosimeter_count
FROM batches b
JOIN treatments t ON t.batch_id = b.id
LEFT JOIN users r ON r.id = b.released_by
WHERE b.id = $1
"""


def _kgy(value: float) -> str:
    return f"{format_number(value, 'en', digits=2)} kGy"


async def certificate_facts(
    conn: asyncpg.Connection, batch_id: UUID, user: AuthUser | None, keys: Any, base_url: str
) -> CertificateFacts:
    """The facts of a released or recalled batch the user may see (404 if not visible, 409
    before release), with the signed URI its labels carry; `user` None: a verified label's
    reader."""
    label = await load_batch_label(conn, batch_id, user, keys, base_url, CERTIFIED_STATUSES)
    row = await conn.fetchrow(_TREATMENT, batch_id)
    assert row is not None  # a released batch has its treatment
    content = label.content
    unit = "pcs" if row["unit"] == "pcs" else "kg"
    licence = row["facility_licence_no"]
    return CertificateFacts(
        label_uri=content.uri,
        code=label.ref.code,
        product=content.product_name,
        producer=content.producer_name,
        lot=content.lot,
        quantity=f"{format_number(row['quantity'], 'en')} {unit}",
        purpose_id=PURPOSES[content.purpose][0],
        purpose_en=PURPOSES[content.purpose][1],
        facility=f"{content.facility_name}, {content.facility_address}",
        facility_licence=licence,
        irradiator=row["irradiator_name"],
        source=row["source_type"],
        run_id=row["run_id"],
        started=format_instant(row["started_at"]),
        ended=format_instant(row["ended_at"]),
        dosimetry=f"{row['dosimeter_types']} ({row['dosimeter_count']})",
        dose_min=_kgy(row["dose_min_kgy"]),
        dose_max=_kgy(row["dose_max_kgy"]),
        dur=format_number(row["dur"], "en", digits=2),
        limits=f"min {_kgy(row['product_min_dose_kgy'])} · max {_kgy(row['legal_max_dose_kgy'])}",
        released_by=row["released_by"] or "—",
        released_at=format_instant(row["released_at"]),
        registration_no=content.registration_no,
        recalled_at=format_instant(row["recalled_at"]) if row["status"] == "recalled" else None,
        recall_reason=row["recall_reason"] if row["status"] == "recalled" else None,
    )


async def certificate_document(
    conn: asyncpg.Connection, batch_id: UUID, user: AuthUser | None, keys: Any, base_url: str
) -> bytes:
    """The certificate PDF, drawn off the event loop."""
    facts = await certificate_facts(conn, batch_id, user, keys, base_url)
    return await anyio.to_thread.run_sync(certificate_pdf, facts)


class CertificateController(Controller):
    path = "/api/v1/batches/{batch_id:uuid}"
    tags = ["batches"]

    @get("/certificate.pdf", operation_id="getTreatmentCertificate", opt=ANY_ROLE, media_type=PDF)
    async def certificate(
        self, request: Request[AuthUser, Any, State], db: Db, batch_id: FromPath[UUID]
    ) -> Response[bytes]:
        """The one-page bilingual treatment certificate of a released batch: facility,
        irradiator, run, dosimetry (D_min, D_max, DUR), purpose, product, lot, quantity and the
        QA officer who released it, with the batch label's QR. A recalled batch's says
        DITARIK / RECALLED across the page, with the date and reason. 409 before release."""
        state = request.app.state
        pdf = await certificate_document(
            db, batch_id, request.user, state.signing_keys, state.settings.public_base_url
        )
        return Response(
            pdf,
            media_type=PDF,
            headers={"Content-Disposition": 'attachment; filename="radura-certificate.pdf"'},
        )
