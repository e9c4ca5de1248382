"""The administrator's console pages that edit organizations, irradiators and users, and enable
a disabled user again (SPEC §3.2 "Editing", §10: `/app/admin/…/{id}/edit`).

Each form is filled with the record as it stands and checked field by field as a new record
would be, so every problem shows after one post; what changed becomes the merge patch the API
takes, handed to the same function (`editing.*`), so the rules are the same and each change
lands in the admin log with before and after."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.exceptions import ValidationException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from schemas.account_edits import IrradiatorPatch, OrganizationPatch, UserPatch
from schemas.accounts import IrradiatorCreate, LicenceNo, OrganizationCreate, UserCreate
from service.accounts import editing, queries, rules
from service.accounts.admin_pages import IRRADIATOR_REFUSALS
from service.accounts.user_pages import USER_REFUSALS
from service.console.form import MALFORMED, Form, on_the_form
from service.console.i18n import gettext_for, language_of
from service.console.render import flash, page
from service.core.auth import AuthUser, roles
from service.core.db import Db
from service.core.errors import NotFound
from service.core.forms import FieldError
from service.core.gettext_marker import N_
from service.core.prefill import prefilled

AuthRequest = Request[AuthUser, Any, State]
ADMIN = roles("admin")
ORGANIZATION_FIELDS = ("name", "address", "city", "province", "country", "phone", "nib")
LICENCE_FIELDS = ("licence_no", "licence_valid_from", "licence_valid_until")
IRRADIATOR_FIELDS = ("name", "source_type", "activity_kci", "max_energy_mev")
USER_FIELDS = ("name", "role")
T = TypeVar("T")


class LicenceForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A facility's licence as its edit form sends it: each field checked on its own."""

    licence_no: LicenceNo | None = None
    licence_valid_from: date | None = None
    licence_valid_until: date | None = None


def _changed(record: Any, data: msgspec.Struct, names: tuple[str, ...]) -> dict[str, Any]:
    """The fields of `data` that differ from the stored `record`."""
    return {name: getattr(data, name) for name in names if getattr(data, name) != record[name]}


def _as_patch(form: Form, changes: dict[str, Any], patch_type: type[T]) -> T | None:
    """The changes as the API's patch Struct, or None with the cross-field rule it breaks noted
    on its field."""
    try:
        return msgspec.convert(msgspec.to_builtins(changes), patch_type)
    except msgspec.ValidationError as exc:
        field, _, message = str(exc).partition(": ")
        form.fail([FieldError(field if message else "", N_("Check this value."))], MALFORMED)
        return None


def _licence_changes(form: Form, row: asyncpg.Record, licence: LicenceForm) -> dict[str, Any]:
    """A facility's licence renewal as changes, or none; a licence is renewed, never removed,
    and a renewal gives its number and last valid day together."""
    if licence.licence_no is None and row["licence_no"] is not None:
        message = N_("A licence is renewed, never removed: give its number.")
        form.fail([FieldError("licence_no", message)], MALFORMED)
        return {}
    renewed = (
        licence.licence_no != row["licence_no"]
        or licence.licence_valid_until != row["licence_valid_until"]
        or licence.licence_valid_from is not None
    )
    if not renewed:
        return {}
    form.expect(
        licence.licence_valid_until is not None,
        "licence_valid_until",
        N_("Give the licence number and its last valid day together."),
        status_code=MALFORMED,
    )
    return {
        field: getattr(licence, field)
        for field in LICENCE_FIELDS
        if getattr(licence, field) is not None
    }


def _patch(
    form: Form, row: asyncpg.Record, data: Any, names: tuple[str, ...], patch_type: type[T]
) -> T | None:
    """What the decoded form changes in the stored `row`, as the API's patch Struct; None when
    the form has a problem (noted on it)."""
    if data is None or not form.ok:
        return None
    return _as_patch(form, _changed(row, data, names), patch_type)


