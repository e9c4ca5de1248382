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
import msgspec
from babel import Locale
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from labels.fit import fits
from labels.layouts import DEFAULT_DPI, LAYOUTS, ROLL_DPIS
from schemas.batches import (
    BATCH_STATUSES,
    BatchCreate,
    BatchRecord,
    BatchStatus,
    ReasonBody,
    today_in_jakarta,
)
from schemas.label_issue import LabelIssueRequest
from schemas.labels import LabelContent
from service.accounts.queries import list_facilities
from service.batches import actions, lifecycle, queries
from service.batches.events import event_log
from service.batches.figures.dashboard import dashboard, first_run
from service.batches.figures.scan_chart import ScanDayFigures, continuous_days, scans_chart_svg
from service.batches.labelling.fitting import pdf_file_name
from service.batches.labelling.serials import issue_serials_once
from service.batches.products import registration
from service.batches.products.queries import list_products
from service.batches.shipments.view import shipping_view
from service.batches.treatment.pages import incoming_queue_page, review_queue_page
from service.console.form import Form, Refusals
from service.console.i18n import gettext_for, language_of
from service.console.render import flash, page
from service.core.auth import ANY_ROLE, AuthUser, roles
from service.core.db import Db
from service.core.errors import DomainError, NotFound
from service.core.formatting import format_day
from service.core.forms import FieldError
from service.core.gettext_marker import N_
from service.core.pagination import Cursor, encode_cursor
from service.verify import queries as scan_queries
from service.verify.scans.stats import batch_scans

AuthRequest = Request[AuthUser, Any, State]
BATCH_READERS = roles("producer", "operator", "qa", "regulator", "admin", "market_network")
SCAN_READERS = frozenset({"producer", "regulator", "admin"})
LABEL_READERS = frozenset({"producer", "regulator", "admin"})
PAGE_SIZE = 50
# the hidden one-time key of the serial form (printable ASCII, as the API's header)
ONE_TIME_KEY = re.compile(r"^[!-~]{1,200}$")
CHART_DAYS = 30
REGISTER_FIELDS = ("product_id", "facility_id", "lot", "production_date", "quantity", "unit")


DUPLICATE_LOT = ("lot", N_("This lot is already registered for this product."))
# the domain's refusals of a registration, each as the message next to its field
REGISTER_REFUSALS: Refusals = {
    # a product stored before the registration rules
    registration.CODE: (
        "product_id",
        N_(
            "This product's registration number is not allowed for it. Edit the product with a "
            "valid number before registering a batch."
        ),
    ),
    "idempotency_key_reused": (
        "",
        N_("This form was sent already. Open it again to register another batch."),
    ),
    # someone else's product, or an organization that is no facility: as an unknown one
    "unknown product": ("product_id", N_("Choose one of the options.")),
    "unknown facility": ("facility_id", N_("Choose one of the options.")),
    "duplicate_lot": DUPLICATE_LOT,
}


def _serial_limit(exc: DomainError) -> list[FieldError]:
    """The limit, what is issued and what is left, next to the count the producer typed."""
    limit, issued = exc.extra["limit"], exc.extra["issued"]
    message = N_(
        "This batch may have at most %(limit)s serials: its pieces plus a tenth. %(issued)s "
        "are issued already, so you can issue at most %(left)s more."
    )
    return [
        FieldError("count", message, {"limit": limit, "issued": issued, "left": limit - issued})
    ]


LABEL_REFUSALS: Refusals = {
    # the same form, sent again with another count: it may have issued already
    "idempotency_key_reused": (
        "count",
        N_("This form was sent already. Reload the page to issue more."),
    ),
    "serial_limit": _serial_limit,
}


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


def allowed_actions(user: AuthUser, record: BatchRecord) -> list[str]:
    """The actions the batch page offers: those the API would take from this user now."""
    return actions.allowed(user, actions.BatchFacts.of_record(record))


