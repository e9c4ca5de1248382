"""HTTP endpoints that edit organizations, irradiators and users (SPEC §3.2 "Editing"): JSON
merge patches answered 200 with the record as it now stands, each change in the admin log with
before and after (the rules are in `editing`)."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from schemas.account_edits import IrradiatorPatch, LicencePeriod, OrganizationPatch, UserPatch
from schemas.accounts import Irradiator, Organization, UserLine
from service.accounts import editing, queries
from service.core.auth import AuthUser, roles
from service.core.db import Db
from service.core.errors import NotFound

AuthRequest = Request[AuthUser, None, State]


class AccountEditsController(Controller):
    path = "/api/v1"
    tags = ["accounts"]

    @patch(
        "/organizations/{organization_id:uuid}",
        operation_id="editOrganization",
        opt=roles("admin"),
    )
    async def edit_organization(
        self,
        request: AuthRequest,
        db: Db,
        organization_id: FromPath[UUID],
        data: JSONBody[OrganizationPatch],
    ) -> Organization:
        """Change an organization's name, address, city, province, country, phone or NIB, or
        renew a facility's BAPETEN licence (`licence_no`, `licence_valid_until`, and
        `licence_valid_from` when the new licence did not follow on from the old one). Each
        change of the licence adds a period; release checks the day a batch was treated
        against every period, so a renewal frees the batches treated within its period. Only a
        facility holds a licence (422 `not_a_facility`); id and kind never change (422
        `immutable_field`)."""
        return await editing.edit_organization(db, request.user, organization_id, data)

    @get(
        "/organizations/{organization_id:uuid}/licences",
        operation_id="listLicencePeriods",
        opt=roles("admin", "regulator"),
    )
    async def licence_periods(self, db: Db, organization_id: FromPath[UUID]) -> list[LicencePeriod]:
        """Every BAPETEN licence period of a facility, the newest recorded first."""
        if await queries.get_organization(db, organization_id) is None:
            raise NotFound("organization")
        rows = await queries.licence_periods(db, organization_id)
        return [msgspec.convert(dict(r), LicencePeriod) for r in rows]

    @patch("/irradiators/{irradiator_id:uuid}", operation_id="editIrradiator", opt=roles("admin"))
    async def edit_irradiator(
        self,
        request: AuthRequest,
        db: Db,
        irradiator_id: FromPath[UUID],
        data: JSONBody[IrradiatorPatch],
    ) -> Irradiator:
        """Change an irradiator's name, source type, activity or maximum energy, under the
        rules of a new one (422 `energy_above_limit`). A treatment keeps the irradiator's
        details as they were when it was recorded: an edit never rewrites a past treatment.
        The facility never changes (422 `immutable_field`)."""
        return await editing.edit_irradiator(db, request.user, irradiator_id, data)

    @patch("/users/{user_id:uuid}", operation_id="editUser", opt=roles("admin"))
    async def edit_user(
        self, request: AuthRequest, db: Db, user_id: FromPath[UUID], data: JSONBody[UserPatch]
    ) -> UserLine:
        """Change a user's name or role. The role must fit the organization (422
        `role_does_not_fit_organization`, `organization_required`,
        `admin_has_no_organization`) and holds at once for the user's sessions and tokens;
        the organization never changes (422 `immutable_field`)."""
        return await editing.edit_user(
            db, request.user, user_id, data, request.app.state.token_cache
        )

    @post(
        "/users/{user_id:uuid}/enable",
        operation_id="enableUser",
        opt=roles("admin"),
        status_code=200,
    )
    async def enable_user(self, request: AuthRequest, db: Db, user_id: FromPath[UUID]) -> UserLine:
        """Let a disabled user sign in again. The API tokens the disable revoked stay revoked
        and its invite links stay used: the person signs in with their password (or a new
        invite) and makes new tokens. Enabling an active user changes nothing."""
        return await editing.enable_user(db, request.user, user_id)