def _service_field_errors(exc: ValidationException) -> list[FieldError]:
    """A 400 of the service (a licence period that ends before it begins) on its field."""
    items = exc.extra if isinstance(exc.extra, list) else []
    return [
        FieldError(
            str(item.get("key", "")),
            N_("The last day must not be before the first day.")
            if "before" in str(item.get("message", ""))
            else N_("Give the licence number and its last valid day together."),
        )
        for item in items
    ]


async def _row(db: Db, table: str, row_id: UUID, what: str) -> asyncpg.Record:
    row = await queries.editable_row(db, table, row_id)
    if row is None:
        raise NotFound(what)
    return row


class AdminEditPages(Controller):
    path = "/app/admin"
    include_in_schema = False

    # --- organizations -------------------------------------------------------------------

    @get("/organizations/{organization_id:uuid}/edit", opt=ADMIN)
    async def organization_page(
        self, request: AuthRequest, db: Db, organization_id: FromPath[UUID]
    ) -> Template:
        """The organization's form, filled in; a facility's with its licence periods."""
        row = await _row(db, "organizations", organization_id, "organization")
        values = prefilled(row, ORGANIZATION_FIELDS + LICENCE_FIELDS, language_of(request))
        values["licence_valid_from"] = ""  # a renewal's first day: the service's default
        return await self._organization_form(request, db, row, Form(request, values))

    @post("/organizations/{organization_id:uuid}/edit", opt=ADMIN)
    async def edit_organization(
        self, request: AuthRequest, db: Db, organization_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Save the changes (303 to the list), or the form again with every error."""
        row = await _row(db, "organizations", organization_id, "organization")
        facility = row["kind"] == "facility"
        form = await Form.read(request, ORGANIZATION_FIELDS + (LICENCE_FIELDS if facility else ()))
        # the licence is read on its own below (LicenceForm), so that each field is checked
        data = form.decode(
            OrganizationCreate, kind=row["kind"], licence_no=None, licence_valid_until=None
        )
        licence = form.decode(LicenceForm) if facility else None
        changes = _changed(row, data, ORGANIZATION_FIELDS) if data is not None else {}
        if licence is not None:
            changes |= _licence_changes(form, row, licence)
        patch = _as_patch(form, changes, OrganizationPatch) if form.ok else None
        if patch is not None:
            with form.refusals({}, otherwise=on_the_form):
                try:
                    updated = await editing.edit_organization(
                        db, request.user, organization_id, patch
                    )
                except ValidationException as exc:
                    form.fail(_service_field_errors(exc), MALFORMED)
        if not form.ok:
            return await self._organization_form(request, db, row, form)
        _ = gettext_for(request)
        flash(request, _("Organization %(name)s saved.") % {"name": updated.name})
        return Redirect("/app/admin/organizations", status_code=303)

    async def _organization_form(
        self, request: AuthRequest, db: Db, row: asyncpg.Record, form: Form
    ) -> Template:
        periods = await queries.licence_periods(db, row["id"]) if row["kind"] == "facility" else []
        valid_until: date | None = row["licence_valid_until"]
        return page(
            request,
            "accounts/admin_organization_edit.html",
            status_code=form.status_code,
            o=row,
            periods=periods,
            # where a renewal that follows on from the current licence begins
            renewal_from=valid_until + timedelta(days=1) if valid_until else None,
            **form.context(),
        )

    # --- irradiators ---------------------------------------------------------------------

    @get("/irradiators/{irradiator_id:uuid}/edit", opt=ADMIN)
    async def irradiator_page(
        self, request: AuthRequest, db: Db, irradiator_id: FromPath[UUID]
    ) -> Template:
        """The irradiator's form, filled in."""
        row = await _row(db, "irradiators", irradiator_id, "irradiator")
        values = prefilled(row, IRRADIATOR_FIELDS, language_of(request))
        return await self._irradiator_form(request, db, row, Form(request, values))

    @post("/irradiators/{irradiator_id:uuid}/edit", opt=ADMIN)
    async def edit_irradiator(
        self, request: AuthRequest, db: Db, irradiator_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Save the changes (303 to the list), or the form again with every error."""
        row = await _row(db, "irradiators", irradiator_id, "irradiator")
        form = await Form.read(request, IRRADIATOR_FIELDS)
        data = form.decode(IrradiatorCreate, facility_id=row["facility_id"])
        patch = _patch(form, row, data, IRRADIATOR_FIELDS, IrradiatorPatch)
        if patch is not None:
            with form.refusals(IRRADIATOR_REFUSALS, otherwise=on_the_form):
                updated = await editing.edit_irradiator(db, request.user, irradiator_id, patch)
        if not form.ok:
            return await self._irradiator_form(request, db, row, form)
        _ = gettext_for(request)
        flash(request, _("Irradiator %(name)s saved.") % {"name": updated.name})
        return Redirect("/app/admin/irradiators", status_code=303)

    async def _irradiator_form(
        self, request: AuthRequest, db: Db, row: asyncpg.Record, form: Form
    ) -> Template:
        facility = await queries.get_organization(db, row["facility_id"])
        return page(
            request,
            "accounts/admin_irradiator_edit.html",
            status_code=form.status_code,
            i=row,
            facility=facility,
            **form.context(),
        )

    # --- users ---------------------------------------------------------------------------

    @get("/users/{user_id:uuid}/edit", opt=ADMIN)
    async def user_page(self, request: AuthRequest, db: Db, user_id: FromPath[UUID]) -> Template:
        """The user's name and role, filled in."""
        row = await _row(db, "users", user_id, "user")
        values = prefilled(row, USER_FIELDS, language_of(request))
        return await self._user_form(request, db, row, Form(request, values))

    @post("/users/{user_id:uuid}/edit", opt=ADMIN)
    async def edit_user(
        self, request: AuthRequest, db: Db, user_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Save the changes (303 to the list), or the form again with every error."""
        row = await _row(db, "users", user_id, "user")
        form = await Form.read(request, USER_FIELDS)
        data = form.decode(UserCreate, organization_id=row["organization_id"], email=None)
        patch = _patch(form, row, data, USER_FIELDS, UserPatch)
        if patch is not None:
            with form.refusals(USER_REFUSALS, otherwise=on_the_form):
                updated = await editing.edit_user(
                    db, request.user, user_id, patch, request.app.state.token_cache
                )
        if not form.ok:
            return await self._user_form(request, db, row, form)
        _ = gettext_for(request)
        flash(request, _("The account of %(name)s is saved.") % {"name": updated.name})
        return Redirect("/app/admin/users", status_code=303)

    async def _user_form(
        self, request: AuthRequest, db: Db, row: asyncpg.Record, form: Form
    ) -> Template:
        organization = (
            await queries.get_organization(db, row["organization_id"])
            if row["organization_id"]
            else None
        )
        # only the roles the organization holds are offered (an administrator stays one)
        fitting = (
            sorted(rules.ROLES_BY_ORGANIZATION_KIND[organization.kind])
            if organization
            else ["admin"]
        )
        return page(
            request,
            "accounts/admin_user_edit.html",
            status_code=form.status_code,
            u=row,
            organization=organization,
            fitting_roles=fitting,
            **form.context(),
        )

    @post("/users/{user_id:uuid}/enable", opt=ADMIN)
    async def enable_user(self, request: AuthRequest, db: Db, user_id: FromPath[UUID]) -> Redirect:
        """Let the person sign in again; their old API tokens stay revoked."""
        line = await editing.enable_user(db, request.user, user_id)
        _ = gettext_for(request)
        flash(
            request,
            _(
                "%(name)s can sign in again. The API tokens revoked when the account was "
                "disabled stay revoked."
            )
            % {"name": line.name},
        )
        return Redirect("/app/admin/users", status_code=303)
