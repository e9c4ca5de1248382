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
    MAX_DOSIMETERS,
    MIN_DOSIMETERS,
    BatchRecord,
    DosimeterReading,
    ReasonBody,
    ReceiptCreate,
    TreatmentCreate,
    TreatmentRecorded,
    today_in_jakarta,
)
from service.accounts.queries import facility_dose_maps, list_irradiators
from service.batches import actions, lifecycle, queries
from service.batches.transitions import load_batch
from service.batches.treatment.queues import TreatedBatch, incoming_queue, review_queue
from service.console.errors import refusal_text
from service.console.form import MALFORMED, Form, Refusals
from service.console.i18n import gettext_for
from service.console.render import flash, page
from service.core.auth import AuthUser
from service.core.db import Db
from service.core.errors import Conflict, NotFound, RuleViolation
from service.core.forms import FieldError, FormInvalid, decode_form
from service.core.gettext_marker import N_

AuthRequest = Request[AuthUser, Any, State]
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
# the rules' messages, as the console's error page shows them in the user's language
RULE_MESSAGES = (
    N_("The QA officer who decides on a batch must not be the one who recorded its treatment."),
    N_("A batch whose treatment does not conform cannot be released; reject it."),
)
# the treatment form's fields and a dosimeter row's, as the form names them
TREATMENT_LABELS = {
    "irradiator_id": N_("Irradiator"),
    "dose_map_id": N_("Dose map"),
    "run_id": N_("Run number"),
    "started_at": N_("Started"),
    "ended_at": N_("Ended"),
    "passes": N_("Passes"),
    "dwell_time_s": N_("Dwell time (s)"),
    "conveyor_speed_m_min": N_("Conveyor speed (m/min)"),
    "product_temp_c": N_("Product temperature (°C)"),
    "atmosphere": N_("Atmosphere"),
    "pq_ref": N_("Performance qualification reference"),
    "dosimeters": N_("Dosimeters"),
}
ROW_LABELS = {
    "dosimeter_id": N_("Dosimeter number"),
    "dosimeter_type": N_("Type"),
    "position": N_("Position"),
    "dose_kgy": N_("Dose (kGy)"),
    "calibration_ref": N_("Calibration"),
}
# the domain's refusals of a treatment, each as the message next to its field
TREATMENT_REFUSALS: Refusals = {
    "unknown irradiator": ("irradiator_id", N_("Choose one of the options.")),
    "unknown dose map": ("dose_map_id", N_("Choose one of the options.")),
    "treatment_before_receipt": (
        "started_at",
        N_("The treatment cannot start before the receipt."),
    ),
    "dose_map_replaced": (
        "dose_map_id",
        N_("This dose map has a newer version: choose that one."),
    ),
    "dose_map_out_of_bounds": (
        "dose_map_id",
        N_("This dose map's ratios are out of bounds: record a corrected map."),
    ),
    "dose_map_required": (
        "dosimeters",
        N_(
            "Add a reading at a min and at a max position, or choose a dose map and add a "
            "reference reading."
        ),
    ),
}
RECEIPT_REFUSALS: Refusals = {
    "receipt_before_production": (
        "received_at",
        N_("The batch cannot be received before its production date."),
    ),
}
NONCONFORMITY_NAMES = {
    "dose_below_minimum": N_("D_min is below the product's validated minimum dose"),
    "dose_above_legal_maximum": N_("D_max is above the legal maximum dose"),
}


def dosimeter_rows(form: Any, *, keep_unused: bool = False) -> list[dict[str, str]]:
    """Row i of the repeated fields, each value trimmed; an unused row is dropped unless
    `keep_unused` (the form shown again keeps its rows)."""
    columns = {name: [str(v).strip() for v in form.getall(name, [])] for name in ROW_FIELDS}
    count = min(max((len(v) for v in columns.values()), default=0), MAX_DOSIMETERS)
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
    if len(rows) < MIN_DOSIMETERS:
        errors.append(FieldError("dosimeters", N_("Enter at least two dosimeter readings.")))
    return readings, errors


