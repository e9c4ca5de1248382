"""The console's `/app/network`: for a market network's users its dashboard (the figures of
`GET /api/v1/network`), its members and the form that invites a producer; for a producer its
invitations and memberships, with accept, decline and leave. The same functions as the API's."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from schemas.batches import today_in_jakarta
from service.accounts.network import memberships
from service.accounts.network.scope import is_network
from service.console.i18n import gettext_for
from service.console.render import flash, page
from service.core.auth import AuthUser, roles
from service.core.db import Db
from service.core.errors import Conflict, DomainError, NotFound
from service.network.figures import network_dashboard

AuthRequest = Request[AuthUser, Any, State]
NETWORK_PAGE = "/app/network"


class NetworkPages(Controller):
    path = NETWORK_PAGE
    include_in_schema = False

    @get("/", opt=roles("market_network", "producer"))
    async def network_page(self, request: AuthRequest, db: Db) -> Template:
        if not is_network(request.user):
            lines = await _memberships(request, db)
            return page(request, "network/memberships.html", lines=lines)
        return await _dashboard(request, db, {"producer_id": ""}, {})

    @post("/members", opt=roles("market_network"))
    async def invite(self, request: AuthRequest, db: Db) -> Template | Redirect:
        """Invite the producer chosen in the form (303 back to the page), or the page again
        with the refusal on the form's field."""
        _ = gettext_for(request)
        form = await request.form()
        assert request.user.organization_id is not None
        chosen = str(form.get("producer_id", ""))
        try:
            producer_id = UUID(chosen)
        except ValueError:
            error = {"producer_id": _("Choose a producer to invite.")}
            return await _dashboard(request, db, {"producer_id": chosen}, error, 400)
        try:
            made = await memberships.invite(
                db, request.user, request.user.organization_id, producer_id
            )
        except DomainError as exc:
            error = {"producer_id": _refusal(request, exc)}
            # a producer it may not see is refused as one it cannot choose: 422, not 404
            status = 409 if exc.status_code == 409 else 422
            return await _dashboard(request, db, {"producer_id": chosen}, error, status)
        flash(
            request,
            _("%(name)s is invited. It joins when it accepts.") % {"name": made.producer_name},
        )
        return Redirect(NETWORK_PAGE, status_code=303)

    @post("/memberships/{membership_id:uuid}/{how:str}", opt=roles("producer"), status_code=303)
    async def answer(
        self, request: AuthRequest, db: Db, membership_id: FromPath[UUID], how: FromPath[str]
    ) -> Redirect:
        """Accept, decline or leave (404 for another producer's membership, or another verb)."""
        _ = gettext_for(request)
        if how not in ("accept", "decline", "leave"):
            raise NotFound("page")
        try:
            done = await memberships.answer(db, request.user, membership_id, how)
        except Conflict as exc:
            flash(request, _refusal(request, exc), "error")
            return Redirect(NETWORK_PAGE, status_code=303)
        messages = {
            "accepted": _("You joined %(network)s. It now reads your released batches."),
            "declined": _("You declined the invitation of %(network)s."),
            "left": _("You left %(network)s. It reads nothing of yours any more."),
        }
        flash(request, messages[done.status] % {"network": done.network_name})
        return Redirect(NETWORK_PAGE, status_code=303)


async def _memberships(request: AuthRequest, db: Db) -> list[Any]:
    """The user's memberships: a producer's networks, or a network's producers."""
    lines = await memberships.list_memberships(
        db, request.user, network_id=None, limit=200, cursor=None
    )
    return list(lines.items)


async def _dashboard(
    request: AuthRequest,
    db: Db,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Template:
    """The network's page: its figures, members and the invitation form (with `errors`)."""
    network_id = request.user.organization_id
    assert network_id is not None
    figures = await network_dashboard(db, network_id, today=today_in_jakarta())
    return page(
        request,
        "network/dashboard.html",
        status_code=status_code,
        d=figures,
        lines=await _memberships(request, db),
        invitable=await memberships.invitable_producers(db, network_id),
        values=values,
        errors=errors,
    )


def _refusal(request: AuthRequest, exc: DomainError) -> str:
    _ = gettext_for(request)
    said = {
        "already_invited": _("That producer has an open invitation already."),
        "already_member": _("That producer is in the network already."),
        "not_a_producer": _("Only a producer can be invited."),
        "not_found": _("No such producer."),
        "membership_not_invited": _("The invitation was answered already."),
        "membership_not_accepted": _("You are not a member of that network."),
    }
    return said.get(exc.code, exc.detail)
