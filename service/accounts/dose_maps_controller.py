"""The endpoints of an irradiator's dose maps (the rules and SQL are in `dose_maps`)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from schemas.common import Page
from schemas.dose_maps import DoseMap, DoseMapCreate, DoseMapPatch
from service.accounts import dose_maps
from service.core.auth import AuthUser, roles
from service.core.db import Db
from service.core.pagination import Cursor, Limit


class DoseMapsController(Controller):
    path = "/api/v1/irradiators/{irradiator_id:uuid}/dose-maps"
    tags = ["accounts"]

    @post(operation_id="createDoseMap", opt=roles("admin", "qa"))
    async def create_dose_map(
        self,
        request: Request[AuthUser, None, State],
        db: Db,
        irradiator_id: FromPath[UUID],
        data: JSONBody[DoseMapCreate],
    ) -> DoseMap:
        """Record a dose map (performance qualification) of an irradiator: the ratios of the
        product's lowest and highest dose to the reference position's, and the dosimetry
        system's expanded uncertainty. Admin, or a QA officer of the irradiator's facility."""
        return await dose_maps.create_dose_map(db, request.user, irradiator_id, data)

    @get(operation_id="listDoseMaps", opt=roles("admin", "operator", "qa", "regulator"))
    async def list_dose_maps(
        self,
        request: Request[AuthUser, None, State],
        db: Db,
        irradiator_id: FromPath[UUID],
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[DoseMap]:
        """The irradiator's dose maps, newest first (a treatment names one by `dose_map_id`)."""
        return await dose_maps.list_dose_maps(db, request.user, irradiator_id, limit, cursor)

    @patch(
        "/{dose_map_id:uuid}",
        operation_id="newDoseMapVersion",
        opt=roles("admin", "qa"),
    )
    async def new_dose_map_version(
        self,
        request: Request[AuthUser, None, State],
        db: Db,
        irradiator_id: FromPath[UUID],
        dose_map_id: FromPath[UUID],
        data: JSONBody[DoseMapPatch],
    ) -> DoseMap:
        """Change a dose map by a new version (a JSON merge patch): the answer is a new map,
        with its own id, `version` one more and `replaces_id` the map patched, held to the
        rules of a new map. The old map stays as the treatments that used it used it; a new
        treatment naming it is refused (422 `dose_map_replaced`). Only the newest version
        takes a patch (409 `dose_map_replaced` names it). Admin, or a QA officer of the
        irradiator's facility; each version is in the admin log with before and after."""
        return await dose_maps.new_dose_map_version(
            db, request.user, irradiator_id, dose_map_id, data
        )
