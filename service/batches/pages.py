"""Console pages of batches: the dashboard, the list with search, registration, the batch page
with its timeline, labels and scans, and the producer's cancel, recall and serial issue.

Each handler calls the same domain functions as the API (`lifecycle`, `queries`, `event_log`,
`issue_serials`, `batch_scans`); errors they raise render the console's error page."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

import anyio
import asyncpg
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from labels.fit import fits
from labels.layouts import DEFAULT_DPI, LAYOUTS, ROLL_DPIS
from schemas.batches import BatchCreate, BatchStatus, ReasonBody, today_in_jakarta
from schemas.label_issue import LabelIssueRequest
from schemas.labels import LabelContent
from service.accounts.queries import list_facilities
from service.batches import lifecycle, queries, registration
from service.batches.dashboard import dashboard, first_run
from service.batches.events import event_log
from service.batches.facility_actions import facility_actions
from service.batches.facility_pages import incoming_queue_page, review_queue_page
from service.batches.product_queries import list_products
from service.batches.scan_chart import ScanDayFigures, continuous_days, scans_chart_svg
from service.batches.transitions import ARROWS
from service.console.i18n import gettext_for, language_of
from service.console.render import errors_text, flash, page
from service.core.auth import ANY_ROLE, AuthUser, roles
from service.core.db import Db
from service.core.errors import NotFound, RuleViolation
from service.core.formatting import format_day
from service.core.forms import FieldError, FormInvalid, decode_form, form_values
from service.core.gettext_marker import N_
from service.core.pagination import Cursor, encode_cursor
from service.labels_api.fitting import pdf_file_name
from service.labels_api.serials import issue_serials_once
from service.verify import queries as scan_queries
from service.verify.scan_stats import batch_scans

AuthRequest = Request[AuthUser, Any, State]
BATCH_READERS = roles("producer", "operator", "qa", "regulator", "admin")
SCAN_READERS = frozenset({"producer", "regulator", "admin"})
LABEL_READERS = frozenset({"producer", "regulator", "admin"})
PAGE_SIZE = 50
# the hidden one-time key of the serial form (printable ASCII, as the API's header)
ONE_TIME_KEY = re.compile(r"^[!-~]{1,200}$")
CHART_DAYS = 30
REGISTER_FIELDS = ("product_id", "facility_id", "lot", "production_date", "quantity", "unit")


# the labels of the producer's form fields, as the forms show them (for the error summary)
FIELD_LABELS = {
    "name": N_("Product name"),
    "category": N_("Food category"),
    "purpose": N_("Purpose of irradiation"),
    "min_dose_kgy": N_("Validated minimum dose (kGy)"),
    "base_shelf_life_days": N_("Shelf life (days)"),
    "reference_temp_c": N_("Established at (°C)"),
    "storage_temp_c": N_("Storage temperature on the label (°C)"),
    "packaging": N_("Packaging"),
    "gtin": "GTIN",
    "registration_no": N_("Registration number (BPOM MD or ML, P-IRT or PSAT)"),
    "net_content": N_("Net content"),
    "water_activity": N_("Water activity (aw)"),
    "ph": "pH",
    "validated_shelf_life_days": N_("Validated shelf life of the treated product (days)"),
    "validated_study_ref": N_("Storage study reference"),
    "validated_study_temp_c": N_("Storage temperature of the study (°C)"),
    "validated_study_dose_kgy": N_("Absorbed dose of the study (kGy)"),
    "validated_study_packaging": N_("Packaging of the study"),
    "process_validation_ref": N_("Process validation reference"),
    "hs_code": N_("HS code"),
    "product_id": N_("Product"),
    "facility_id": N_("Irradiation facility"),
    "lot": N_("Lot"),
    "production_date": N_("Production date"),
    "quantity": N_("Quantity"),
    "unit": N_("Unit"),
    "count": N_("Number of label serials to issue"),
    "reason": N_("Reason, shown to shoppers"),
}


def error_labels(request: Request[Any, Any, Any]) -> dict[str, str]:
    """Field → its label in the user's language, for the error summary."""
    _ = gettext_for(request)
    return {field: _(label) for field, label in FIELD_LABELS.items()}


