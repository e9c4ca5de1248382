"""The treatment certificate of a label: the batch's dose record as a public document."""

from __future__ import annotations

from typing import Any

import msgspec

from schemas.verify import (
    CertifiedDosimeterReading,
    FacilityInfo,
    IrradiatorInfo,
    TreatmentCertificate,
)
from service.verify.view import LabelView


def treatment_certificate(view: LabelView, row: Any) -> TreatmentCertificate:
    return TreatmentCertificate(
        certificate="radura-treatment/1",
        code=view.code,
        lot=view.lot,
        serial=view.serial,
        status=view.status,
        product=view.product,
        producer=view.producer,
        purpose=view.treatment.purpose,
        facility=FacilityInfo(
            name=view.treatment.facility.name, address=view.treatment.facility.address
        ),
        irradiator=IrradiatorInfo(name=row["irradiator_name"], source_type=row["source_type"]),
        run_id=row["run_id"],
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        passes=row["passes"],
        dose_min_kgy=row["dose_min_kgy"],
        dose_max_kgy=row["dose_max_kgy"],
        dur=row["dur"],
        dose_map_study_ref=row["dose_map_study_ref"],
        expanded_uncertainty_pct=row["expanded_uncertainty_pct"],
        dose_min_corrected_kgy=row["dose_min_corrected_kgy"],
        dose_max_corrected_kgy=row["dose_max_corrected_kgy"],
        facility_licence_no=row["facility_licence_no"],
        product_min_dose_kgy=row["product_min_dose_kgy"],
        legal_max_dose_kgy=row["legal_max_dose_kgy"],
        legal_basis=row["legal_basis"] or "",
        conforming=row["conforming"],
        dosimeters=msgspec.convert(row["dosimeters"], list[CertifiedDosimeterReading]),
        released_at=row["released_at"],
        best_before=view.best_before,
    )
