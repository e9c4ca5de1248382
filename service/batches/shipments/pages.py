"""Console pages of shipments: the ship form (on the batch page, and on its own page when a post
is refused), and the cancellation of a mistaken shipment with its reason.

Both call `shipping.ship` and `shipping.cancel`, the functions behind the API; a refusal by a rule
(the quantity left, an unknown market, a label range) comes back on the form, next to its field,
with the figures it names."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from schemas.batches import ReasonBody
from schemas.shipments import ShipmentCreate
from service.batches import actions
from service.batches import queries as batch_queries
from service.batches.customers.countries import country_name
from service.batches.shipments import queries, shipping
from service.batches.shipments.view import SHIP_FIELDS, ship_form_defaults, shipping_view
from service.console.i18n import gettext_for, language_of
from service.console.render import errors_text, flash, page
from service.core.auth import AuthUser, roles
from service.core.db import Db
from service.core.errors import Conflict, NotFound, RuleViolation
from service.core.forms import FieldError, FormInvalid, decode_form, form_values
from service.core.gettext_marker import N_

AuthRequest = Request[AuthUser, Any, State]

# the labels of the ship form's fields, for the error summary
FIELD_LABELS = {
    "customer_id": N_("Customer"),
    "shipped_at": N_("Shipped at"),
    "quantity": N_("Quantity"),
    "unit": N_("Unit"),
    "document_no": N_("Reference document"),
    "market": N_("Market"),
    "serial_from": N_("First label position"),
    "serial_to": N_("Last label position"),
    "reason": N_("Reason for cancelling"),
}
# each rule's refusal, on the field it is about, with the figures the API names
RULE_FIELDS = {
    "shipment_exceeds_batch": (
        "quantity",
        N_(
            "The batch has %(limit)s %(unit)s; %(shipped)s are shipped already, so at most "
            "%(available)s more can go."
        ),
    ),
    "market_unknown": ("market", N_("No market is recorded for %(market)s: choose a market.")),
    "market_not_home": (
        "market",
        N_(
            "The customer is abroad (%(country)s): this shipment goes to the customer's market, "
            "not Indonesia's. Choose it, or leave the market empty."
        ),
    ),
    "market_not_permitted": (
        "market",
        N_(
            "%(market)s does not admit this batch; the rules it fails: %(rules)s. The product's "
            "markets say why."
        ),
    ),
    "unit_mismatch": ("quantity", N_("Ship this batch in its own unit.")),
    "shipped_before_release": (
        "shipped_at",
        N_("A batch ships only after its release: give a later time."),
    ),
    "serial_range_not_issued": (
        "serial_to",
        N_("The batch has %(issued)s serials: positions 0 to %(last)s."),
    ),
    "serial_range_shipped": (
        "serial_from",
        N_("Some of these label positions went with another shipment already."),
    ),
}
STATUS_MESSAGES = {
    "batch_recalled": N_("This batch is recalled: it ships nothing."),
    "batch_not_released": N_("Only a released batch ships."),
}

# why a recalled batch's shipment is not cancelled, on its cancel page and after a race
RECALLED_SHIPMENT = N_(
    "The batch is recalled: its shipments are the record of whom the recall reaches, and stay "
    "as they are."
)


def error_labels(request: Request[Any, Any, Any]) -> dict[str, str]:
    _ = gettext_for(request)
    return {field: _(label) for field, label in FIELD_LABELS.items()}


def rule_error(exc: RuleViolation, unit_label: str) -> FieldError:
    """A rule's refusal as the message next to its field; `unit_label` is the batch's unit in
    the reader's words."""
    field, msgid = RULE_FIELDS.get(exc.code, ("", N_("A rule of the service refuses this.")))
    extra = exc.extra
    params: dict[str, Any] = {}
    if exc.code == "shipment_exceeds_batch":
        params = {
            "limit": extra["limit"],
            "unit": unit_label,
            "shipped": extra["shipped"],
            "available": extra["available"],
        }
    elif exc.code == "market_unknown":
        params = {"market": extra.get("market", "")}
    elif exc.code == "market_not_home":
        params = {"country": extra.get("customer_country", "")}
    elif exc.code == "market_not_permitted":
        rules = ", ".join(failure["rule"] for failure in extra.get("failed", []))
        params = {"market": extra.get("market", ""), "rules": rules}
    elif exc.code == "serial_range_not_issued":
        issued = int(extra.get("serials_issued", 0))
        params = {"issued": issued, "last": max(issued - 1, 0)}
    return FieldError(field, msgid, params)


