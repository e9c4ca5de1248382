"""The console page of a user's own API tokens (SPEC §10: `/app/account/tokens`): the list with
each token's state, a form for a new one whose token is shown once on the page that answers the
post (never through a redirect or a flash, which would keep it in the session table), and revoke.

They call the same functions as /api/v1/tokens, so a token made here is the API's token, and
someone else's token is answered as if it did not exist."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from schemas.batches import JAKARTA
from schemas.tokens import TokenCreate
from service.accounts import tokens
from service.console.form import MALFORMED, Form
from service.console.i18n import gettext_for
from service.console.render import flash, page
from service.core.auth import ANY_ROLE, AuthUser
from service.core.db import Db
from service.core.errors import NotFound
from service.core.forms import FieldError, FormInvalid
from service.core.gettext_marker import N_

AuthRequest = Request[AuthUser, Any, State]


def expiry_of(last_day: str, today: date) -> datetime | None:
    """The instant a token stops working when its last valid day is `last_day` (YYYY-MM-DD, as
    a date input sends it): the end of that day in Jakarta, where the people using it are.
    Empty means it never expires; a day before tomorrow is refused."""
    if not last_day:
        return None
    try:
        day = date.fromisoformat(last_day)
    except ValueError:
        raise FormInvalid([FieldError("expires_on", N_("Enter a valid date."))]) from None
    if day < today:
        raise FormInvalid([FieldError("expires_on", N_("Choose today or a later day."))])
    return datetime.combine(day + timedelta(days=1), time(), JAKARTA).astimezone(UTC)


class TokenPages(Controller):
    path = "/app/account/tokens"
    include_in_schema = False

    @get("/", opt=ANY_ROLE)
    async def tokens_page(self, request: AuthRequest, db: Db) -> Template:
        """The user's tokens, newest first, and the form for a new one."""
        return await self._page(request, db, _empty(request))

    @post("/", opt=ANY_ROLE)
    async def create(self, request: AuthRequest, db: Db) -> Template:
        """A new token: the answer shows it once."""
        form = await Form.read(request, ("name", "expires_on"))
        expires_at = None
        try:
            expires_at = expiry_of(form.values["expires_on"], datetime.now(JAKARTA).date())
        except FormInvalid as exc:
            form.fail(exc.errors, MALFORMED)
        data = form.decode(TokenCreate, leave_out=("expires_on",), expires_at=expires_at)
        if data is None or not form.ok:
            return await self._page(request, db, form)
        issued = await tokens.issue_token(db, request.user, data.name, data.expires_at)
        return await self._page(request, db, _empty(request), status_code=201, issued=issued)

    @post("/{token_id:uuid}/revoke", opt=ANY_ROLE, status_code=303)
    async def revoke(self, request: AuthRequest, db: Db, token_id: FromPath[UUID]) -> Redirect:
        """Revoke one of the user's own tokens (404 for anyone else's, an admin's too: the
        admin revokes others' tokens through the API, naming the user)."""
        mine = {line.id for line in await tokens.list_tokens(db, request.user, None)}
        if token_id not in mine:
            raise NotFound("token")
        await tokens.revoke_token(db, request.user, token_id, request.app.state.token_cache)
        _ = gettext_for(request)
        flash(request, _("The token is revoked. It stops working within a second."))
        return Redirect("/app/account/tokens", status_code=303)

    async def _page(
        self,
        request: AuthRequest,
        db: Db,
        form: Form,
        status_code: int | None = None,
        issued: Any = None,
    ) -> Template:
        return page(
            request,
            "accounts/account_tokens.html",
            status_code=status_code or form.status_code,
            lines=await tokens.list_tokens(db, request.user, None),
            now=datetime.now(UTC),
            issued=issued,
            **form.context(),
        )


def _empty(request: AuthRequest) -> Form:
    return Form(request, {"name": "", "expires_on": ""})
