"""HTTP endpoints of export markets: the list any signed-in user may read, an administrator's
replacement of a market's rules, and facilities' approvals per market."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, get, post, put
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from schemas.common import Page
from schemas.markets import (
    FacilityApprovalCreate,
    FacilityApprovalRecord,
    Market,
    MarketCode,
    MarketRulesPut,
)
from service.accounts.markets import administration, queries
from service.core.auth import ANY_ROLE, AuthUser, roles
from service.core.db import Db
from service.core.errors import NotFound
from service.core.pagination import Cursor, Limit

AuthRequest = Request[AuthUser, None, State]


class MarketsController(Controller):
    path = "/api/v1/markets"
    tags = ["markets"]

    @get(operation_id="listMarkets", opt=ANY_ROLE)
    async def list_markets(self, db: Db, limit: Limit = 50, cursor: Cursor = None) -> Page[Market]:
        """Export markets in code order: each country (ISO 3166-1 alpha-2) and union (`EU`,
        `GCC`, with its member countries), `ID` the home market. A shipment's market defaults to
        its customer's country, or the union that country belongs to. `rules` lists what may be
        shipped there (category × purpose, HS-code prefixes, dose limit and its metric, source
        energy, statutory words, approvals; each with its source and confidence); a market
        other than `ID` without rules admits nothing."""
        markets = await queries.list_markets(db, limit=limit, after=queries.after_code(cursor))
        more = len(markets) > limit
        markets = markets[:limit]
        return Page(markets, queries.market_cursor(markets[-1].code) if more else None)

    @put("/{code:str}", operation_id="putMarketRules", opt=roles("admin"))
    async def put_rules(
        self,
        request: AuthRequest,
        db: Db,
        code: FromPath[MarketCode],
        data: JSONBody[MarketRulesPut],
    ) -> Market:
        """Replace a market's rules (all of them): a wrong row is fixed as data, without a
        release. With `label_language`, also the language a label for the market is printed in
        when none is asked for: one the rules hold statutory words in (422
        `label_language_without_words` otherwise) that the labels can print (422
        `label_language_unprintable`: a letter no label font has, or Arabic or Hebrew, which the
        labels do not set right to left), or null for the buyer country's (as for the EU).
        Each change is recorded in the admin audit log."""
        await administration.replace_rules(db, request.user, code, data.rules, data.label_language)
        markets = await queries.list_markets(db, limit=1, after=None, only=code)
        if not markets:
            raise NotFound("market")
        return markets[0]


class ApprovalsController(Controller):
    path = "/api/v1/organizations"
    tags = ["markets"]

    @post(
        "/{organization_id:uuid}/approvals",
        operation_id="createFacilityApproval",
        opt=roles("admin"),
    )
    async def create_approval(
        self,
        request: AuthRequest,
        db: Db,
        organization_id: FromPath[UUID],
        data: JSONBody[FacilityApprovalCreate],
    ) -> FacilityApprovalRecord:
        """Record an irradiation facility's approval for a market (`eu_facility_list`,
        `fda_registration`, `aphis`, `gacc`, `other`), valid from `valid_from` to `valid_until`
        inclusive; the market check counts it on a treatment's date within them."""
        return await administration.add_approval(db, request.user, organization_id, data)
