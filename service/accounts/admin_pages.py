"""The administrator's console pages of organizations, irradiators and the food-category table,
and the administration log (which regulators read too).

Each form decodes into the API's own request Struct and calls the function behind the API
(`administration.*`), so the rules are the same and each change lands in the audit log."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from labels.wording import PURPOSES
from schemas.accounts import IrradiatorCreate, OrganizationCreate, PurposeLimitChange
from service.accounts import administration, queries
from service.accounts.admin_log import admin_log_entries
from service.console.i18n import gettext_for
from service.console.render import errors_text, flash, page
from service.core.auth import AuthUser, roles
from service.core.db import Db
from service.core.errors import NotFound, RuleViolation
from service.core.forms import FieldError, FormInvalid, decode_form, form_values
from service.core.gettext_marker import N_
from service.core.pagination import Cursor, encode_cursor, next_cursor

AuthRequest = Request[AuthUser, Any, State]
ADMIN = roles("admin")
PAGE_SIZE = 50
ORGANIZATION_FIELDS = tuple(OrganizationCreate.__struct_fields__)
IRRADIATOR_FIELDS = tuple(IrradiatorCreate.__struct_fields__)
IRRADIATOR_RULE_FIELDS = {
    "not_a_facility": ("facility_id", N_("Choose an irradiation facility.")),
    "energy_above_limit": (
        "max_energy_mev",
        N_("Above the lawful energy: at most 10 MeV for an electron beam, 7.5 MeV for X-rays."),
    ),
}


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
        return self._organization_form(request, {"country": "Indonesia"}, {})

    @post("/organizations/new", opt=ADMIN)
    async def create_organization(self, request: AuthRequest, db: Db) -> Template | Redirect:
        """Create the organization (303 to the list), or the form again with its errors."""
        values = form_values(await request.form(), ORGANIZATION_FIELDS)
        try:
            data = decode_form(values, OrganizationCreate)
        except FormInvalid as exc:
            errors = errors_text(request, exc.errors)
            return self._organization_form(request, values, errors, exc.status_code)
        organization = await administration.create_organization(db, request.user, data)
        _ = gettext_for(request)
        flash(request, _("Organization %(name)s created.") % {"name": organization.name})
        return Redirect("/app/admin/organizations", status_code=303)

    def _organization_form(
        self,
        request: AuthRequest,
        values: dict[str, str],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        return page(
            request,
            "accounts/admin_organization_new.html",
            status_code=status_code,
            values=values,
            errors=errors,
        )

    @get("/irradiators", opt=ADMIN)
    async def irradiators_page(self, request: AuthRequest, db: Db) -> Template:
        """Every irradiator with its facility."""
        rows = await db.fetch(
            """SELECT i.id, i.name, i.source_type, i.activity_kci, i.max_energy_mev,
                      i.created_at, o.name AS facility_name, o.city AS facility_city
               FROM irradiators i JOIN organizations o ON o.id = i.facility_id
               ORDER BY o.name, i.created_at"""
        )
        return page(request, "accounts/admin_irradiators.html", irradiators=[dict(r) for r in rows])

    @get("/irradiators/new", opt=ADMIN)
    async def new_irradiator_page(self, request: AuthRequest, db: Db) -> Template:
        """An empty irradiator form."""
        return await self._irradiator_form(request, db, {"source_type": "cobalt-60"}, {})

    @post("/irradiators/new", opt=ADMIN)
    async def create_irradiator(self, request: AuthRequest, db: Db) -> Template | Redirect:
        """Register the irradiator (303 to the list), or the form again with its errors."""
        values = form_values(await request.form(), IRRADIATOR_FIELDS)
        errors: list[FieldError] = []
        status = 422
        try:
            data = decode_form(values, IrradiatorCreate)
            irradiator = await administration.create_irradiator(db, request.user, data)
        except FormInvalid as exc:
            errors, status = exc.errors, exc.status_code
        except RuleViolation as exc:
            field, msgid = IRRADIATOR_RULE_FIELDS.get(exc.code, ("", N_("Check this value.")))
            errors = [FieldError(field, msgid)]
        except NotFound:
            errors = [FieldError("facility_id", N_("Choose one of the options."))]
        if errors:
            return await self._irradiator_form(
                request, db, values, errors_text(request, errors), status
            )
        _ = gettext_for(request)
        flash(request, _("Irradiator %(name)s registered.") % {"name": irradiator.name})
        return Redirect("/app/admin/irradiators", status_code=303)

    async def _irradiator_form(
        self,
        request: AuthRequest,
        db: Db,
        values: dict[str, str],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        facilities = await queries.list_facilities(db, limit=500, cursor=None)
        return page(
            request,
            "accounts/admin_irradiator_new.html",
            status_code=status_code,
            values=values,
            errors=errors,
            facilities=facilities,
        )

    @get("/food-categories", opt=ADMIN)
    async def food_categories_page(self, request: AuthRequest, db: Db) -> Template:
        """The Annex I table: each category's purposes, maximum dose, source and whether the
        row was read from the regulation itself."""
        return await self._food_categories(request, db, None, {}, {})

    @post("/food-categories/{category:str}/{purpose:str}", opt=ADMIN)
    async def change_purpose_limit(
        self, request: AuthRequest, db: Db, category: FromPath[str], purpose: FromPath[str]
    ) -> Template | Redirect:
        """Correct one row (303 back to the table), or the table with the row's errors."""
        form = await request.form()
        values = form_values(form, ["max_dose_kgy", "source"])
        # an unchecked box sends nothing: not confirmed
        values["confirmed"] = "true" if form.get("confirmed") else "false"
        row_key = f"{category}/{purpose}"
        try:
            data = decode_form(values, PurposeLimitChange)
        except FormInvalid as exc:
            errors = errors_text(request, exc.errors)
            return await self._food_categories(request, db, row_key, values, errors, 400)
        await administration.change_purpose_limit(db, request.user, category, purpose, data)
        _ = gettext_for(request)
        flash(request, _("The row %(row)s is saved.") % {"row": f"{category} · {purpose}"})
        return Redirect(f"/app/admin/food-categories#{category}-{purpose}", status_code=303)

    async def _food_categories(
        self,
        request: AuthRequest,
        db: Db,
        row_key: str | None,
        values: dict[str, str],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        return page(
            request,
            "accounts/admin_food_categories.html",
            status_code=status_code,
            categories=await queries.list_food_categories(db),
            purpose_names=PURPOSES,
            row_key=row_key,
            values=values,
            errors=errors,
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
            details=[msgspec.json.encode(e.details).decode() for e in entries],
            next_cursor=encode_cursor(entries[-1].created_at, entries[-1].id) if more else None,
        )
