"""The administrator's page of a facility's approvals for export markets
(`/app/admin/organizations/{id}/approvals`): the approvals on record and a form to add one, for
the same function as `POST /api/v1/organizations/{id}/approvals`. Without an approval the
market check refuses every shipment to a market that asks for one (the EU's list, the FDA's
registration, APHIS, GACC), so this page is where an export becomes possible."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from schemas.markets import FacilityApprovalCreate
from service.accounts import queries as account_queries
from service.accounts.markets import administration, queries
from service.console.form import Form, Refusals
from service.console.i18n import gettext_for
from service.console.render import flash, page
from service.core.auth import AuthUser, roles
from service.core.db import Db
from service.core.errors import NotFound
from service.core.gettext_marker import N_

AuthRequest = Request[AuthUser, Any, State]
ADMIN = roles("admin")
APPROVAL_FIELDS = tuple(FacilityApprovalCreate.__struct_fields__)
APPROVAL_REFUSALS: Refusals = {
    "market_unknown": ("market", N_("Choose a market from the list.")),
}


class ApprovalPages(Controller):
    path = "/app/admin/organizations"
    include_in_schema = False

    @get("/{organization_id:uuid}/approvals", opt=ADMIN)
    async def approvals_page(
        self, request: AuthRequest, db: Db, organization_id: FromPath[UUID]
    ) -> Template:
        """The facility's approvals and the form to add one."""
        return await self._page(request, db, organization_id, Form(request, {}))

    @post("/{organization_id:uuid}/approvals", opt=ADMIN)
    async def add_approval(
        self, request: AuthRequest, db: Db, organization_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Record the approval (303 back to the list), or the form again with every error."""
        await _facility(db, organization_id)
        form = await Form.read(request, APPROVAL_FIELDS)
        data = form.decode(FacilityApprovalCreate)
        if data is not None:
            with form.refusals(APPROVAL_REFUSALS):
                await administration.add_approval(db, request.user, organization_id, data)
        if not form.ok:
            return await self._page(request, db, organization_id, form)
        _ = gettext_for(request)
        flash(request, _("The approval is recorded."))
        return Redirect(f"/app/admin/organizations/{organization_id}/approvals", status_code=303)

    async def _page(
        self, request: AuthRequest, db: Db, organization_id: UUID, form: Form
    ) -> Template:
        organization = await _facility(db, organization_id)
        markets = await queries.list_markets(db, limit=200, after=None)
        return page(
            request,
            "accounts/admin_approvals.html",
            status_code=form.status_code,
            o=organization,
            approvals=await queries.facility_approvals(db, organization_id),
            markets=[m for m in markets if m.code != "ID"],  # the home market asks for none
            **form.context(),
        )


async def _facility(db: Db, organization_id: UUID) -> Any:
    """The organization, if it is an irradiation facility (approvals are a facility's): 404
    otherwise, as for an organization that does not exist."""
    organization = await account_queries.get_organization(db, organization_id)
    if organization is None or organization.kind != "facility":
        raise NotFound("facility")
    return organization