def allowed_actions(user: AuthUser, status: str) -> list[str]:
    """The producer's actions on the batch page that the batch's status allows now."""
    actions = []
    if user.role == "producer" and status == ARROWS["cancel"][0]:
        actions.append("cancel")
    if user.role in ("producer", "regulator", "admin") and status == ARROWS["recall"][0]:
        actions.append("recall")
    if user.role in ("producer", "admin") and status == "released":
        actions.append("labels")
    return actions


class BatchPages(Controller):
    path = "/app"
    include_in_schema = False

    @get("/", opt=ANY_ROLE, name="console_dashboard")
    async def dashboard_page(self, request: AuthRequest, db: Db) -> Template:
        """The user's first page. An operator's is the incoming queue, a QA officer's the QA
        queue; the others' the dashboard: batches by status, scans, suspect serials, recalls,
        dates, and a new producer's first steps until labels are issued."""
        user = request.user
        if user.role == "operator":
            return await incoming_queue_page(request, db)
        if user.role == "qa":
            return await review_queue_page(request, db)
        steps = None
        if user.role == "producer" and user.organization_id is not None:
            steps = await first_run(db, user.organization_id)
        figures = await dashboard(
            db,
            request.user,
            clone_threshold=request.app.state.verifier.clone_threshold,
            today=today_in_jakarta(),
        )
        return page(request, "batches/dashboard.html", d=figures, first=steps)

    @get("/batches", opt=BATCH_READERS)
    async def list_page(
        self,
        request: AuthRequest,
        db: Db,
        # "" is the form's "any status" option
        status: Annotated[BatchStatus | Literal[""] | None, QueryParameter()] = None,
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
        cursor: Cursor = None,
    ) -> Template:
        """Batches, newest first, by status and by code, lot, GTIN, product or producer."""
        status = status or None
        q = (q or "").strip() or None
        rows = await queries.search_batches(
            db, request.user, status=status, q=q, limit=PAGE_SIZE, cursor=cursor
        )
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more else None
        return page(
            request,
            "batches/batch_list.html",
            batches=rows,
            status=status,
            q=q or "",
            next_cursor=next_cursor,
            statuses=list(ARROWS_STATUSES),
        )

    @get("/batches/new", opt=roles("producer"))
    async def new_page(
        self,
        request: AuthRequest,
        db: Db,
        product_id: Annotated[UUID | None, QueryParameter()] = None,
    ) -> Template | Redirect:
        """The registration form, for the product the link came from if any; without a product
        yet, the product form, saying why."""
        if not await list_products(db, request.user, limit=1, cursor=None):
            _ = gettext_for(request)
            text = _("A batch is always of one of your products: register it first.")
            flash(request, text, "info")
            return Redirect("/app/products/new", status_code=303)
        values = {
            "production_date": today_in_jakarta().isoformat(),
            "unit": "pcs",
            "idempotency_key": uuid4().hex,  # one batch per rendering of the form
        }
        if product_id:
            values["product_id"] = str(product_id)
        return await self._register_form(request, db, values, {})

    @post("/batches/new", opt=roles("producer"))
    async def register(self, request: AuthRequest, db: Db) -> Template | Redirect:
        """Register a batch: 303 to its page, or the form again with every error named."""
        values = form_values(await request.form(), (*REGISTER_FIELDS, "idempotency_key"))
        key = values.get("idempotency_key") or None
        try:
            if key is not None and not ONE_TIME_KEY.match(key):
                key = None
            data = decode_form(
                {k: v for k, v in values.items() if k != "idempotency_key"}, BatchCreate
            )
            batch, repeated = await lifecycle.register_batch_once(db, request.user, data, key)
        except RuleViolation as exc:
            if exc.code == registration.CODE:  # a product stored before the registration rules
                error = FieldError(
                    "product_id",
                    N_(
                        "This product's registration number is not allowed for it. Edit the "
                        "product with a valid number before registering a batch."
                    ),
                )
            elif exc.code == "idempotency_key_reused":
                error = FieldError(
                    "", N_("This form was sent already. Open it again to register another batch.")
                )
            else:
                raise
            return await self._register_form(
                request, db, values, errors_text(request, [error]), 422
            )
        except FormInvalid as exc:
            return await self._register_form(
                request, db, values, errors_text(request, exc.errors), exc.status_code
            )
        except NotFound as exc:  # someone else's product, or not a facility: as unknown
            field = "facility_id" if "facility" in exc.detail else "product_id"
            error = FieldError(field, N_("Choose one of the options."))
            return await self._register_form(
                request, db, values, errors_text(request, [error]), 422
            )
        except asyncpg.UniqueViolationError:
            error = FieldError("lot", N_("This lot is already registered for this product."))
            return await self._register_form(
                request, db, values, errors_text(request, [error]), 422
            )
        _ = gettext_for(request)
        if not repeated:
            flash(request, _("Batch %(code)s registered.") % {"code": batch.code})
        return Redirect(f"/app/batches/{batch.id}", status_code=303)

    async def _register_form(
        self,
        request: AuthRequest,
        db: Db,
        values: dict[str, str],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        products = await list_products(db, request.user, limit=200, cursor=None)
        facilities = await list_facilities(db, limit=200, cursor=None)
        return page(
            request,
            "batches/batch_new.html",
            status_code=status_code,
            error_labels=error_labels(request),
            values=values,
            errors=errors,
            products=products,
            facilities=facilities,
        )

    @get("/batches/{batch_id:uuid}", opt=BATCH_READERS)
    async def batch_page(self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]) -> Template:
        """Everything about one batch, and the actions its status allows now."""
        user = request.user
        record = await queries.batch_record(db, batch_id, user)
        if record is None:
            raise NotFound("batch")
        events = await event_log(db, batch_id)
        context: dict[str, Any] = {
            "b": record,
            "events": events,
            "actions": allowed_actions(user, record.status) + facility_actions(user, record),
            "label_svg": None,
            "label_layouts": (),
            "scans": None,
            "issue_key": uuid4().hex,  # one serial issue per rendering of the form
        }
        if record.status == "released" and user.role in LABEL_READERS:
            serials = record.labels.serials_issued
            context.update(await _label_context(request, db, batch_id, serials))
        if user.role in SCAN_READERS:
            context.update(await _scan_context(request, db, batch_id))
        return page(request, "batches/batch_page.html", **context)

    @get("/batches/{batch_id:uuid}/cancel", opt=roles("producer"))
    async def cancel_confirm(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template:
        """Asks before cancelling."""
        return await self._confirm(request, db, batch_id, "cancel", {})

    @post("/batches/{batch_id:uuid}/cancel", opt=roles("producer"))
    async def cancel(self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]) -> Redirect:
        """Cancel a batch the facility has not received yet."""
        await lifecycle.cancel_batch(db, request.user, batch_id)
        _ = gettext_for(request)  # `_(…)`: the catalog extracts only this call
        flash(request, _("The batch is cancelled."))
        return Redirect(f"/app/batches/{batch_id}", status_code=303)

    @get("/batches/{batch_id:uuid}/recall", opt=roles("producer", "regulator", "admin"))
    async def recall_confirm(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template:
        """Asks for the reason shoppers will read before recalling."""
        return await self._confirm(request, db, batch_id, "recall", {})

    @post("/batches/{batch_id:uuid}/recall", opt=roles("producer", "regulator", "admin"))
    async def recall(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Recall a released batch with a reason; every scan shows it within a second."""
        values = form_values(await request.form(), ["reason"])
        try:
            data = decode_form(
                values, ReasonBody, when_empty={"reason": N_("Write the reason for the recall.")}
            )
        except FormInvalid as exc:
            return await self._confirm(
                request, db, batch_id, "recall", errors_text(request, exc.errors), values, 400
            )
        await lifecycle.recall_batch(db, request.user, batch_id, data.reason)
        _ = gettext_for(request)  # `_(…)`: the catalog extracts only this call
        flash(request, _("The batch is recalled. Every scan now shows it."))
        return Redirect(f"/app/batches/{batch_id}", status_code=303)

    async def _confirm(
        self,
        request: AuthRequest,
        db: Db,
        batch_id: UUID,
        action: str,
        errors: dict[str, str],
        values: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        record = await queries.batch_record(db, batch_id, request.user)
        if record is None:
            raise NotFound("batch")
        return page(
            request,
            "batches/batch_confirm.html",
            status_code=status_code,
            error_labels=error_labels(request),
            b=record,
            action=action,
            allowed=action in allowed_actions(request.user, record.status),
            errors=errors,
            values=values or {},
        )

    @post("/batches/{batch_id:uuid}/labels", opt=roles("producer", "admin"))
    async def issue_labels(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Issue `count` serials, each with its own signed QR."""
        form = await request.form()
        values = form_values(form, ["count", "idempotency_key"])
        key = values.pop("idempotency_key", None)
        try:
            data = decode_form(values, LabelIssueRequest)
            if key is not None and not ONE_TIME_KEY.match(key):
                raise FormInvalid([FieldError("count", N_("Check this value."))])
            issued, repeated = await issue_serials_once(db, request.user, batch_id, data.count, key)
        except RuleViolation as exc:
            if exc.code != "idempotency_key_reused":
                raise
            # the same form, sent again with another count: it may have issued already
            error = FieldError(
                "count", N_("This form was sent already. Reload the page to issue more.")
            )
            return await self._page_with_errors(request, db, batch_id, [error], values, 422)
        except FormInvalid as exc:
            return await self._page_with_errors(request, db, batch_id, exc.errors, values, 400)
        _ = gettext_for(request)
        if repeated:
            flash(request, _("These serials were issued already; nothing more was issued."))
        else:
            flash(
                request,
                _("%(issued)s serials issued; the batch now has %(total)s.")
                % {"issued": issued.issued, "total": issued.total},
            )
        return Redirect(f"/app/batches/{batch_id}#labels", status_code=303)

    async def _page_with_errors(
        self,
        request: AuthRequest,
        db: Db,
        batch_id: UUID,
        errors: list[FieldError],
        values: dict[str, str],
        status_code: int,
    ) -> Template:
        """The batch page again, with the serial form's error and the count as typed."""
        record = await queries.batch_record(db, batch_id, request.user)
        if record is None:
            raise NotFound("batch")
        context: dict[str, Any] = {
            "b": record,
            "events": await event_log(db, batch_id),
            "actions": allowed_actions(request.user, record.status),
            "label_svg": None,
            "label_layouts": (),
            "scans": None,
            "errors": errors_text(request, errors),
            "error_labels": error_labels(request),
            "values": values,
            "issue_key": uuid4().hex,
        }
        if record.status == "released" and request.user.role in LABEL_READERS:
            serials = record.labels.serials_issued
            context.update(await _label_context(request, db, batch_id, serials))
        return page(request, "batches/batch_page.html", status_code=status_code, **context)


ARROWS_STATUSES = (
    "registered",
    "received",
    "treated",
    "released",
    "rejected",
    "cancelled",
    "recalled",
)


@dataclass(frozen=True, slots=True)
class LayoutOffer:
    """One layout on the batch page: whether its stickers hold this batch's serial label (for
    a roll, on a 203 and on a 300 dpi printer) and how many its issued serials take."""

    name: str
    size: str  # "70 × 37 mm"
    sheet: bool  # an A4 sheet of many stickers, not a roll
    fits: dict[int, bool]  # printer dpi -> fits (one entry for a sheet)
    stickers: int  # one per issued serial
    sheets: int  # A4 sheets for them (0 on a roll)

    @property
    def fitting_dpis(self) -> list[int]:
        """The printers it fits: on a sheet the one entry, on a roll 203 and/or 300 dpi."""
        return [dpi for dpi, ok in self.fits.items() if ok]

    def file_name(self, code: str, dpi: int) -> str:
        return pdf_file_name(code, self.name, dpi)


def layout_offers(content: LabelContent, serials: int) -> list[LayoutOffer]:
    """Every layout (in `labels.layouts` order) for a batch whose serial stickers print
    `content`, with what its `serials` issued serials need."""
    offers = []
    for name, layout in LAYOUTS.items():
        dpis = (DEFAULT_DPI,) if layout.sheet else ROLL_DPIS
        offers.append(
            LayoutOffer(
                name=name,
                size=layout.size_text,
                sheet=layout.sheet,
                fits={dpi: fits(layout, content, dpi) for dpi in dpis},
                stickers=serials,
                sheets=math.ceil(serials / layout.cells_per_page) if layout.sheet else 0,
            )
        )
    return offers


async def _label_context(
    request: AuthRequest, db: Db, batch_id: UUID, serials: int
) -> dict[str, Any]:
    """The layouts that hold the batch's stickers (as the API and the CLI decide, for its
    serial stickers), and the sticker drawn on the most common one that holds it."""
    from service.labels_api.content import load_batch_label
    from service.labels_api.fitting import fitted_svg, serial_sample

    state = request.app.state
    base_url = state.settings.public_base_url
    label = await load_batch_label(db, batch_id, request.user, state.signing_keys, base_url)
    sample = serial_sample(label, state.signing_keys, base_url)
    offers = await anyio.to_thread.run_sync(layout_offers, sample, serials)
    # the preview: the common 70×37 sticker, or the first layout that holds the label
    preview = next((offer.name for offer in offers if offer.fits.get(DEFAULT_DPI)), None)
    svg = None
    if preview is not None:
        svg = await anyio.to_thread.run_sync(fitted_svg, label.content, preview)
    return {
        "label_svg": svg,
        "label_preview_layout": preview,
        "label_preview_size": LAYOUTS[preview].size_text if preview else "",
        "label_layouts": offers,
        "label_code": label.ref.code,
    }


async def _scan_context(request: AuthRequest, db: Db, batch_id: UUID) -> dict[str, Any]:
    threshold: int = request.app.state.verifier.clone_threshold
    stats = await batch_scans(db, batch_id, clone_threshold=threshold)
    suspects = await scan_queries.suspect_serials(db, batch_id, threshold, limit=20)
    today = today_in_jakarta()
    first = today - timedelta(days=CHART_DAYS - 1)
    days = continuous_days(
        [
            ScanDayFigures(d.date, d.total, d.distinct_clients, d.suspect)
            for d in stats.days
            if d.date >= first
        ],
        first,
        today,
    )
    _ = gettext_for(request)
    lang = language_of(request)
    legend = _("Bars: scans per day. Line: distinct phones per day. Red dot: a suspect scan.")
    chart = scans_chart_svg(
        days,
        title=_("Scans per day, last %(days)s days") % {"days": CHART_DAYS},
        description=legend,
        day_label=lambda d: format_day(d, lang, short=True),
        id_prefix=f"scans-{batch_id.hex[:8]}",
    )
    return {
        "scans": stats,
        "scan_days": [d for d in days if d.scans],
        "chart": chart if stats.total else None,
        "chart_legend": legend,
        "suspects": suspects,
    }
