"""Console pages of the irradiation facility: the incoming queue, the receipt form, the treatment
form with its live dose figures, the QA queue, release and reject.

Each handler calls the domain functions of the facility's API (`lifecycle.receive_batch`,
`record_treatment`, `release_batch`, `reject_batch`); the dose figures the form shows come from
`lifecycle.judge_treatment`, the same code that judges a recorded treatment. The figures are a
fragment (`batches/_dose_figures.html`) that htmx fetches as readings are typed; without
JavaScript the form's "Check" button posts the whole form and the page comes back with them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from schemas.batches import (
    BatchRecord,
    DosimeterReading,
    ReasonBody,
    ReceiptCreate,
    TreatmentCreate,
    today_in_jakarta,
)
from service.accounts.queries import list_irradiators
from service.batches import lifecycle, queries
from service.batches.facility_actions import facility_actions
from service.batches.facility_queues import incoming_queue, review_queue
from service.batches.transitions import load_batch
from service.console.errors import refusal_text
from service.console.i18n import gettext_for
from service.console.render import errors_text, flash, page
from service.core.auth import AuthUser, roles
from service.core.db import Db
from service.core.errors import Conflict, NotFound, RuleViolation
from service.core.forms import FieldError, FormInvalid, decode_form, form_values
from service.core.gettext_marker import N_

AuthRequest = Request[AuthUser, Any, State]
# QA officers in a small facility also do operator work (SPEC §3.3)
FACILITY_STAFF = roles("operator", "qa")
RECEIPT_FIELDS = tuple(ReceiptCreate.__struct_fields__)
TREATMENT_FIELDS = tuple(f for f in TreatmentCreate.__struct_fields__ if f != "dosimeters")
# the form's repeated fields of one dosimeter row (SPEC §10), and the reading's field each fills
ROW_FIELDS = {
    "dosimeter_id": "dosimeter_id",
    "dosimeter_type": "type",
    "position": "position",
    "dose_kgy": "dose_kgy",
    "calibration_ref": "calibration_ref",
}
FIRST_ROWS = ({"position": "min"}, {"position": "max"}, {"position": "reference"})
MAX_ROWS = 500  # the API's own bound on dosimeters per treatment
# the rules' messages, as the console's error page shows them in the user's language
RULE_MESSAGES = (
    N_("The QA officer who decides on a batch must not be the one who recorded its treatment."),
    N_("A batch whose treatment does not conform cannot be released; reject it."),
)
NONCONFORMITY_NAMES = {
    "dose_below_minimum": N_("D_min is below the product's validated minimum dose"),
    "dose_above_legal_maximum": N_("D_max is above the legal maximum dose"),
}


def dosimeter_rows(form: Any, *, keep_unused: bool = False) -> list[dict[str, str]]:
    """Row i of the repeated fields, each value trimmed; an unused row is dropped unless
    `keep_unused` (the form shown again keeps its rows)."""
    columns = {name: [str(v).strip() for v in form.getall(name, [])] for name in ROW_FIELDS}
    count = min(max((len(v) for v in columns.values()), default=0), MAX_ROWS)
    rows = [
        {name: (values[i] if i < len(values) else "") for name, values in columns.items()}
        for i in range(count)
    ]
    if keep_unused:
        return rows
    # the form presets each row's position: a row with nothing else typed is an unused row
    return [row for row in rows if any(v for name, v in row.items() if name != "position")]


def readings_of(rows: list[dict[str, str]]) -> tuple[list[DosimeterReading], list[FieldError]]:
    """Each row as the API's reading; errors are named `<field>-<row index>`."""
    readings, errors = [], []
    for index, row in enumerate(rows):
        values = {reading: row[name] for name, reading in ROW_FIELDS.items()}
        try:
            readings.append(decode_form(values, DosimeterReading))
        except FormInvalid as exc:
            form_name = {reading: name for name, reading in ROW_FIELDS.items()}
            errors += [
                FieldError(f"{form_name.get(e.field, 'dosimeter_id')}-{index}", e.msgid, e.params)
                for e in exc.errors
            ]
    if len(rows) < 2:
        errors.append(FieldError("dosimeters", N_("Enter at least two dosimeter readings.")))
    return readings, errors


def decode_treatment(values: dict[str, str], rows: list[dict[str, str]]) -> TreatmentCreate:
    """The API's treatment request from the form, or FormInvalid naming every wrong field and
    row at once."""
    readings, row_errors = readings_of(rows)
    errors: list[FieldError] = []
    try:
        data = decode_form(
            values, TreatmentCreate, dosimeters=[msgspec.to_builtins(r) for r in readings]
        )
    except FormInvalid as exc:
        # with a wrong row the list of readings is short: its row errors say why
        errors = [e for e in exc.errors if not (row_errors and e.field == "dosimeters")]
    if errors or row_errors:
        raise FormInvalid(errors + row_errors)
    return data