class BatchPages(Controller):
    path = "/app"
    include_in_schema = False

    @get("/", opt=ANY_ROLE, name="console_dashboard")
    async def dashboard_page(self, request: AuthRequest, db: Db) -> Template | Redirect:
        """The user's first page. An operator's is the incoming queue, a QA officer's the QA
        queue; the others' the dashboard: batches by status, scans, suspect serials, recalls,
        dates, and a new producer's first steps until labels are issued."""
        user = request.user
        if user.role == "market_network":  # its dashboard sums up the network
            return Redirect("/app/network", status_code=303)
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
            statuses=list(BATCH_STATUSES),
        )

    @get("/batches/new", opt=roles("producer"))
    async def new_page(
        self,
        request: AuthRequest,
        db: Db,
        product_id: Annotated[UUID | None, QueryParameter()] = None,
    ) -> Template | Redirect:
        """The registration form, for the product the link came from if any (or the only one);
        without a product yet, the product form, saying why."""
        products = await list_products(db, request.user, limit=2, cursor=None)
        if not products:
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
        elif len(products) == 1:  # a new producer's only product: nothing to choose yet
            values["product_id"] = str(products[0]["id"])
        return await self._register_form(request, db, Form(request, values))

    @post("/batches/new", opt=roles("producer"))
    async def register(self, request: AuthRequest, db: Db) -> Template | Redirect:
        """Register a batch: 303 to its page, or the form again with every error named."""
        form = await Form.read(request, (*REGISTER_FIELDS, "idempotency_key"))
        key = form.values.get("idempotency_key") or None
        if key is not None and not ONE_TIME_KEY.match(key):
            key = None
        data = form.decode(BatchCreate, leave_out=["idempotency_key"])
        if data is None:
            # a lot registered already is a problem of the same round as the rest (SPEC §10)
            product_id, lot = form.readable.get("product_id"), form.readable.get("lot")
            if product_id and lot:
                taken = await queries.lot_registered(db, request.user, product_id, lot)
                form.expect(not taken, *DUPLICATE_LOT)
        else:
            with form.refusals(REGISTER_REFUSALS):
                batch, repeated = await lifecycle.register_batch_once(db, request.user, data, key)
        if not form.ok:
            return await self._register_form(request, db, form)
        _ = gettext_for(request)
        if not repeated:
            flash(request, _("Batch %(code)s registered.") % {"code": batch.code})
        return Redirect(f"/app/batches/{batch.id}", status_code=303)

    async def _register_form(self, request: AuthRequest, db: Db, form: Form) -> Template:
        products = await list_products(db, request.user, limit=200, cursor=None)
        facilities = await list_facilities(db, limit=200, cursor=None)
        return page(
            request,
            "batches/batch_new.html",
            status_code=form.status_code,
            error_labels=error_labels(request),
            products=products,
            facilities=facilities,
            **form.context(),
        )

    @get("/batches/{batch_id:uuid}", opt=BATCH_READERS)
    async def batch_page(self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]) -> Template:
        """Everything about one batch, and the actions its status allows now."""
        context = await batch_page_context(request, db, batch_id)
        return page(request, "batches/batch_page.html", **context)

    @get("/batches/{batch_id:uuid}/cancel", opt=actions.route_roles("cancel"))
    async def cancel_confirm(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template:
        """Asks before cancelling."""
        return await self._confirm(request, db, batch_id, "cancel", Form(request))

    @post("/batches/{batch_id:uuid}/cancel", opt=actions.route_roles("cancel"))
    async def cancel(self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]) -> Redirect:
        """Cancel a batch the facility has not received yet."""
        await lifecycle.cancel_batch(db, request.user, batch_id)
        _ = gettext_for(request)  # `_(…)`: the catalog extracts only this call
        flash(request, _("The batch is cancelled."))
        return Redirect(f"/app/batches/{batch_id}", status_code=303)

    @get("/batches/{batch_id:uuid}/recall", opt=actions.route_roles("recall"))
    async def recall_confirm(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template:
        """Asks for the reason shoppers will read before recalling."""
        return await self._confirm(request, db, batch_id, "recall", Form(request))

    @post("/batches/{batch_id:uuid}/recall", opt=actions.route_roles("recall"))
    async def recall(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Recall a released batch with a reason; every scan shows it within a second."""
        form = await Form.read(request, ["reason"])
        data = form.decode(
            ReasonBody, when_empty={"reason": N_("Write the reason for the recall.")}
        )
        if data is None:
            return await self._confirm(request, db, batch_id, "recall", form)
        await lifecycle.recall_batch(
            db, request.user, batch_id, data.reason, box=request.app.state.mail_box
        )
        _ = gettext_for(request)  # `_(…)`: the catalog extracts only this call
        flash(request, _("The batch is recalled. Every scan now shows it."))
        return Redirect(f"/app/batches/{batch_id}", status_code=303)

    async def _confirm(
        self, request: AuthRequest, db: Db, batch_id: UUID, action: str, form: Form
    ) -> Template:
        record = await queries.batch_record(db, batch_id, request.user)
        if record is None:
            raise NotFound("batch")
        return page(
            request,
            "batches/batch_confirm.html",
            status_code=form.status_code,
            error_labels=error_labels(request),
            b=record,
            action=action,
            allowed=action in allowed_actions(request.user, record),
            **form.context(),
        )

    @post("/batches/{batch_id:uuid}/labels", opt=actions.route_roles("labels"))
    async def issue_labels(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Issue `count` serials, each with its own signed QR."""
        form = await Form.read(request, ["count", "idempotency_key"])
        key = form.values.pop("idempotency_key", None)
        data = form.decode(LabelIssueRequest)
        if data is not None and form.expect(
            key is None or ONE_TIME_KEY.match(key) is not None,
            "count",
            N_("Check this value."),
            status_code=400,
        ):
            with form.refusals(LABEL_REFUSALS):
                issued, repeated = await issue_serials_once(
                    db, request.user, batch_id, data.count, key
                )
        if not form.ok:
            return await self._page_with_errors(request, db, batch_id, form)
        _ = gettext_for(request)
        if repeated:
            flash(request, _("These serials were issued already; nothing more was issued."))
        else:
            flash(
                request,
                _("Serials issued: %(issued)s; the batch now has %(total)s.")
                % {"issued": issued.issued, "total": issued.total},
            )
        return Redirect(f"/app/batches/{batch_id}#labels", status_code=303)

    async def _page_with_errors(
        self, request: AuthRequest, db: Db, batch_id: UUID, form: Form
    ) -> Template:
        """The batch page again, with the serial form's error and the count as typed."""
        context = await batch_page_context(request, db, batch_id)
        return page(
            request,
            "batches/batch_page.html",
            status_code=form.status_code,
            **context,
            error_labels=error_labels(request),
            **form.context(),
        )


async def batch_page_context(request: AuthRequest, db: Db, batch_id: UUID) -> dict[str, Any]:
    """What the batch page shows this user, built in one place so that the page shown again
    with a form's errors is the same page: the record and its timeline, the actions the user may
    take now, the label preview and downloads, and the scans. 404 for a batch they may not see."""
    user = request.user
    record = await queries.batch_record(db, batch_id, user)
    if record is None:
        raise NotFound("batch")
    context: dict[str, Any] = {
        "b": record,
        "events": await event_log(db, batch_id, user),
        "actions": allowed_actions(user, record),
        "label_svg": None,
        "label_layouts": (),
        "market_labels": (),
        "scans": None,
        "issue_key": uuid4().hex,  # one serial issue per rendering of the form
        "shipping": await shipping_view(db, user, record),
    }
    if record.status == "released" and user.role in LABEL_READERS:
        serials = record.labels.serials_issued
        context.update(await _label_context(request, db, batch_id, serials))
    if user.role in SCAN_READERS:
        context.update(await _scan_context(request, db, batch_id))
    return context


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
    per_sheet: int  # stickers on one A4 sheet (1 on a roll: a sticker per label)
    market: str | None = None  # an export market whose words the stickers carry

    @property
    def fitting_dpis(self) -> list[int]:
        """The printers it fits: on a sheet the one entry, on a roll 203 and/or 300 dpi."""
        return [dpi for dpi, ok in self.fits.items() if ok]

    def file_name(self, code: str, dpi: int) -> str:
        return pdf_file_name(code, self.name, dpi, self.market)


def layout_offers(
    content: LabelContent, serials: int, market: str | None = None
) -> list[LayoutOffer]:
    """Every layout (in `labels.layouts` order) for a batch whose serial stickers print
    `content` (for `market`, with its words), with what its `serials` issued serials need."""
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
                per_sheet=layout.cells_per_page,
                market=market,
            )
        )
    return offers


