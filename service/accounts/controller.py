"""HTTP endpoints for organizations, users, irradiators and food categories."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, JSONBody

from schemas.accounts import (
    Facility,
    FoodCategory,
    Irradiator,
    IrradiatorCreate,
    Organization,
    OrganizationCreate,
    OrganizationKind,
    UserCreate,
    UserCreated,
    UserDisabled,
)
from schemas.common import Page
from service.accounts import queries, rules
from service.accounts.people import disable_user
from service.accounts.users import create_user_with_token
from service.core.auth import ANY_ROLE, AuthUser, roles
from service.core.db import Db
from service.core.errors import NotFound
from service.core.pagination import Cursor, Limit, next_cursor


class AccountsController(Controller):
    path = "/api/v1"
    tags = ["accounts"]

    @post("/organizations", operation_id="createOrganization", opt=roles("admin"))
    async def create_organization(self, db: Db, data: JSONBody[OrganizationCreate]) -> Organization:
        """Create a producer, facility or regulator organization."""
        return await queries.insert_organization(db, data)

    @get("/organizations", operation_id="listOrganizations", opt=roles("admin", "regulator"))
    async def list_organizations(
        self,
        db: Db,
        kind: FromQuery[OrganizationKind | None] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[Organization]:
        """List organizations, newest first."""
        rows = await queries.list_organizations(db, kind=kind, limit=limit, cursor=cursor)
        items = [msgspec.convert(dict(r), Organization) for r in rows[:limit]]
        return Page(items, next_cursor(rows, limit))

    @get(
        "/organizations/{organization_id:uuid}",
        operation_id="getOrganization",
        opt=roles("admin", "regulator"),
    )
    async def get_organization(self, db: Db, organization_id: FromPath[UUID]) -> Organization:
        """One organization."""
        organization = await queries.get_organization(db, organization_id)
        if organization is None:
            raise NotFound("organization")
        return organization

    @get("/facilities", operation_id="listFacilities", opt=ANY_ROLE)
    async def list_facilities(
        self, db: Db, limit: Limit = 50, cursor: Cursor = None
    ) -> Page[Facility]:
        """Irradiation facilities a producer can send batches to, newest first."""
        rows = await queries.list_facilities(db, limit=limit, cursor=cursor)
        items = [msgspec.convert(dict(r), Facility) for r in rows[:limit]]
        return Page(items, next_cursor(rows, limit))

    @post("/users", operation_id="createUser", opt=roles("admin"))
    async def create_user(self, db: Db, state: State, data: JSONBody[UserCreate]) -> UserCreated:
        """Create a user and its first token; with an `email`, also an `invite_url` where the
        person sets a console password (one-time, 72 h). Both are shown only in this response."""
        return await create_user_with_token(db, data, state.settings.public_base_url)

    @post(
        "/users/{user_id:uuid}/disable",
        operation_id="disableUser",
        opt=roles("admin"),
        status_code=200,
    )
    async def disable_user(self, db: Db, user_id: FromPath[UUID]) -> UserDisabled:
        """Disable an account: its API tokens and console sessions end at once, and it can no
        longer sign in. Disabling again changes nothing."""
        disabled_at = await disable_user(db, user_id)
        if disabled_at is None:
            raise NotFound("user")
        return UserDisabled(user_id, disabled_at)

    @get("/me", operation_id="getMe", opt=ANY_ROLE)
    async def me(self, request: Request[AuthUser, None, State]) -> AuthUser:
        """Who the token belongs to."""
        return request.user

    @post("/irradiators", operation_id="createIrradiator", opt=roles("admin"))
    async def create_irradiator(self, db: Db, data: JSONBody[IrradiatorCreate]) -> Irradiator:
        """Register an irradiator (gamma source or machine) at a facility."""
        facility = await queries.get_organization(db, data.facility_id)
        rules.check_irradiator(data, facility)
        return await queries.insert_irradiator(db, data)

    @get("/irradiators", operation_id="listIrradiators", opt=ANY_ROLE)
    async def list_irradiators(
        self,
        db: Db,
        facility_id: FromQuery[UUID | None] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[Irradiator]:
        """List irradiators, optionally of one facility."""
        rows = await queries.list_irradiators(
            db, facility_id=facility_id, limit=limit, cursor=cursor
        )
        items = [msgspec.convert(dict(r), Irradiator) for r in rows[:limit]]
        return Page(items, next_cursor(rows, limit))

    @get("/food-categories", operation_id="listFoodCategories", opt=ANY_ROLE)
    async def list_food_categories(self, db: Db) -> list[FoodCategory]:
        """BPOM 3/2018 Annex I: maximum dose per category and purpose, with source."""
        return await queries.list_food_categories(db)
