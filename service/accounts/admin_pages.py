"""The administrator's console pages of organizations, irradiators and the food-category table,
and the administration log (which regulators read too).

Each form decodes into the API's own request Struct and calls the function behind the API
(`administration.*`), so the rules are the same and each change lands in the audit log."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from labels.wording import PURPOSES
from schemas.accounts import (
    MAX_ENERGY_MEV,
    SOURCE_TYPES,
    IrradiatorCreate,
    OrganizationCreate,
    PurposeLimitChange,
)
from service.accounts import administration, queries
from service.accounts.admin_log import admin_log_entries
from service.console.form import Form, Refusals, on_the_form
from service.console.i18n import gettext_for
from service.console.render import flash, page
from service.core.auth import AuthUser, roles
from service.core.code_names import SOURCE_TYPE_NAMES
from service.core.db import Db
from service.core.forms import FieldError
from service.core.gettext_marker import N_
from service.core.pagination import Cursor, encode_cursor, next_cursor

AuthRequest = Request[AuthUser, Any, State]
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}(T|$)")
ADMIN = roles("admin")
PAGE_SIZE = 50
ORGANIZATION_FIELDS = tuple(OrganizationCreate.__struct_fields__)
IRRADIATOR_FIELDS = tuple(IrradiatorCreate.__struct_fields__)
# the machine sources' limits, as the form's hint and message name them
ENERGY_LIMITS = {"beam": MAX_ENERGY_MEV["electron-beam"], "xray": MAX_ENERGY_MEV["x-ray"]}
# each refusal of the irradiator rules, as the message next to its field
IRRADIATOR_REFUSALS: Refusals = {
    "not_a_facility": ("facility_id", N_("Choose an irradiation facility.")),
    "energy_above_limit": lambda _: [
        FieldError(
            "max_energy_mev",
            N_(
                "Above the lawful energy: at most %(beam)s MeV for an electron beam, %(xray)s "
                "MeV for X-rays."
            ),
            ENERGY_LIMITS,
        )
    ],
    "unknown organization": ("facility_id", N_("Choose one of the options.")),
}


def _typed(value: Any) -> Any:
    """A value as the log stored it (JSON), with dates and times typed again for the page."""
    if isinstance(value, str) and _ISO_DAY.match(value):
        try:
            return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return value
    return value


def changed_fields(details: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """An edit's fields as (field, before, after), in the order the entry names them."""
    before, after = details.get("before"), details.get("after")
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    return [(field, _typed(before.get(field)), _typed(after[field])) for field in after]


def other_details(details: dict[str, Any]) -> list[tuple[str, Any]]:
    """What an entry says besides an edit's before and after, as (field, value) to name on the
    page. Ids are left out: the entry names its record, and the API's log keeps every id."""
    return [
        (key, _typed(value))
        for key, value in details.items()
        if key not in ("before", "after") and not key.endswith("_id")
    ]