class ShipmentPages(Controller):
    path = "/app"
    include_in_schema = False

    @get("/batches/{batch_id:uuid}/shipments", opt=actions.route_roles("ship"))
    async def ship_page(self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]) -> Template:
        """The ship form on a page of its own (the batch page holds the same form)."""
        record = await batch_queries.batch_record(db, batch_id, request.user)
        if record is None:
            raise NotFound("batch")
        return await self._form(request, db, batch_id, ship_form_defaults(record), {})

    @post("/batches/{batch_id:uuid}/shipments", opt=actions.route_roles("ship"))
    async def ship(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Record a shipment: 303 to the batch's shipments, or the form again with every error
        named and the input kept."""
        values = form_values(await request.form(), SHIP_FIELDS)
        now = {} if values.get("shipped_at") else {"shipped_at": datetime.now(UTC)}
        try:
            data = decode_form(
                values,
                ShipmentCreate,
                when_empty={"quantity": N_("Enter the quantity shipped.")},
                **now,
            )
            shipment = await shipping.ship(db, request.user, batch_id, data)
        except FormInvalid as exc:
            errors = errors_text(request, exc.errors)
            return await self._form(request, db, batch_id, values, errors, exc.status_code)
        except RuleViolation as exc:
            _ = gettext_for(request)
            error = rule_error(exc, _("pieces") if values.get("unit") == "pcs" else _("kg"))
            errors = errors_text(request, [error])
            return await self._form(request, db, batch_id, values, errors, 422)
        except Conflict as exc:
            message = STATUS_MESSAGES.get(exc.code, N_("This batch does not ship now."))
            errors = errors_text(request, [FieldError("", message)])
            return await self._form(request, db, batch_id, values, errors, 409)
        except NotFound as exc:
            if "customer" not in exc.detail:
                raise
            error = FieldError("customer_id", N_("Choose one of the options."))
            return await self._form(
                request, db, batch_id, values, errors_text(request, [error]), 422
            )
        _ = gettext_for(request)
        lang = language_of(request)
        flash(
            request,
            _("Shipment to %(customer)s (%(country)s) recorded.")
            % {
                "customer": shipment.customer_name,
                "country": country_name(shipment.customer_country, lang),
            },
        )
        return Redirect(f"/app/batches/{batch_id}#shipments", status_code=303)

    async def _form(
        self,
        request: AuthRequest,
        db: Db,
        batch_id: UUID,
        values: dict[str, Any],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        record = await batch_queries.batch_record(db, batch_id, request.user)
        if record is None:
            raise NotFound("batch")
        view = await shipping_view(db, request.user, record)
        return page(
            request,
            "batches/shipment_form.html",
            status_code=status_code,
            b=record,
            shipping=view,
            values={"unit": record.unit, **values},
            errors=errors,
            error_labels=error_labels(request),
        )

    @get("/shipments/{shipment_id:uuid}/cancel", opt=roles("producer"))
    async def cancel_page(
        self, request: AuthRequest, db: Db, shipment_id: FromPath[UUID]
    ) -> Template:
        """Asks for the reason before cancelling a shipment."""
        return await self._cancel_form(request, db, shipment_id, {}, {})

    @post("/shipments/{shipment_id:uuid}/cancel", opt=roles("producer"))
    async def cancel(
        self, request: AuthRequest, db: Db, shipment_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Cancel a mistaken shipment with a reason (it stays on record)."""
        values = form_values(await request.form(), ["reason"])
        try:
            data = decode_form(
                values,
                ReasonBody,
                when_empty={"reason": N_("Write why the shipment is cancelled.")},
            )
            shipment = await shipping.cancel(db, request.user, shipment_id, data.reason)
        except FormInvalid as exc:
            errors = errors_text(request, exc.errors)
            return await self._cancel_form(request, db, shipment_id, values, errors, 400)
        except Conflict as exc:
            error = FieldError(
                "",
                RECALLED_SHIPMENT
                if exc.code == "batch_recalled"
                else N_("This shipment is cancelled already."),
            )
            errors = errors_text(request, [error])
            return await self._cancel_form(request, db, shipment_id, values, errors, 409)
        _ = gettext_for(request)
        flash(request, _("The shipment is cancelled; its quantity may ship again."))
        return Redirect(f"/app/batches/{shipment.batch_id}#shipments", status_code=303)

    async def _cancel_form(
        self,
        request: AuthRequest,
        db: Db,
        shipment_id: UUID,
        values: dict[str, str],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        shipment = await queries.get_shipment(db, shipment_id, request.user)
        if shipment is None:
            raise NotFound("shipment")
        return page(
            request,
            "batches/shipment_cancel.html",
            status_code=status_code,
            s=shipment,
            recalled=await queries.batch_status(db, shipment.batch_id) == "recalled",
            values=values,
            errors=errors,
            error_labels=error_labels(request),
        )
