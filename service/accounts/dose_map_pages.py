"""The administrator's console pages of an irradiator's dose maps (SPEC §10:
`/app/admin/irradiators/{id}/dose-maps`): every map with its versions, a new map, and a new
version of a map (SPEC §3.2 "Editing"). They call the functions behind POST and PATCH
/api/v1/irradiators/{id}/dose-maps, so the rules and the admin log are the same."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.exceptions import ValidationException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from schemas.dose_maps import DoseMap, DoseMapCreate, DoseMapPatch
from service.accounts import dose_maps, queries
from service.console.form import Form, Refusals
from service.console.i18n import gettext_for, language_of
from service.console.render import flash, page
from service.core.auth import AuthUser, roles
from service.core.db import Db
from service.core.errors import Conflict, NotFound
from service.core.forms import FieldError
from service.core.gettext_marker import N_
from service.core.prefill import prefilled

AuthRequest = Request[AuthUser, Any, State]
ADMIN = roles("admin")
MAP_FIELDS = tuple(DoseMapCreate.__struct_fields__)
# the form's own words for the ratio bounds (a study finds 0.2 to 1 and 1 to 5)
MAP_HINTS = {
    "ratio_min": N_("Enter a ratio between 0,2 and 1."),
    "ratio_max": N_("Enter a ratio between 1 and 5."),
}


def _with_hints(form: Form) -> Form:
    """The form with its ratio fields' messages in the form's own words."""
    form.errors = [
        FieldError(e.field, MAP_HINTS[e.field]) if e.field in MAP_HINTS else e for e in form.errors
    ]
    return form


def _whole_map_refused(exc: ValidationException) -> list[FieldError]:
    """The service's check of the whole map (its ratios together), on the fields it names."""
    fields = [e.get("key", "") for e in exc.extra] if isinstance(exc.extra, list) else []
    return [FieldError(field, N_("Check this value.")) for field in fields or [""]]


MAP_REFUSALS: Refusals = {"invalid_value": _whole_map_refused}


async def _irradiator(db: Db, irradiator_id: UUID) -> asyncpg.Record:
    row = await queries.irradiator_heading(db, irradiator_id)
    if row is None:
        raise NotFound("irradiator")
    return row


async def _every_map(db: Db, user: AuthUser, irradiator_id: UUID) -> list[DoseMap]:
    maps: list[DoseMap] = []
    cursor = None
    while True:  # an irradiator has a handful of maps; pages of 200 keep to the API's rule
        found = await dose_maps.list_dose_maps(db, user, irradiator_id, 200, cursor)
        maps.extend(found.items)
        if found.next_cursor is None:
            return maps
        cursor = found.next_cursor


class DoseMapPages(Controller):
    path = "/app/admin/irradiators/{irradiator_id:uuid}/dose-maps"
    include_in_schema = False

    @get("/", opt=ADMIN)
    async def maps_page(
        self, request: AuthRequest, db: Db, irradiator_id: FromPath[UUID]
    ) -> Template:
        """The irradiator's maps, newest first, and the form of a new one."""
        return await self._maps(request, db, irradiator_id, Form(request))

    @post("/", opt=ADMIN)
    async def create_map(
        self, request: AuthRequest, db: Db, irradiator_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Record the map (303 back to the list), or the page with the form's errors."""
        form = await Form.read(request, MAP_FIELDS)
        data = form.decode(DoseMapCreate)
        if data is not None:
            with form.refusals(MAP_REFUSALS):
                created = await dose_maps.create_dose_map(db, request.user, irradiator_id, data)
        if data is None or not form.ok:
            return await self._maps(request, db, irradiator_id, _with_hints(form))
        _ = gettext_for(request)
        flash(request, _("Dose map %(name)s recorded.") % {"name": created.name})
        return Redirect(f"/app/admin/irradiators/{irradiator_id}/dose-maps", status_code=303)

    async def _maps(
        self,
        request: AuthRequest,
        db: Db,
        irradiator_id: UUID,
        form: Form,
    ) -> Template:
        irradiator = await _irradiator(db, irradiator_id)
        return page(
            request,
            "accounts/admin_dose_maps.html",
            status_code=form.status_code,
            irradiator=irradiator,
            maps=await _every_map(db, request.user, irradiator_id),
            **form.context(),
        )

    @get("/{dose_map_id:uuid}/edit", opt=ADMIN)
    async def version_page(
        self,
        request: AuthRequest,
        db: Db,
        irradiator_id: FromPath[UUID],
        dose_map_id: FromPath[UUID],
    ) -> Template:
        """The map's form, filled in: saving it makes the next version."""
        current = await _map(db, request.user, irradiator_id, dose_map_id)
        values = prefilled(msgspec.structs.asdict(current), MAP_FIELDS, language_of(request))
        return await self._version_form(request, db, current, Form(request, values))

    @post("/{dose_map_id:uuid}/edit", opt=ADMIN)
    async def new_version(
        self,
        request: AuthRequest,
        db: Db,
        irradiator_id: FromPath[UUID],
        dose_map_id: FromPath[UUID],
    ) -> Template | Redirect:
        """Record the next version (303 to the list), or the form again with every error."""
        current = await _map(db, request.user, irradiator_id, dose_map_id)
        form = await Form.read(request, MAP_FIELDS)
        _ = gettext_for(request)
        data = form.decode(DoseMapCreate)
        if data is not None:
            changed = {
                field: getattr(data, field)
                for field in MAP_FIELDS
                if getattr(data, field) != getattr(current, field)
            }
            patch = msgspec.convert(msgspec.to_builtins(changed), DoseMapPatch)
            try:
                with form.refusals(MAP_REFUSALS):
                    saved = await dose_maps.new_dose_map_version(
                        db, request.user, irradiator_id, dose_map_id, patch
                    )
            except Conflict:  # replaced meanwhile: the list shows the newest version
                flash(request, _("This dose map has a newer version: edit that one."), "warning")
                return Redirect(
                    f"/app/admin/irradiators/{irradiator_id}/dose-maps", status_code=303
                )
        if data is None or not form.ok:
            return await self._version_form(request, db, current, _with_hints(form))
        if saved.id == current.id:
            flash(request, _("Nothing was changed."))
        else:
            flash(
                request,
                _("Dose map %(name)s saved as version %(version)s.")
                % {"name": saved.name, "version": saved.version},
            )
        return Redirect(f"/app/admin/irradiators/{irradiator_id}/dose-maps", status_code=303)

    async def _version_form(
        self,
        request: AuthRequest,
        db: Db,
        current: DoseMap,
        form: Form,
    ) -> Template:
        return page(
            request,
            "accounts/admin_dose_map_edit.html",
            status_code=form.status_code,
            irradiator=await _irradiator(db, current.irradiator_id),
            m=current,
            **form.context(),
        )


async def _map(db: Db, user: AuthUser, irradiator_id: UUID, dose_map_id: UUID) -> DoseMap:
    found = next(
        (m for m in await _every_map(db, user, irradiator_id) if m.id == dose_map_id), None
    )
    if found is None:
        raise NotFound("dose map")
    return found
