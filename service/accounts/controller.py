"""HTTP endpoints for organizations, users, irradiators and food categories."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, Request, get, patch, post, put
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, JSONBody

from schemas.accounts import (
    AdminAuditEntry,
    EmailSettings,
    EmailSettingsChange,
    Facility,
    FoodCategory,
    InviteIssued,
    Irradiator,
    IrradiatorCreate,
    Organization,
    OrganizationCreate,
    OrganizationKind,
    PurposeLimit,
    PurposeLimitChange,
    UserCreate,
    UserCreated,
    UserDisabled,
    UserLine,
)
from schemas.common import Page, Purpose
from service.accounts import administration, queries
from service.accounts.admin_log import admin_log_entries
from service.accounts.mail_preferences import mail_preferences, set_mail_preferences
from service.accounts.people import disable_user, reissue_invite
from service.accounts.users import create_user_with_token
from service.core.auth import ANY_ROLE, AuthUser, roles
from service.core.db import Db
from service.core.errors import NotFound
from service.core.pagination import Cursor, Limit, encode_cursor, next_cursor

AuthRequest = Request[AuthUser, None, State]


class AccountsController(Controller):
    path = "/api/v1"
    tags = ["accounts"]

    @post("/organizations", operation_id="createOrganization", opt=roles("admin"))
    async def create_organization(
        self, request: AuthRequest, db: Db, data: JSONBody[OrganizationCreate]
    ) -> Organization:
        """Create a producer, facility or regulator organization."""
        return await administration.create_organization(db, request.user, data)

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
    async def create_user(
        self, request: AuthRequest, db: Db, state: State, data: JSONBody[UserCreate]
    ) -> UserCreated:
        """Create a user and its first token; with an `email`, also an `invite_url` where the
        person sets a console password (one-time, 72 h). Both are shown only in this response."""
        return await create_user_with_token(db, data, state.settings.public_base_url, request.user)

    @get("/users", operation_id="listUsers", opt=roles("admin"))
    async def list_users(self, db: Db, limit: Limit = 50, cursor: Cursor = None) -> Page[UserLine]:
        """Every user, newest first, with whether a console password is set and whether the
        account is disabled."""
        rows = await administration.list_users(db, limit=limit, cursor=cursor)
        more = len(rows) > limit
        rows = rows[:limit]
        return Page(rows, encode_cursor(rows[-1].created_at, rows[-1].id) if more else None)

    @post(
        "/users/{user_id:uuid}/invite",
        operation_id="inviteUser",
        opt=roles("admin"),
        status_code=201,
    )
    async def invite_user(
        self, request: AuthRequest, db: Db, state: State, user_id: FromPath[UUID]
    ) -> InviteIssued:
        """Reset a password: a fresh one-time invite link (72 h) for an active user with an
        email; earlier links stop working. The link is shown only in this response."""
        url = await reissue_invite(db, request.user, user_id, state.settings.public_base_url)
        return InviteIssued(user_id, url)

    @post(
        "/users/{user_id:uuid}/disable",
        operation_id="disableUser",
        opt=roles("admin"),
        status_code=200,
    )
    async def disable_user(
        self, request: AuthRequest, db: Db, user_id: FromPath[UUID]
    ) -> UserDisabled:
        """Disable an account: its API tokens and console sessions end at once, and it can no
        longer sign in. Disabling again changes nothing."""
        disabled_at = await disable_user(db, user_id, request.user, request.app.state.token_cache)
        if disabled_at is None:
            raise NotFound("user")
        return UserDisabled(user_id, disabled_at)

    @get("/me", operation_id="getMe", opt=ANY_ROLE)
    async def me(self, request: Request[AuthUser, None, State]) -> AuthUser:
        """Who the token belongs to."""
        return request.user

    @get("/me/email", operation_id="getMyEmailSettings", opt=ANY_ROLE)
    async def my_email_settings(self, request: AuthRequest, db: Db) -> EmailSettings:
        """The language of the caller's emails, and whether the caller is told by email when
        their organization's batch is received, released or rejected (producers; on unless
        turned off)."""
        found = await mail_preferences(db, request.user.id)
        return EmailSettings(found.language, found.batch_notices)  # type: ignore[arg-type]

    @patch("/me/email", operation_id="changeMyEmailSettings", opt=ANY_ROLE)
    async def change_my_email_settings(
        self, request: AuthRequest, db: Db, data: JSONBody[EmailSettingsChange]
    ) -> EmailSettings:
        """Change the language of the caller's emails or turn batch notices on or off; what
        is left out stays as it is."""
        changed = await set_mail_preferences(
            db, request.user.id, language=data.language, batch_notices=data.batch_notices
        )
        return EmailSettings(changed.language, changed.batch_notices)  # type: ignore[arg-type]

    @post("/irradiators", operation_id="createIrradiator", opt=roles("admin"))
    async def create_irradiator(
        self, request: AuthRequest, db: Db, data: JSONBody[IrradiatorCreate]
    ) -> Irradiator:
        """Register an irradiator (gamma source or machine) at a facility."""
        return await administration.create_irradiator(db, request.user, data)

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

    @put(
        "/food-categories/{category:str}/purposes/{purpose:str}",
        operation_id="changePurposeLimit",
        opt=roles("admin"),
    )
    async def change_purpose_limit(
        self,
        request: AuthRequest,
        db: Db,
        category: FromPath[str],
        purpose: FromPath[Purpose],
        data: JSONBody[PurposeLimitChange],
    ) -> PurposeLimit:
        """Correct one row of the Annex I table: its maximum dose, source and whether it was
        read from the regulation itself (`confirmed`). 404 when the category does not allow
        the purpose."""
        return await administration.change_purpose_limit(db, request.user, category, purpose, data)

    @get("/admin-audit-log", operation_id="listAdminAuditLog", opt=roles("admin", "regulator"))
    async def admin_audit_log(
        self, db: Db, limit: Limit = 50, cursor: Cursor = None
    ) -> Page[AdminAuditEntry]:
        """Every administrative change (organizations, users, irradiators, dose maps, the
        food-category table), newest first: who, what, when. Append-only."""
        rows = await admin_log_entries(db, limit=limit, cursor=cursor)
        more = len(rows) > limit
        rows = rows[:limit]
        return Page(rows, encode_cursor(rows[-1].created_at, rows[-1].id) if more else None)
