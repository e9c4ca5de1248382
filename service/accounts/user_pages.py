"""The administrator's console pages of users: the list, a new user with its invite link, a
password reset by a new invite, and disabling an account.

They call the functions behind POST /api/v1/users, /users/{id}/invite and /users/{id}/disable,
so the same rules hold and every change lands in the admin audit log. An invite link is shown on
the page that answers the post, not through a redirect: a flash message would keep it in the
session table until the next page is seen."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from schemas.accounts import UserCreate
from service.accounts import administration, queries
from service.accounts.people import disable_user, reissue_invite
from service.accounts.users import create_user_with_token
from service.console.form import Form, Refusals, on_the_form
from service.console.i18n import gettext_for
from service.console.render import flash, page
from service.core.auth import AuthUser, roles
from service.core.db import Db
from service.core.errors import NotFound
from service.core.gettext_marker import N_
from service.core.pagination import Cursor, encode_cursor

AuthRequest = Request[AuthUser, Any, State]
ADMIN = roles("admin")
PAGE_SIZE = 50
USER_FIELDS = ("name", "role", "organization_id", "email")
# each refusal of the user rules, as the message next to its field
USER_REFUSALS: Refusals = {
    "admin_has_no_organization": (
        "organization_id",
        N_("An administrator belongs to no organization: leave this empty."),
    ),
    "organization_required": ("organization_id", N_("Choose the person's organization.")),
    "role_does_not_fit_organization": (
        "role",
        N_(
            "This role does not fit the organization: producers hold producers, facilities "
            "operators and QA officers, regulators regulators."
        ),
    ),
    "unknown organization": ("organization_id", N_("Choose one of the options.")),
    "duplicate_email": ("email", N_("Another account already has this email.")),
}


async def _user(db: Db, user_id: UUID) -> asyncpg.Record:
    row = await queries.user_summary(db, user_id)
    if row is None:
        raise NotFound("user")
    return row


class AdminUserPages(Controller):
    path = "/app/admin/users"
    include_in_schema = False

    @get("/", opt=ADMIN)
    async def list_page(self, request: AuthRequest, db: Db, cursor: Cursor = None) -> Template:
        """Every account, newest first: role, organization, whether a password is set."""
        rows = await administration.list_users(db, limit=PAGE_SIZE, cursor=cursor)
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        return page(
            request,
            "accounts/admin_users.html",
            users=rows,
            next_cursor=encode_cursor(rows[-1].created_at, rows[-1].id) if more else None,
        )

    @get("/new", opt=ADMIN)
    async def new_page(self, request: AuthRequest, db: Db) -> Template:
        """An empty user form."""
        return await self._form(request, db, Form(request))

    @post("/new", opt=ADMIN)
    async def create(self, request: AuthRequest, db: Db) -> Template:
        """Create the user; the answer shows the invite link (and the API token) once."""
        form = await Form.read(request, USER_FIELDS)
        data = form.decode(UserCreate)
        if data is not None:
            with form.refusals(USER_REFUSALS, otherwise=on_the_form):
                created = await create_user_with_token(
                    db, data, request.app.state.settings.public_base_url, request.user
                )
        if not form.ok:
            return await self._form(request, db, form)
        return page(
            request,
            "accounts/admin_user_invite.html",
            name=created.name,
            email=created.email,
            invite_url=created.invite_url,
            token=created.token,
            new=True,
        )

    async def _form(self, request: AuthRequest, db: Db, form: Form) -> Template:
        organizations = await queries.list_organizations(db, kind=None, limit=500, cursor=None)
        return page(
            request,
            "accounts/admin_user_new.html",
            status_code=form.status_code,
            organizations=organizations,
            **form.context(),
        )

    @post("/{user_id:uuid}/invite", opt=ADMIN)
    async def invite(self, request: AuthRequest, db: Db, user_id: FromPath[UUID]) -> Template:
        """Reset a password: a new one-time link, shown once; earlier links stop working."""
        user = await _user(db, user_id)
        url = await reissue_invite(
            db, request.user, user_id, request.app.state.settings.public_base_url
        )
        return page(
            request,
            "accounts/admin_user_invite.html",
            name=user["name"],
            email=user["email"],
            invite_url=url,
            token=None,
            new=False,
        )

    @get("/{user_id:uuid}/disable", opt=ADMIN)
    async def disable_confirm(
        self, request: AuthRequest, db: Db, user_id: FromPath[UUID]
    ) -> Template:
        """Asks before disabling: the person is signed out and their tokens revoked for good."""
        user = await _user(db, user_id)
        return page(request, "accounts/admin_user_disable.html", u=user)

    @post("/{user_id:uuid}/disable", opt=ADMIN)
    async def disable(self, request: AuthRequest, db: Db, user_id: FromPath[UUID]) -> Redirect:
        """Disable the account: its sessions and API tokens end now."""
        user = await _user(db, user_id)
        await disable_user(db, user_id, request.user, request.app.state.token_cache)
        _ = gettext_for(request)
        flash(
            request,
            _("%(name)s is disabled: signed out everywhere, API tokens revoked.")
            % {"name": user["name"]},
        )
        return Redirect("/app/admin/users", status_code=303)