def decode_treatment(form: Form, rows: list[dict[str, str]]) -> TreatmentCreate | None:
    """The API's treatment request from the form, or None with every wrong field and row
    noted on the form at once."""
    readings, row_errors = readings_of(rows)
    dosimeters = [msgspec.to_builtins(r) for r in readings]
    if not row_errors:
        return form.decode(TreatmentCreate, dosimeters=dosimeters)
    try:
        decode_form(form.values, TreatmentCreate, dosimeters=dosimeters)
    except FormInvalid as exc:
        # with a wrong row the list of readings is short: its row errors say why
        form.fail([e for e in exc.errors if e.field != "dosimeters"], exc.status_code)
    form.fail(row_errors, MALFORMED)
    return None


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
        if exc.code == "dose_map_replaced":
            figures["missing"] = N_("This dose map has a newer version: choose that one.")
            return figures
        if exc.code != "dose_map_required":
            raise
        figures["missing"] = N_(
            "Add a reading at a min and at a max position, or choose a dose map and add a "
            "reference reading."
        )
    else:
        figures["verdict"] = judged.verdict
    return figures


async def validate_treatment(
    request: AuthRequest,
    db: Db,
    batch_id: UUID,
    form: Form,
    rows: list[dict[str, str]],
    *,
    save: bool,
) -> TreatmentRecorded | None:
    """The save's own validation, for the save and the live dose check alike: the form decoded
    (every field and row at once), then every check of the domain (`lifecycle.check_treatment`)
    or, with `save`, the treatment recorded. Every problem is noted on `form`; returns the
    recorded treatment, if any."""
    data = decode_treatment(form, rows)
    if data is None:
        return None
    # the irradiator, the dose map, the receipt before the start, the positions the doses need
    with form.refusals(TREATMENT_REFUSALS):
        if save:
            return await lifecycle.record_treatment(db, request.user, batch_id, data)
        await lifecycle.check_treatment(db, request.user, batch_id, data)
    return None


async def dose_check(
    request: AuthRequest, db: Db, batch_id: UUID, form: Form, rows: list[dict[str, str]]
) -> dict[str, Any]:
    """The dose panel's answer to a check: the figures as typed, whether the form can be saved
    now (`ready`) and, if not, each problem the save would name, with its field."""
    await validate_treatment(request, db, batch_id, form, rows, save=False)
    labels = treatment_error_labels(request, len(rows))
    return {
        "figures": await dose_figures(db, request.user, batch_id, form.values, rows),
        "names": NONCONFORMITY_NAMES,
        "ready": form.ok,
        "problems": [(labels.get(field, ""), text) for field, text in form.texts().items()],
    }


def treatment_error_labels(request: AuthRequest, row_count: int) -> dict[str, str]:
    """Each field of the treatment form and of each dosimeter row, as the form names it."""
    _ = gettext_for(request)
    labels = {field: _(label) for field, label in TREATMENT_LABELS.items()}
    for index in range(row_count):
        dosimeter = _("Dosimeter %(number)s") % {"number": index + 1}
        labels |= {
            f"{name}-{index}": f"{dosimeter}, {_(label)}" for name, label in ROW_LABELS.items()
        }
    return labels


async def incoming_queue_page(request: AuthRequest, db: Db) -> Template:
    """The incoming queue: an operator's first page."""
    assert request.user.organization_id is not None  # facility staff belong to one
    queue = await incoming_queue(db, request.user.organization_id, today_in_jakarta())
    return page(request, "batches/incoming.html", queue=queue)


async def review_queue_page(request: AuthRequest, db: Db) -> Template:
    """The QA queue: a QA officer's first page."""
    assert request.user.organization_id is not None
    queue = await review_queue(db, request.user.organization_id)
    # a batch this officer may decide on (the others they recorded themselves: four eyes)
    decidable = {
        t.id
        for t in queue.treated
        if {"release", "reject"} & set(actions.allowed(request.user, _facts(t)))
    }
    return page(
        request, "batches/review.html", queue=queue, decidable=decidable, names=NONCONFORMITY_NAMES
    )


