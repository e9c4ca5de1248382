"""Console pages of products: the list, the form with its live shelf-life preview, one product.

The form creates a product through `lifecycle.create_product` and previews its date through
`preview_shelf_life`, the functions behind POST /api/v1/products and /shelf-life/estimate. The
preview is a fragment (`batches/_product_preview.html`) that the form page includes and that
htmx fetches alone as the producer types; without JavaScript the form's "Preview" button posts
the whole form and the page comes back with the fragment filled."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.exceptions import ValidationException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from labels.registration import printed_registration_no, registration_type
from labels.wording import PURPOSES
from schemas.batches import today_in_jakarta
from schemas.products import ProductCreate
from schemas.shelf_life import ShelfLifeEstimateRequest
from service.accounts.markets import queries as market_queries
from service.accounts.markets.names import market_name
from service.accounts.queries import list_food_categories
from service.batches import lifecycle
from service.batches.estimate.preview import preview_shelf_life
from service.batches.market_fit import product_markets
from service.batches.markets_check import NO_ROW_SOURCE
from service.batches.pages import error_labels
from service.batches.products import queries, registration
from service.batches.rules import STERILE_MAX_STUDY_DAYS
from service.console.form import Form, Refusals
from service.console.i18n import gettext_for, language_of
from service.console.render import errors_text, flash, page
from service.core.auth import AuthUser, roles
from service.core.db import Db
from service.core.errors import NotFound, RuleViolation
from service.core.formatting import format_number
from service.core.forms import FieldError, FormInvalid, decode_form, form_values
from service.core.gettext_marker import N_
from service.core.pagination import Cursor, next_cursor
from service.shelf_life.parameters import STERILE_MIN_DOSE_KGY

AuthRequest = Request[AuthUser, Any, State]
PRODUCT_FIELDS = tuple(f for f in ProductCreate.__struct_fields__)
# the field each domain refusal is about, with the message shown next to it
RULE_FIELDS = {
    "purpose_not_allowed": (
        "purpose",
        N_("This category may not be irradiated for this purpose (BPOM 3/2018 Annex I)."),
    ),
    "dose_above_legal_maximum": (
        "min_dose_kgy",
        N_("The dose is above the legal maximum of %(limit)s kGy for this category and purpose."),
    ),
    "no_shelf_life": (
        "storage_temp_c",
        N_("At this storage temperature the product would keep no days at all."),
    ),
    "vacuum_requires_chilling": (
        "storage_temp_c",
        N_("Vacuum or modified-atmosphere packs without a control must be kept chilled."),
    ),
    "raw_food_requires_chilling": (
        "storage_temp_c",
        N_("Raw fish and meat must be kept at 10 °C or colder, unless dried (aw 0.85 or less)."),
    ),
    "reduced_oxygen_uncontrolled": (
        "packaging",
        N_(
            "Above 10 °C an airtight pack needs aw 0.85 or less, pH 4.6 or less, a sterilising "
            "process or a study at this temperature and packaging."
        ),
    ),
    "study_not_applicable": (
        "validated_shelf_life_days",
        N_("A sterile meal is dated only by its study, and the study does not apply here."),
    ),
    "dose_below_purpose_minimum": (
        "process_validation_ref",
        N_(
            "The minimum dose is below the %(typical)s kGy this purpose typically needs: give "
            "the process validation that shows it works."
        ),
    ),
}
STERILE_FIELD_MESSAGES = {
    "purpose": N_("A sterile meal must have the purpose sterilisation."),
    "min_dose_kgy": N_("A sterile meal needs a minimum dose of at least %(dose)s kGy."),
    "packaging": N_("A sterile meal must be vacuum packed or hermetically sealed."),
    "validated_shelf_life_days": N_(
        "A sterile meal needs a validated storage study of at most %(days)s days."
    ),
}
# the figures those messages name, from the rules themselves
STERILE_PARAMS = {
    "min_dose_kgy": {"dose": STERILE_MIN_DOSE_KGY},
    "validated_shelf_life_days": {"days": STERILE_MAX_STUDY_DAYS},
}


# each registration rule (service.batches.products.registration) in the producer's words
REGISTRATION_RULE_MESSAGES = {
    "psat_plant_origin_only": N_(
        "A PSAT number is for fresh food of plant origin only. Fresh fish and meat carry no BPOM "
        "number: leave the field empty."
    ),
    "pirt_sterile_meal": N_(
        "P-IRT may not be used for a commercially sterile meal: it needs a BPOM MD number."
    ),
    "pirt_frozen": N_(
        "P-IRT may not be used for frozen food (−12 °C or colder): it needs a BPOM MD number."
    ),
    "pirt_animal_not_dried": N_(
        "P-IRT admits fish, seafood, meat and poultry products only when dried (water activity "
        "at most %(aw)s): this one needs a BPOM MD number."
    ),
    "pirt_under_7_days_warm": N_(
        "P-IRT may not be used for food keeping under 7 days at room temperature: at its minimum "
        "dose and storage temperature this product keeps %(days)s days. It needs a BPOM MD number."
    ),
}
# what the number is called, by its scheme: a P-IRT number is not an izin edar (DOMAIN §8.11)
REGISTRATION_CAPTIONS = {
    "MD": N_("Marketing authorisation number"),
    "ML": N_("Marketing authorisation number"),
    "P-IRT": N_("P-IRT number"),
    "PSAT": N_("PSAT registration number"),
}
# what each rule of the export-market check is about, on the product's markets
FAILED_RULE_NAMES = {
    "category_purpose": N_("Food category and purpose"),
    "hs_code": N_("HS code"),
    "dose_limit": N_("Dose limit"),
    "source_energy": N_("Source energy"),
    "facility_approval": N_("Facility approval"),
}
# what a refusal by each rule means, in the reader's language (the check's own detail, with its
# figures, follows in English)
FAILED_RULE_MEANINGS = {
    "category_purpose": N_("The market does not admit this food category for this purpose."),
    "hs_code": N_("A product going abroad needs its HS code: record it on the product."),
    "dose_limit": N_("The absorbed dose is above the market's limit."),
    "average_dose_unknown": N_(
        "The market limits the overall average dose, and the dose map has no average ratio."
    ),
    "source_energy": N_("The radiation source's energy is above the market's limit."),
    "facility_approval": N_(
        "The irradiation facility has no approval for this market valid on the treatment's date."
    ),
}
# how sure the markets table is of a rule's source (DOMAIN's H/M/L), as the page says it
CONFIDENCE_NAMES = {"H": N_("high"), "M": N_("medium"), "L": N_("low")}
# the source of a refusal no row of the market's rules explains, in the reader's language
NO_ROW_SOURCE_TEXT = N_("no rule of this market admits it (the markets table)")
OTHER_CAPTION = N_("Registration number")  # a number in a form of no scheme (written by hand)


def registration_error(rule: str, days: int | None = None) -> FieldError:
    """One broken registration rule as the message next to the number."""
    params: dict[str, Any] = {}
    if rule == "pirt_animal_not_dried":
        params = {"aw": registration.DRIED_AT_OR_BELOW_AW}
    elif rule == "pirt_under_7_days_warm":
        params = {"days": days}
    msgid = REGISTRATION_RULE_MESSAGES.get(rule, N_("Check this value."))
    return FieldError("registration_no", msgid, params)


def rule_errors(exc: RuleViolation) -> list[FieldError]:
    """A domain refusal as errors on the fields it is about."""
    if exc.code == registration.CODE:
        return [
            registration_error(item["rule"], item.get("days"))
            for item in exc.extra.get("errors", [])
        ]
    if exc.code == "sterile_meal_requirements":
        return [
            FieldError(
                item["field"],
                STERILE_FIELD_MESSAGES.get(item["field"], N_("Check this value.")),
                STERILE_PARAMS.get(item["field"], {}),
            )
            for item in exc.extra.get("errors", [])
        ]
    # the shelf-life refusals come all at once, each on its own field
    refused = [item for item in exc.extra.get("errors", []) if "code" in item]
    errors = []
    for item in refused or [{"code": exc.code, **exc.extra}]:
        field, msgid = RULE_FIELDS.get(
            item["code"], ("", N_("A rule of the service refuses this product."))
        )
        params: dict[str, Any] = {}
        if item.get("legal_max_dose_kgy") is not None:
            params = {"limit": item["legal_max_dose_kgy"]}
        if item.get("typical_min_dose_kgy") is not None:
            params = {"typical": item["typical_min_dose_kgy"]}
        errors.append(FieldError(field, msgid, params))
    return errors


def check_digit_errors(exc: ValidationException) -> list[FieldError]:
    """A format the service checks after decoding (a GTIN's check digit), on its field."""
    fields = [e.get("key", "") for e in exc.extra] if isinstance(exc.extra, list) else []
    return [FieldError(f, N_("The check digit does not match.")) for f in fields]


# the refusals that are no rule of the product itself (those are `rule_errors`)
PRODUCT_REFUSALS: Refusals = {
    "invalid_value": check_digit_errors,
    "duplicate_gtin": ("gtin", N_("Another product already has this GTIN.")),
}


def refusal_texts(request: Request[Any, Any, Any], exc: RuleViolation) -> list[str]:
    """Every reason a domain rule gives for refusing, in the reader's language: the model's own
    explanations where it gave them (the preview lists them all), else the field messages."""
    lang = language_of(request)
    explained = [
        item["explanation"]["id" if lang == "id" else "en"]
        for item in exc.extra.get("errors", [])
        if "explanation" in item
    ]
    if explained:
        return explained
    return list(errors_text(request, rule_errors(exc)).values())


async def shelf_life_preview(
    db: Db, request: Request[Any, Any, Any], values: dict[str, str]
) -> dict[str, Any]:
    """What the preview fragment shows for these form values: the chosen category's allowed
    purposes and legal maxima, and the date a treatment at the minimum dose would give."""
    categories = await list_food_categories(db)
    chosen = next((c for c in categories if c.code == values.get("category")), None)
    preview: dict[str, Any] = {"category": chosen, "result": None, "missing": [], "refusal": None}
    estimate_values = dict(values)
    estimate_values["dose_min_kgy"] = values.get("min_dose_kgy", "")
    names = [f for f in ShelfLifeEstimateRequest.__struct_fields__ if f != "production_date"]
    try:
        data = decode_form(
            form_values(estimate_values, names),
            ShelfLifeEstimateRequest,
            production_date=today_in_jakarta(),
        )
    except FormInvalid as exc:
        preview["missing"] = sorted(
            {"min_dose_kgy" if e.field == "dose_min_kgy" else e.field for e in exc.errors}
        )
        return preview
    try:
        preview["result"] = await preview_shelf_life(db, data)
    except RuleViolation as exc:
        preview["refusal"] = refusal_texts(request, exc)
    return preview


class ProductPages(Controller):
    path = "/app/products"
    include_in_schema = False
    opt = roles("producer")

    @get("/", opt=roles("producer"))
    async def list_page(self, request: AuthRequest, db: Db, cursor: Cursor = None) -> Template:
        """The producer's products, newest first."""
        rows = await queries.list_products(db, request.user, limit=50, cursor=cursor)
        return page(
            request,
            "batches/product_list.html",
            products=[queries.to_product(r) for r in rows[:50]],
            next_cursor=next_cursor(rows, 50),
        )

    @get("/new", opt=roles("producer"))
    async def new_page(self, request: AuthRequest, db: Db) -> Template:
        """An empty product form."""
        return await self._form(request, db, Form(request, {"packaging": "air"}))

    @post("/new", opt=roles("producer"))
    async def create(self, request: AuthRequest, db: Db) -> Template | Redirect:
        """Create the product (303 to its page), or show the preview, or the form's errors."""
        form = await Form.read(request, PRODUCT_FIELDS)
        if form.post.get("action") == "preview":
            return await self._form(request, db, form)
        data = form.decode(ProductCreate)
        if data is not None:
            with form.refusals(PRODUCT_REFUSALS, otherwise=rule_errors):
                product = await lifecycle.create_product(db, request.user, data)
        if not form.ok:
            return await self._form(request, db, form)
        _ = gettext_for(request)  # `_(…)`: the catalog extracts only this call
        flash(request, _("Product %(name)s saved.") % {"name": product.name})
        return Redirect(f"/app/products/{product.id}", status_code=303)

    @post("/preview", opt=roles("producer"))
    async def preview(self, request: AuthRequest, db: Db) -> Template:
        """The preview fragment alone, for htmx as the form changes."""
        values = form_values(await request.form(), PRODUCT_FIELDS)
        preview = await shelf_life_preview(db, request, values)
        return page(
            request,
            "batches/_product_preview.html",
            preview=preview,
            values=values,
            purpose_names=PURPOSES,
        )

    @get("/purposes", opt=roles("producer"))
    async def purpose_field(
        self, request: AuthRequest, db: Db, category: str = "", purpose: str = ""
    ) -> Template:
        """The purpose list for a category, for htmx as the category changes."""
        return page(
            request,
            "batches/_purpose_field.html",
            errors={},
            values={"category": category, "purpose": purpose},
            categories=await list_food_categories(db),
            purposes=list(PURPOSES),
            purpose_names=PURPOSES,
        )

    async def _form(self, request: AuthRequest, db: Db, form: Form) -> Template:
        categories = await list_food_categories(db)
        return page(
            request,
            "batches/product_form.html",
            status_code=form.status_code,
            error_labels=error_labels(request),
            categories=categories,
            purposes=list(PURPOSES),
            purpose_names=PURPOSES,
            preview=await shelf_life_preview(db, request, form.values),
            **form.context(),
        )

    @get("/{product_id:uuid}", opt=roles("producer"))
    async def product_page(
        self, request: AuthRequest, db: Db, product_id: FromPath[UUID]
    ) -> Template:
        """One product and its batches."""
        row = await queries.get_product(db, product_id, request.user)
        if row is None:
            raise NotFound("product")
        product = queries.to_product(row)
        batches = await queries.recent_batches(db, product_id, limit=20)
        # the same check as GET /api/v1/products/{id}/markets answers
        markets = await product_markets(db, product_id)
        market_rows = await market_queries.list_markets(db, limit=500, after=None)
        categories = {c.code: c for c in await list_food_categories(db)}
        # a product stored before the registration rules may carry a number they refuse
        failures = registration.registration_rule_failures(row, today=today_in_jakarta())
        _ = gettext_for(request)
        lang = language_of(request)
        number = product.registration_no
        return page(
            request,
            "batches/product_page.html",
            p=product,
            registration_caption=_(
                REGISTRATION_CAPTIONS.get(registration_type(number) or "", OTHER_CAPTION)
            ),
            registration_printed=printed_registration_no(number) if number else None,
            registration_problems=[
                registration_error(f.rule, f.days).text(_, lambda n: format_number(n, lang))
                for f in failures
            ],
            category=categories.get(product.category),
            purpose_names=PURPOSES,
            batches=batches,
            markets=markets,
            market_names={m.code: _(market_name(m.code, m.name, lang)) for m in market_rows},
            failed_rule_names={rule: _(name) for rule, name in FAILED_RULE_NAMES.items()},
            failed_rule_meanings={
                rule: _(meaning) for rule, meaning in FAILED_RULE_MEANINGS.items()
            },
            confidence_names={level: _(name) for level, name in CONFIDENCE_NAMES.items()},
            sources={NO_ROW_SOURCE: _(NO_ROW_SOURCE_TEXT)},
        )
