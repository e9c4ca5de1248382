"""Console pages of customers: the list with the form for a new one, and one customer with its
edit form and the shipments it received (one step back). Regulators read them, producers keep
their own. The forms go through `records`, the functions behind the API."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from schemas.customers import CUSTOMER_FIELDS, CUSTOMER_KINDS, CustomerCreate
from schemas.parties import gln_problem
from service.batches.customers import BUYER_READERS, queries, records
from service.batches.customers.countries import country_name, country_options
from service.batches.shipments import queries as shipment_queries
from service.console.i18n import gettext_for, language_of
from service.console.render import errors_text, flash, page
from service.core.auth import AuthUser, roles
from service.core.db import Db
from service.core.errors import NotFound
from service.core.forms import FormInvalid, decode_form, form_values, message_for
from service.core.gettext_marker import N_
from service.core.pagination import Cursor, next_cursor

AuthRequest = Request[AuthUser, Any, State]
READERS = roles(*BUYER_READERS)
PAGE_SIZE = 50
FIELD_LABELS = {
    "name": N_("Name"),
    "kind": N_("Kind of customer"),
    "country": N_("Country"),
    "city": N_("City"),
    "gln": N_("GLN"),
    "email": N_("Email"),
    "whatsapp": N_("WhatsApp number"),
}
KIND_LABELS = {
    "distributor": N_("distributor"),
    "retailer": N_("retailer (shop)"),
    "marketplace": N_("online marketplace"),
    "importer": N_("importer abroad"),
    "other": N_("other buyer"),
}
WHEN_EMPTY = {"kind": N_("Choose the kind of customer."), "country": N_("Choose a country.")}
# a WhatsApp number as people write it: "+62 812-3456-7890", "(+62) 812.3456.7890"
_NUMBER_GROUPING = re.compile(r"[\s().-]")
_THIRTEEN_DIGITS = re.compile(r"^[0-9]{13}$")


def customer_form(values: dict[str, str]) -> CustomerCreate:
    """The API's customer from the form, or FormInvalid naming every wrong field at once (the
    GLN's check digit too, which the schema checks only once every field has its shape)."""
    cleaned = dict(values)
    if cleaned.get("whatsapp"):
        cleaned["whatsapp"] = _NUMBER_GROUPING.sub("", cleaned["whatsapp"])
    gln = cleaned.get("gln", "")
    check_digit = gln_problem(gln) if _THIRTEEN_DIGITS.match(gln) else None
    try:
        return decode_form(cleaned, CustomerCreate, when_empty=WHEN_EMPTY)
    except FormInvalid as exc:
        if check_digit and all(error.field != "gln" for error in exc.errors):
            raise FormInvalid([*exc.errors, message_for("gln", check_digit)]) from None
        raise


def form_context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The choices and labels a customer form shows, in the reader's language."""
    _ = gettext_for(request)
    return {
        "kind_options": [(kind, _(KIND_LABELS[kind])) for kind in CUSTOMER_KINDS],
        "country_options": country_options(language_of(request)),
        "error_labels": {field: _(label) for field, label in FIELD_LABELS.items()},
    }


class CustomerPages(Controller):
    path = "/app/customers"
    include_in_schema = False

    @get("/", opt=READERS)
    async def list_page(self, request: AuthRequest, db: Db, cursor: Cursor = None) -> Template:
        """Customers, newest first; a producer also gets the form for a new one."""
        return await self._list(request, db, cursor, {"country": "ID"}, {})

    @post("/", opt=roles("producer"))
    async def create(self, request: AuthRequest, db: Db) -> Template | Redirect:
        """Record a customer: 303 to its page, or the list again with the form's errors."""
        values = form_values(await request.form(), CUSTOMER_FIELDS)
        try:
            customer = await records.create_customer(db, request.user, customer_form(values))
        except FormInvalid as exc:
            errors = errors_text(request, exc.errors)
            return await self._list(request, db, None, values, errors, exc.status_code)
        _ = gettext_for(request)
        flash(request, _("Customer %(name)s saved.") % {"name": customer.name})
        return Redirect(f"/app/customers/{customer.id}", status_code=303)

    async def _list(
        self,
        request: AuthRequest,
        db: Db,
        cursor: str | None,
        values: dict[str, str],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        rows = await queries.list_customers(db, request.user, limit=PAGE_SIZE, cursor=cursor)
        lang = language_of(request)
        customers = [queries.to_customer(r) for r in rows[:PAGE_SIZE]]
        return page(
            request,
            "batches/customer_list.html",
            status_code=status_code,
            customers=customers,
            countries={c.country: country_name(c.country, lang) for c in customers},
            next_cursor=next_cursor(rows, PAGE_SIZE),
            values=values,
            errors=errors,
            **form_context(request),
        )

    @get("/{customer_id:uuid}", opt=READERS)
    async def customer_page(
        self, request: AuthRequest, db: Db, customer_id: FromPath[UUID]
    ) -> Template:
        """One customer: its details, the edit form (its producer's) and what it received."""
        return await self._customer(request, db, customer_id, None, {})

    @post("/{customer_id:uuid}", opt=roles("producer"))
    async def update(
        self, request: AuthRequest, db: Db, customer_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Save the edited customer: 303 to its page, or the form again with its errors."""
        values = form_values(await request.form(), CUSTOMER_FIELDS)
        try:
            customer = await records.replace_customer(
                db, request.user, customer_id, customer_form(values)
            )
        except FormInvalid as exc:
            errors = errors_text(request, exc.errors)
            return await self._customer(request, db, customer_id, values, errors, exc.status_code)
        _ = gettext_for(request)
        flash(request, _("Customer %(name)s saved.") % {"name": customer.name})
        return Redirect(f"/app/customers/{customer_id}", status_code=303)

    async def _customer(
        self,
        request: AuthRequest,
        db: Db,
        customer_id: UUID,
        values: dict[str, str] | None,
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        customer = await queries.get_customer(db, customer_id, request.user)
        if customer is None:
            raise NotFound("customer")
        rows = await shipment_queries.list_shipments(
            db, request.user, customer_id=customer_id, limit=PAGE_SIZE, cursor=None
        )
        if values is None:
            values = {f: getattr(customer, f) or "" for f in CUSTOMER_FIELDS}
        return page(
            request,
            "batches/customer_page.html",
            status_code=status_code,
            c=customer,
            country=country_name(customer.country, language_of(request)),
            shipments=[shipment_queries.to_shipment(r) for r in rows[:PAGE_SIZE]],
            more=len(rows) > PAGE_SIZE,
            values=values,
            errors=errors,
            **form_context(request),
        )
