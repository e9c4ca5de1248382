"""HTTP endpoints of the market network (SPEC §13.4): a network invites producers (its only
write), a producer accepts, declines or leaves, and the network reads its dashboard and its
workbook. What it reads of products and batches it reads through the ordinary endpoints, scoped
by `network.scope`."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import anyio
from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody, QueryParameter

from schemas.batches import today_in_jakarta
from schemas.common import Lang, Page
from schemas.network import MemberInvite, Membership, NetworkDashboard
from service.accounts.network import memberships
from service.console.i18n import language_of
from service.core.auth import AuthUser, roles
from service.core.db import Db
from service.core.pagination import Cursor, Limit
from service.network.figures import network_dashboard
from service.network.workbook import XLSX_MEDIA_TYPE, network_workbook

AuthRequest = Request[AuthUser, None, State]
NETWORK = roles("market_network")


class NetworkMembersController(Controller):
    path = "/api/v1/organizations"
    tags = ["network"]

    @post(
        "/{network_id:uuid}/members",
        operation_id="inviteNetworkMember",
        opt=roles("market_network", "admin"),
        status_code=201,
    )
    async def invite(
        self, request: AuthRequest, db: Db, network_id: FromPath[UUID], data: JSONBody[MemberInvite]
    ) -> Membership:
        """Invite a producer into the network (`status: invited`); it joins when it accepts. A
        network's users invite into their own network only (another is 404). 409
        `already_invited` / `already_member` while an invitation or membership is open."""
        return await memberships.invite(db, request.user, network_id, data.producer_id)

    @get(
        "/{network_id:uuid}/members",
        operation_id="listNetworkMembers",
        opt=roles("market_network", "admin", "regulator"),
    )
    async def list_members(
        self,
        request: AuthRequest,
        db: Db,
        network_id: FromPath[UUID],
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[Membership]:
        """The network's invitations and memberships, newest first, in every status."""
        return await memberships.list_memberships(
            db, request.user, network_id=network_id, limit=limit, cursor=cursor
        )


class MembershipsController(Controller):
    path = "/api/v1/memberships"
    tags = ["network"]

    @get(operation_id="listMemberships", opt=roles("producer", "market_network"))
    async def list_memberships(
        self, request: AuthRequest, db: Db, limit: Limit = 50, cursor: Cursor = None
    ) -> Page[Membership]:
        """A producer's invitations and memberships (or a network's), newest first."""
        return await memberships.list_memberships(
            db, request.user, network_id=None, limit=limit, cursor=cursor
        )

    @post(
        "/{membership_id:uuid}/accept",
        operation_id="acceptMembership",
        opt=roles("producer"),
        status_code=200,
    )
    async def accept(
        self, request: AuthRequest, db: Db, membership_id: FromPath[UUID]
    ) -> Membership:
        """Join the network: from now on it reads the producer's products, released batches,
        scans, recalls, and shipments as counts by market and month. 409
        `membership_not_invited` unless the invitation is open."""
        return await memberships.answer(db, request.user, membership_id, "accept")

    @post(
        "/{membership_id:uuid}/decline",
        operation_id="declineMembership",
        opt=roles("producer"),
        status_code=200,
    )
    async def decline(
        self, request: AuthRequest, db: Db, membership_id: FromPath[UUID]
    ) -> Membership:
        """Decline the invitation. 409 `membership_not_invited` unless it is open."""
        return await memberships.answer(db, request.user, membership_id, "decline")

    @delete("/{membership_id:uuid}", operation_id="leaveNetwork", opt=roles("producer"))
    async def leave(self, request: AuthRequest, db: Db, membership_id: FromPath[UUID]) -> None:
        """Leave the network: at once it reads nothing of the producer (404). 409
        `membership_not_accepted` unless the producer is a member."""
        await memberships.answer(db, request.user, membership_id, "leave")


class NetworkController(Controller):
    path = "/api/v1/network"
    tags = ["network"]

    @get(operation_id="getNetworkDashboard", opt=NETWORK)
    async def dashboard(self, request: AuthRequest, db: Db) -> NetworkDashboard:
        """The network summed up: its producers, irradiated products, batches released this
        month (Asia/Jakarta), shipments at home and abroad by market and month (counts and
        quantities only), export-ready products per market, recalls and their
        acknowledgements."""
        assert request.user.organization_id is not None
        return await network_dashboard(db, request.user.organization_id, today=today_in_jakarta())

    @get("/export.xlsx", operation_id="exportNetworkXlsx", opt=NETWORK, media_type=XLSX_MEDIA_TYPE)
    async def export_xlsx(
        self,
        request: AuthRequest,
        db: Db,
        lang: Annotated[
            Lang | None,
            QueryParameter(
                description="Language of the headers: Bahasa Indonesia unless `en` is asked "
                "for or the console session's language is English."
            ),
        ] = None,
    ) -> Response[bytes]:
        """The dashboard's figures as an Excel workbook: a summary, shipments by market and
        month, export-ready products per market, recalls."""
        assert request.user.organization_id is not None
        figures = await network_dashboard(
            db, request.user.organization_id, today=today_in_jakarta()
        )
        body = await anyio.to_thread.run_sync(
            network_workbook, figures, lang or language_of(request)
        )
        return Response(
            body,
            media_type=XLSX_MEDIA_TYPE,
            headers={"Content-Disposition": 'attachment; filename="radura-network.xlsx"'},
        )