async def _label_context(
    request: AuthRequest, db: Db, batch_id: UUID, serials: int
) -> dict[str, Any]:
    """The layouts that hold the batch's stickers (as the API and the CLI decide, for its
    serial stickers), and the sticker drawn on the most common one that holds it."""
    from service.batches.labelling.content import load_batch_label
    from service.batches.labelling.fitting import fitted_svg, serial_sample
    from service.batches.labelling.market_words import market_label_choices

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
    # labels for the export markets that admit the batch, each with the layouts that hold
    # its words (a longer label may need a larger sticker)
    market_labels = []
    for choice in await market_label_choices(db, batch_id):
        with_words = msgspec.structs.replace(sample, market_words=choice.words)
        market_offers = await anyio.to_thread.run_sync(
            layout_offers, with_words, serials, choice.market
        )
        market_labels.append(
            (choice, language_name(choice.lang, language_of(request)), market_offers)
        )
    return {
        "market_labels": market_labels,
        "label_svg": svg,
        "label_preview_layout": preview,
        "label_preview_size": LAYOUTS[preview].size_text if preview else "",
        "label_layouts": offers,
        "label_code": label.ref.code,
    }


def language_name(code: str, ui_lang: str) -> str:
    """A language's name in the console's language ("Tionghoa", "Chinese"), its code when
    Babel does not know it."""
    return str(Locale.parse(ui_lang).languages.get(code, code))


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