class AdminPages(Controller):
    path = "/app/admin"
    include_in_schema = False

    @get("/organizations", opt=ADMIN)
    async def organizations_page(
        self, request: AuthRequest, db: Db, cursor: Cursor = None
    ) -> Template:
        """Every organization, newest first, with a facility's licence."""
        rows = await queries.list_organizations(db, kind=None, limit=PAGE_SIZE, cursor=cursor)
        return page(
            request,
            "accounts/admin_organizations.html",
            organizations=[dict(r) for r in rows[:PAGE_SIZE]],
            next_cursor=next_cursor(rows, PAGE_SIZE),
        )

    @get("/organizations/new", opt=ADMIN)
    async def new_organization_page(self, request: AuthRequest) -> Template:
        """An empty organization form."""
        return self._organization_form(request, Form(request, {"country": "Indonesia"}))

    @post("/organizations/new", opt=ADMIN)
    async def create_organization(self, request: AuthRequest, db: Db) -> Template | Redirect:
        """Create the organization (303 to the list), or the form again with its errors."""
        form = await Form.read(request, ORGANIZATION_FIELDS)
        data = form.decode(OrganizationCreate)
        if data is None:
            return self._organization_form(request, form)
        organization = await administration.create_organization(db, request.user, data)
        _ = gettext_for(request)
        flash(request, _("Organization %(name)s created.") % {"name": organization.name})
        return Redirect("/app/admin/organizations", status_code=303)

    def _organization_form(self, request: AuthRequest, form: Form) -> Template:
        return page(
            request,
            "accounts/admin_organization_new.html",
            status_code=form.status_code,
            **form.context(),
        )

    @get("/irradiators", opt=ADMIN)
    async def irradiators_page(self, request: AuthRequest, db: Db) -> Template:
        """Every irradiator with its facility."""
        rows = await queries.irradiators_with_facilities(db)
        return page(request, "accounts/admin_irradiators.html", irradiators=[dict(r) for r in rows])

    @get("/irradiators/new", opt=ADMIN)
    async def new_irradiator_page(self, request: AuthRequest, db: Db) -> Template:
        """An empty irradiator form."""
        form = Form(request, {"source_type": SOURCE_TYPES[0]})
        return await self._irradiator_form(request, db, form)

    @post("/irradiators/new", opt=ADMIN)
    async def create_irradiator(self, request: AuthRequest, db: Db) -> Template | Redirect:
        """Register the irradiator (303 to the list), or the form again with its errors."""
        form = await Form.read(request, IRRADIATOR_FIELDS)
        data = form.decode(IrradiatorCreate)
        if data is not None:
            with form.refusals(IRRADIATOR_REFUSALS, otherwise=on_the_form):
                irradiator = await administration.create_irradiator(db, request.user, data)
        if not form.ok:
            return await self._irradiator_form(request, db, form)
        _ = gettext_for(request)
        flash(request, _("Irradiator %(name)s registered.") % {"name": irradiator.name})
        return Redirect("/app/admin/irradiators", status_code=303)

    async def _irradiator_form(self, request: AuthRequest, db: Db, form: Form) -> Template:
        facilities = await queries.list_facilities(db, limit=500, cursor=None)
        _ = gettext_for(request)
        return page(
            request,
            "accounts/admin_irradiator_new.html",
            status_code=form.status_code,
            facilities=facilities,
            source_types=[(kind, _(SOURCE_TYPE_NAMES[kind])) for kind in SOURCE_TYPES],
            energy_limits=ENERGY_LIMITS,
            **form.context(),
        )

    @get("/food-categories", opt=ADMIN)
    async def food_categories_page(self, request: AuthRequest, db: Db) -> Template:
        """The Annex I table: each category's purposes, maximum dose, source and whether the
        row was read from the regulation itself."""
        return await self._food_categories(request, db, None, Form(request))

    @post("/food-categories/{category:str}/{purpose:str}", opt=ADMIN)
    async def change_purpose_limit(
        self, request: AuthRequest, db: Db, category: FromPath[str], purpose: FromPath[str]
    ) -> Template | Redirect:
        """Correct one row (303 back to the table), or the table with the row's errors."""
        form = await Form.read(request, ["max_dose_kgy", "source"])
        # an unchecked box sends nothing: not confirmed
        form.values["confirmed"] = "true" if form.post.get("confirmed") else "false"
        data = form.decode(PurposeLimitChange)
        if data is None:
            return await self._food_categories(request, db, f"{category}/{purpose}", form)
        await administration.change_purpose_limit(db, request.user, category, purpose, data)
        _ = gettext_for(request)
        flash(request, _("The row %(row)s is saved.") % {"row": f"{category} · {purpose}"})
        return Redirect(f"/app/admin/food-categories#{category}-{purpose}", status_code=303)

    async def _food_categories(
        self, request: AuthRequest, db: Db, row_key: str | None, form: Form
    ) -> Template:
        return page(
            request,
            "accounts/admin_food_categories.html",
            status_code=form.status_code,
            categories=await queries.list_food_categories(db),
            purpose_names=PURPOSES,
            row_key=row_key,
            **form.context(),
        )

    @get("/log", opt=roles("admin", "regulator"))
    async def log_page(self, request: AuthRequest, db: Db, cursor: Cursor = None) -> Template:
        """Every administrative change, newest first: who, what, when."""
        entries = await admin_log_entries(db, limit=PAGE_SIZE, cursor=cursor)
        more = len(entries) > PAGE_SIZE
        entries = entries[:PAGE_SIZE]
        return page(
            request,
            "accounts/admin_log.html",
            entries=entries,
            changes=[changed_fields(e.details) for e in entries],
            details=[other_details(e.details) for e in entries],
            next_cursor=encode_cursor(entries[-1].created_at, entries[-1].id) if more else None,
        )