def _uuid_or_none(text: str | None) -> UUID | None:
    try:
        return UUID(text) if text else None
    except ValueError:
        return None


def _typed_readings(rows: list[dict[str, str]]) -> list[tuple[str, float]]:
    """The rows whose position and dose already read as valid, for the live figures."""
    readings: list[tuple[str, float]] = []
    for row in rows:
        try:
            # only position and dose matter to the figures; the row's other fields may be unfinished
            values = {"dosimeter_id": "-", "type": "-"}
            reading = decode_form(
                values | {"position": row.get("position", ""), "dose_kgy": row.get("dose_kgy", "")},
                DosimeterReading,
            )
        except FormInvalid:
            continue
        readings.append((reading.position, reading.dose_kgy))
    return readings


async def dose_figures(
    db: Db, user: AuthUser, batch_id: UUID, values: dict[str, str], rows: list[dict[str, str]]
) -> dict[str, Any]:
    """What the live figures show: the product's minimum and the legal maximum always; D_min,
    D_max, DUR and conformity once the readings decide them, judged by the API's own code."""
    batch = await load_batch(db, batch_id, user)
    min_dose_kgy, legal_max_kgy = await lifecycle.product_dose_limits(db, batch)
    figures: dict[str, Any] = {
        "min_dose_kgy": min_dose_kgy,
        "legal_max_kgy": legal_max_kgy,
        "verdict": None,
        "missing": None,
    }
    irradiator_id = _uuid_or_none(values.get("irradiator_id"))
    readings = _typed_readings(rows)
    if irradiator_id is None or not readings:
        figures["missing"] = N_("Choose the irradiator and type the readings to see the doses.")
        return figures
    try:
        judged = await lifecycle.judge_treatment(
            db,
            batch,
            irradiator_id=irradiator_id,
            dose_map_id=_uuid_or_none(values.get("dose_map_id")),
            readings=readings,
        )
    except NotFound:
        figures["missing"] = N_("Choose one of this facility's irradiators and its dose maps.")
    except RuleViolation as exc:
        if exc.code != "dose_map_required":
            raise
        figures["missing"] = N_(
            "Add a reading at a min and at a max position, or choose a dose map and add a "
            "reference reading."
        )
    else:
        figures["verdict"] = judged.verdict
    return figures


def treatment_errors(exc: RuleViolation | NotFound) -> list[FieldError]:
    """A refusal of the treatment's domain rules as an error on the field it is about."""
    if isinstance(exc, NotFound):
        field = "dose_map_id" if "dose map" in exc.detail else "irradiator_id"
        return [FieldError(field, N_("Choose one of the options."))]
    if exc.code == "treatment_before_receipt":
        return [FieldError("started_at", N_("The treatment cannot start before the receipt."))]
    if exc.code == "dose_map_out_of_bounds":
        message = N_("This dose map's ratios are out of bounds: record a corrected map.")
        return [FieldError("dose_map_id", message)]
    if exc.code == "dose_map_required":
        return [
            FieldError(
                "dosimeters",
                N_(
                    "Add a reading at a min and at a max position, or choose a dose map and add "
                    "a reference reading."
                ),
            )
        ]
    raise exc


async def incoming_queue_page(request: AuthRequest, db: Db) -> Template:
    """The incoming queue: an operator's first page."""
    assert request.user.organization_id is not None  # facility staff belong to one
    queue = await incoming_queue(db, request.user.organization_id, today_in_jakarta())
    return page(request, "batches/incoming.html", queue=queue)


async def review_queue_page(request: AuthRequest, db: Db) -> Template:
    """The QA queue: a QA officer's first page."""
    assert request.user.organization_id is not None
    queue = await review_queue(db, request.user.organization_id)
    return page(request, "batches/review.html", queue=queue, names=NONCONFORMITY_NAMES)