def _facts(treated: TreatedBatch) -> actions.BatchFacts:
    return actions.BatchFacts(
        "treated", treated.recorded_by_id, treated.conforming, tuple(treated.nonconformities)
    )


class FacilityPages(Controller):
    path = "/app"
    include_in_schema = False

    # --- queues ---------------------------------------------------------------------------

    @get("/incoming", opt=actions.route_roles("receive"))
    async def incoming_page(self, request: AuthRequest, db: Db) -> Template:
        """Batches registered for this facility, oldest first."""
        return await incoming_queue_page(request, db)

    @get("/review", opt=actions.route_roles("release", "reject"))
    async def review_page(self, request: AuthRequest, db: Db) -> Template:
        """Treated batches waiting for a QA decision, longest-waiting first."""
        return await review_queue_page(request, db)

    # --- receipt --------------------------------------------------------------------------

    @get("/batches/{batch_id:uuid}/receipt", opt=actions.route_roles("receive"))
    async def receipt_form(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template:
        """The receipt form, with the registered quantity as the received one."""
        record = await _record(db, batch_id, request.user)
        return self._receipt_page(
            request, record, Form(request, {"quantity_received": _number(record.quantity)})
        )

    @post("/batches/{batch_id:uuid}/receipt", opt=actions.route_roles("receive"))
    async def receive(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Record the receipt: 303 to the batch, or the form again with its errors."""
        form = await Form.read(request, RECEIPT_FIELDS)
        data = form.decode(ReceiptCreate)
        if data is not None:
            with form.refusals(RECEIPT_REFUSALS):
                await lifecycle.receive_batch(db, request.user, batch_id, data)
        if not form.ok:
            record = await _record(db, batch_id, request.user)
            return self._receipt_page(request, record, form)
        _ = gettext_for(request)
        flash(request, _("Receipt recorded. The batch waits for its treatment."))
        return Redirect(f"/app/batches/{batch_id}", status_code=303)

    def _receipt_page(self, request: AuthRequest, record: BatchRecord, form: Form) -> Template:
        return page(
            request,
            "batches/receipt_form.html",
            status_code=form.status_code,
            b=record,
            allowed=_offers(request.user, record, "receive"),
            **form.context(),
        )

    # --- treatment ------------------------------------------------------------------------

    @get("/batches/{batch_id:uuid}/treatment", opt=actions.route_roles("treat"))
    async def treatment_form(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template:
        """An empty treatment form with three dosimeter rows (min, max, reference)."""
        record = await _record(db, batch_id, request.user)
        rows = [dict(r) for r in FIRST_ROWS]
        return await self._treatment_page(request, db, record, Form(request), rows)

    @post("/batches/{batch_id:uuid}/treatment", opt=actions.route_roles("treat"))
    async def record_treatment(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Save the treatment (303 to the batch), or add a row, or check the doses."""
        form = await Form.read(request, TREATMENT_FIELDS)
        action = form.post.get("action")
        record = await _record(db, batch_id, request.user)  # someone else's batch: 404 page
        if action in ("row", "check"):
            rows = dosimeter_rows(form.post, keep_unused=True)
            if action == "row":
                rows.append({})
                return await self._treatment_page(request, db, record, form, rows)
            # what saving would say, in the dose panel (the form itself stays as typed)
            checked = await dose_check(request, db, batch_id, form, dosimeter_rows(form.post))
            return await self._treatment_page(request, db, record, form.copy(), rows, checked)
        rows = dosimeter_rows(form.post)
        treatment = await validate_treatment(request, db, batch_id, form, rows, save=True)
        if treatment is None:
            return await self._treatment_page(request, db, record, form, rows)
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

    @post("/batches/{batch_id:uuid}/treatment/doses", opt=actions.route_roles("treat"))
    async def doses_fragment(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template:
        """The live dose figures alone, for htmx as readings are typed, with what saving the
        form now would say: the save's own validation (`validate_treatment`)."""
        form = await Form.read(request, TREATMENT_FIELDS)
        checked = await dose_check(request, db, batch_id, form, dosimeter_rows(form.post))
        return page(request, "batches/_dose_figures.html", **checked)

    async def _treatment_page(
        self,
        request: AuthRequest,
        db: Db,
        record: BatchRecord,
        form: Form,
        rows: list[dict[str, str]],
        checked: dict[str, Any] | None = None,
    ) -> Template:
        """The form as typed; its dose panel is `checked` (a check's answer) or the figures
        alone, without saying it can be saved when a save was refused."""
        assert request.user.organization_id is not None
        irradiators = await list_irradiators(
            db, facility_id=request.user.organization_id, limit=50, cursor=None
        )
        if len(irradiators) == 1 and not form.values.get("irradiator_id"):
            form.values["irradiator_id"] = str(irradiators[0]["id"])
        dose_maps = await facility_dose_maps(db, request.user.organization_id)
        while len(rows) < MIN_DOSIMETERS:
            rows.append({})
        if checked is None:
            figures = await dose_figures(db, request.user, record.id, form.values, rows)
            ready = None if form.ok else False
            checked = {"figures": figures, "names": NONCONFORMITY_NAMES, "ready": ready}
        return page(
            request,
            "batches/treatment_form.html",
            status_code=form.status_code,
            b=record,
            rows=rows,
            irradiators=irradiators,
            dose_maps=dose_maps,
            allowed=_offers(request.user, record, "treat"),
            error_labels=treatment_error_labels(request, len(rows)),
            **checked,
            **form.context(),
        )

    # --- QA decision ----------------------------------------------------------------------

    @get("/batches/{batch_id:uuid}/release", opt=actions.route_roles("release"))
    async def release_check(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template:
        """The dose record, the product and the best-before date the release will fix, with a
        warning when that date is already past; a refusal the release would give, in place of
        the form. Four eyes and access answer as the API does (403, 404)."""
        return await self._release_page(request, db, batch_id, confirm_error=None)

    @post("/batches/{batch_id:uuid}/release", opt=actions.route_roles("release"))
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

    @get("/batches/{batch_id:uuid}/reject", opt=actions.route_roles("reject"))
    async def reject_confirm(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template:
        """Asks for the reason before rejecting."""
        record = await _record(db, batch_id, request.user)
        return self._reject_page(request, record, Form(request))

    @post("/batches/{batch_id:uuid}/reject", opt=actions.route_roles("reject"))
    async def reject(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Reject the batch with a reason; it is never treated again."""
        form = await Form.read(request, ["reason"])
        data = form.decode(
            ReasonBody, when_empty={"reason": N_("Write the reason for the rejection.")}
        )
        if data is None:
            record = await _record(db, batch_id, request.user)
            return self._reject_page(request, record, form)
        await lifecycle.reject_batch(db, request.user, batch_id, data.reason)
        _ = gettext_for(request)
        flash(request, _("The batch is rejected."))
        return Redirect(f"/app/batches/{batch_id}", status_code=303)

    def _reject_page(self, request: AuthRequest, record: BatchRecord, form: Form) -> Template:
        return page(
            request,
            "batches/reject_form.html",
            status_code=form.status_code,
            b=record,
            names=NONCONFORMITY_NAMES,
            allowed=_offers(request.user, record, "reject"),
            **form.context(),
        )


def _offers(user: AuthUser, record: BatchRecord, action: str) -> bool:
    """Whether the page shows the action's form: the API would take it from this user now."""
    return action in actions.allowed(user, actions.BatchFacts.of_record(record))


async def _record(db: Db, batch_id: UUID, user: AuthUser) -> BatchRecord:
    record = await queries.batch_record(db, batch_id, user)
    if record is None:
        raise NotFound("batch")
    return record


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)