class FacilityPages(Controller):
    path = "/app"
    include_in_schema = False

    # --- queues ---------------------------------------------------------------------------

    @get("/incoming", opt=FACILITY_STAFF)
    async def incoming_page(self, request: AuthRequest, db: Db) -> Template:
        """Batches registered for this facility, oldest first."""
        return await incoming_queue_page(request, db)

    @get("/review", opt=roles("qa"))
    async def review_page(self, request: AuthRequest, db: Db) -> Template:
        """Treated batches waiting for a QA decision, longest-waiting first."""
        return await review_queue_page(request, db)

    # --- receipt --------------------------------------------------------------------------

    @get("/batches/{batch_id:uuid}/receipt", opt=FACILITY_STAFF)
    async def receipt_form(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template:
        """The receipt form, with the registered quantity as the received one."""
        record = await _record(db, batch_id, request.user)
        return self._receipt_page(request, record, {"quantity_received": _number(record.quantity)})

    @post("/batches/{batch_id:uuid}/receipt", opt=FACILITY_STAFF)
    async def receive(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Record the receipt: 303 to the batch, or the form again with its errors."""
        values = form_values(await request.form(), RECEIPT_FIELDS)
        try:
            data = decode_form(values, ReceiptCreate)
        except FormInvalid as exc:
            record = await _record(db, batch_id, request.user)
            return self._receipt_page(
                request, record, values, errors_text(request, exc.errors), exc.status_code
            )
        try:
            await lifecycle.receive_batch(db, request.user, batch_id, data)
        except RuleViolation as exc:
            if exc.code != "receipt_before_production":
                raise
            message = N_("The batch cannot be received before its production date.")
            record = await _record(db, batch_id, request.user)
            return self._receipt_page(
                request,
                record,
                values,
                errors_text(request, [FieldError("received_at", message)]),
                exc.status_code,
            )
        _ = gettext_for(request)
        flash(request, _("Receipt recorded. The batch waits for its treatment."))
        return Redirect(f"/app/batches/{batch_id}", status_code=303)

    def _receipt_page(
        self,
        request: AuthRequest,
        record: BatchRecord,
        values: dict[str, str],
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        return page(
            request,
            "batches/receipt_form.html",
            status_code=status_code,
            b=record,
            values=values,
            errors=errors or {},
            allowed="receive" in facility_actions(request.user, record),
        )

    # --- treatment ------------------------------------------------------------------------

    @get("/batches/{batch_id:uuid}/treatment", opt=FACILITY_STAFF)
    async def treatment_form(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template:
        """An empty treatment form with three dosimeter rows (min, max, reference)."""
        record = await _record(db, batch_id, request.user)
        return await self._treatment_page(request, db, record, {}, [dict(r) for r in FIRST_ROWS])

    @post("/batches/{batch_id:uuid}/treatment", opt=FACILITY_STAFF)
    async def record_treatment(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Save the treatment (303 to the batch), or add a row, or check the doses."""
        form = await request.form()
        values = form_values(form, TREATMENT_FIELDS)
        action = form.get("action")
        rows = dosimeter_rows(form, keep_unused=action in ("row", "check"))
        record = await _record(db, batch_id, request.user)  # someone else's batch: 404 page
        if action in ("row", "check"):
            if action == "row":
                rows.append({})
            return await self._treatment_page(request, db, record, values, rows)
        try:
            data = decode_treatment(values, rows)
            treatment = await lifecycle.record_treatment(db, request.user, batch_id, data)
        except FormInvalid as exc:
            return await self._treatment_page(
                request, db, record, values, rows, errors_text(request, exc.errors), 400
            )
        except (NotFound, RuleViolation) as exc:  # the irradiator, dose map or a dose rule
            errors_shown = errors_text(request, treatment_errors(exc))
            return await self._treatment_page(request, db, record, values, rows, errors_shown, 422)
        _ = gettext_for(request)
        if treatment.conforming:
            flash(request, _("Treatment recorded; it conforms. QA can now decide on the batch."))
        else:
            flash(
                request,
                _("Treatment recorded, but it does NOT conform: QA cannot release the batch."),
                "warning",
            )
        return Redirect(f"/app/batches/{batch_id}", status_code=303)

    @post("/batches/{batch_id:uuid}/treatment/doses", opt=FACILITY_STAFF)
    async def doses_fragment(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template:
        """The live dose figures alone, for htmx as readings are typed."""
        form = await request.form()
        values = form_values(form, TREATMENT_FIELDS)
        figures = await dose_figures(db, request.user, batch_id, values, dosimeter_rows(form))
        return page(
            request, "batches/_dose_figures.html", figures=figures, names=NONCONFORMITY_NAMES
        )

    async def _treatment_page(
        self,
        request: AuthRequest,
        db: Db,
        record: BatchRecord,
        values: dict[str, str],
        rows: list[dict[str, str]],
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        assert request.user.organization_id is not None
        irradiators = await list_irradiators(
            db, facility_id=request.user.organization_id, limit=50, cursor=None
        )
        if len(irradiators) == 1 and not values.get("irradiator_id"):
            values = values | {"irradiator_id": str(irradiators[0]["id"])}
        dose_maps = await db.fetch(
            """SELECT m.id, m.name, m.study_ref, i.name AS irradiator_name FROM dose_maps m
               JOIN irradiators i ON i.id = m.irradiator_id
               WHERE i.facility_id = $1 ORDER BY i.name, m.created_at DESC""",
            request.user.organization_id,
        )
        while len(rows) < 2:
            rows.append({})
        figures = await dose_figures(db, request.user, record.id, values, rows)
        return page(
            request,
            "batches/treatment_form.html",
            status_code=status_code,
            b=record,
            values=values,
            rows=rows,
            errors=errors or {},
            irradiators=irradiators,
            dose_maps=dose_maps,
            figures=figures,
            names=NONCONFORMITY_NAMES,
            allowed="treat" in facility_actions(request.user, record),
        )

    # --- QA decision ----------------------------------------------------------------------

    @get("/batches/{batch_id:uuid}/release", opt=roles("qa"))
    async def release_check(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template:
        """The dose record, the product and the best-before date the release will fix, with a
        warning when that date is already past; a refusal the release would give, in place of
        the form. Four eyes and access answer as the API does (403, 404)."""
        return await self._release_page(request, db, batch_id, confirm_error=None)

    @post("/batches/{batch_id:uuid}/release", opt=roles("qa"))
    async def release(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Release the batch. A date already past needs `confirm=1`; without it the check page
        comes back (422) asking for it. Four eyes and conformity are the domain's checks."""
        form = await request.form()
        confirmed = form.get("confirm") == "1"
        plan = await lifecycle.plan_release(db, request.user, batch_id)
        if plan.warnings and not confirmed:
            message = N_("Tick this box to release the batch with a best-before date already past.")
            return await self._release_page(
                request, db, batch_id, confirm_error=message, status_code=422
            )
        await lifecycle.release_batch(db, request.user, batch_id)
        _ = gettext_for(request)
        flash(request, _("The batch is released. Its best-before date is fixed."))
        return Redirect(f"/app/batches/{batch_id}", status_code=303)

    async def _release_page(
        self,
        request: AuthRequest,
        db: Db,
        batch_id: UUID,
        *,
        confirm_error: str | None,
        status_code: int = 200,
    ) -> Template:
        refusal: tuple[str, str] | None = None
        nonconformities: list[str] = []
        plan = None
        try:
            plan = await lifecycle.plan_release(db, request.user, batch_id)
        except Conflict:
            pass  # not treated (any more): the page says the action is not available now
        except RuleViolation as exc:
            refusal = refusal_text(request, exc)
            nonconformities = list(exc.extra.get("nonconformities", []))
        record = await _record(db, batch_id, request.user)
        _ = gettext_for(request)
        return page(
            request,
            "batches/release_form.html",
            status_code=status_code,
            b=record,
            plan=plan,
            refusal=refusal,
            nonconformities=nonconformities,
            names=NONCONFORMITY_NAMES,
            confirm_error=_(confirm_error) if confirm_error else None,
            today=today_in_jakarta(),
        )

    @get("/batches/{batch_id:uuid}/reject", opt=roles("qa"))
    async def reject_confirm(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template:
        """Asks for the reason before rejecting."""
        record = await _record(db, batch_id, request.user)
        return self._reject_page(request, record, {}, {})

    @post("/batches/{batch_id:uuid}/reject", opt=roles("qa"))
    async def reject(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Reject the batch with a reason; it is never treated again."""
        values = form_values(await request.form(), ["reason"])
        try:
            data = decode_form(
                values, ReasonBody, when_empty={"reason": N_("Write the reason for the rejection.")}
            )
        except FormInvalid as exc:
            record = await _record(db, batch_id, request.user)
            return self._reject_page(request, record, values, errors_text(request, exc.errors), 400)
        await lifecycle.reject_batch(db, request.user, batch_id, data.reason)
        _ = gettext_for(request)
        flash(request, _("The batch is rejected."))
        return Redirect(f"/app/batches/{batch_id}", status_code=303)

    def _reject_page(
        self,
        request: AuthRequest,
        record: BatchRecord,
        values: dict[str, str],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        return page(
            request,
            "batches/reject_form.html",
            status_code=status_code,
            b=record,
            values=values,
            errors=errors,
            names=NONCONFORMITY_NAMES,
            allowed="reject" in facility_actions(request.user, record),
        )


async def _record(db: Db, batch_id: UUID, user: AuthUser) -> BatchRecord:
    record = await queries.batch_record(db, batch_id, user)
    if record is None:
        raise NotFound("batch")
    return record


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)
