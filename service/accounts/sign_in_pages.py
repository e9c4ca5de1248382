"""Sign in, sign out, set a password from an invite, switch language, see one's own account:
the console's own pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service.accounts.budgets import Budget, Throttled
from service.accounts.mail_preferences import LANGUAGES as MAIL_LANGUAGES
from service.accounts.mail_preferences import mail_preferences, set_mail_preferences
from service.accounts.passwords import password_problem
from service.accounts.people import accept_invite, invited_user
from service.accounts.queries import account_of
from service.accounts.sign_in import sign_in
from service.console.i18n import LANGUAGES, SESSION_KEY, gettext_for, language_of
from service.console.render import flash, page
from service.console.sessions import (
    delete_expired_sessions,
    end_other_sessions,
    renew_session_id,
)
from service.core.auth import ANY_ROLE, SESSION_USER_KEY, AuthUser
from service.core.db import Db
from service.core.gettext_marker import N_

HOME = "/app/"
PUBLIC = {"exclude_from_auth": True}
MAX_EMAIL_LENGTH = 254

AnyRequest = Request[Any, Any, State]

# what a refused sign-in says, by the budget it spent (SPEC §10)
THROTTLED: dict[Budget, str] = {
    "account_network": N_(
        "Too many failed sign-ins for this email from your network. Try again in %(minutes)d"
        " minutes."
    ),
    "account": N_(
        "Too many failed sign-ins for this email from many networks. Try again in %(minutes)d"
        " minutes, or from a network where you signed in before."
    ),
    "network": N_("Too many failed sign-ins from your network. Try again in %(minutes)d minutes."),
}


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a console path of this site, never another site."""
    if not target:
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target or not target.startswith("/app"):
        return HOME
    return target


class ConsoleAccountController(Controller):
    path = "/app"
    include_in_schema = False

    @get("/login", opt=PUBLIC, name="console:login")
    async def login_form(self, request: AnyRequest, next: FromQuery[str | None] = None) -> Template:
        """The sign-in form (already signed-in users see it too: they may switch accounts)."""
        return page(request, "console/login.html", email="", errors={}, next=next)

    @post("/login", opt=PUBLIC, status_code=303)
    async def login(
        self,
        request: AnyRequest,
        next: FromQuery[str | None] = None,
    ) -> Redirect | Template:
        """Check the email and password; on success a new session and back to `next`. No
        connection is held for the request: the password check waits for none."""
        _ = gettext_for(request)
        form = await request.form()
        email = str(form.get("email", "")).strip()[:MAX_EMAIL_LENGTH]
        password = str(form.get("password", ""))
        errors: dict[str, str] = {}
        if not email:
            errors["email"] = _("Enter your email address.")
        elif "@" not in email or not email.isprintable():
            errors["email"] = _("Enter an email address such as siti@example.id.")
        if not password:
            errors["password"] = _("Enter your password.")
        status = 400
        if not errors:
            client = request.client.host if request.client else "unknown"
            result = await sign_in(request.app.state.pool, email, password, client)
            if isinstance(result, Throttled):
                errors["email"] = _(THROTTLED[result.budget]) % {
                    "minutes": result.retry_after_minutes
                }
                refused = page(
                    request,
                    "console/login.html",
                    status_code=429,
                    email=email,
                    errors=errors,
                    next=next,
                )
                # a fresh dict: the page's headers are shared by every page
                refused.headers = {
                    **refused.headers,
                    "Retry-After": str(result.retry_after_seconds),
                }
                return refused
            if result is None:
                errors["email"] = _("The email or the password is not right.")
            else:
                await renew_session_id(request)
                await delete_expired_sessions(request.app.state.pool)
                request.session[SESSION_USER_KEY] = str(result.id)
                return Redirect(safe_next(next), status_code=303)
        return page(
            request,
            "console/login.html",
            status_code=status,
            email=email,
            errors=errors,
            next=next,
        )

    @post("/logout", opt=PUBLIC, status_code=303)
    async def logout(self, request: AnyRequest) -> Redirect:
        """End the session here and now; only the language choice survives it."""
        lang = language_of(request)
        await renew_session_id(request)
        request.set_session({SESSION_KEY: lang})
        _ = gettext_for(request)
        flash(request, _("You have signed out."), "info")
        return Redirect("/app/login", status_code=303)

    @get("/invite/{token:str}", opt=PUBLIC)
    async def invite_form(self, request: AnyRequest, db: Db, token: FromPath[str]) -> Template:
        """Set a password from an invite link (a used or expired link says so)."""
        invited = await invited_user(db, token)
        return page(
            request,
            "console/invite.html",
            status_code=200 if invited else 404,
            invited=invited,
            errors={},
        )

    @post("/invite/{token:str}", opt=PUBLIC, status_code=303)
    async def accept(
        self, request: AnyRequest, db: Db, token: FromPath[str]
    ) -> Redirect | Template:
        """Check the password's rules, use the invite once, then on to the sign-in page."""
        _ = gettext_for(request)
        invited = await invited_user(db, token)
        if invited is None:
            return page(request, "console/invite.html", status_code=404, invited=None, errors={})
        form = await request.form()
        password = str(form.get("password", ""))
        confirm = str(form.get("password_confirm", ""))
        errors: dict[str, str] = {}
        if problem := password_problem(password, invited.email):
            errors["password"] = _(problem)
        elif confirm != password:
            errors["password_confirm"] = _("The two passwords are not the same.")
        if errors:
            return page(
                request, "console/invite.html", status_code=400, invited=invited, errors=errors
            )
        if await accept_invite(db, token, password) is None:
            return page(request, "console/invite.html", status_code=404, invited=None, errors={})
        flash(request, _("Your password is set. Sign in with your email and new password."))
        return Redirect("/app/login", status_code=303)

    @post("/language", opt=PUBLIC, status_code=303)
    async def language(self, request: AnyRequest) -> Redirect:
        """Switch between Bahasa Indonesia and English; remembered in the session."""
        form = await request.form()
        lang = str(form.get("lang", ""))
        if lang in LANGUAGES:
            request.session[SESSION_KEY] = lang
        return Redirect(safe_next(str(form.get("next", ""))), status_code=303)

    @get("/account", opt=ANY_ROLE)
    async def account(self, request: Request[AuthUser, Any, State], db: Db) -> Template:
        """Who is signed in, and a way to end every other session of this account."""
        row = await account_of(db, request.user.id)
        return page(
            request,
            "console/account.html",
            email=row["email"] if row else None,
            organization=row["organization"] if row else None,
            preferences=await mail_preferences(db, request.user.id),
        )

    @post("/account/email", opt=ANY_ROLE, status_code=303)
    async def save_mail_preferences(
        self, request: Request[AuthUser, Any, State], db: Db
    ) -> Redirect:
        """The language of this account's emails and, for a producer, the batch notices (an
        unticked box is absent from the form: off)."""
        form = await request.form()
        language = str(form.get("language", ""))
        await set_mail_preferences(
            db,
            request.user.id,
            language=language if language in MAIL_LANGUAGES else None,
            batch_notices=(
                form.get("batch_notices") == "on" if request.user.role == "producer" else None
            ),
        )
        _ = gettext_for(request)
        flash(request, _("Your email settings are saved."))
        return Redirect("/app/account", status_code=303)

    @post("/account/sign-out-elsewhere", opt=ANY_ROLE, status_code=303)
    async def sign_out_elsewhere(self, request: Request[AuthUser, Any, State]) -> Redirect:
        """End every session of this account except the one making the request."""
        ended = await end_other_sessions(request, request.user.id)
        _ = gettext_for(request)
        flash(request, _("Signed out on %(count)d other devices.") % {"count": ended}, "info")
        return Redirect("/app/account", status_code=303)

    @get("/{rest:path}", opt=ANY_ROLE, include_in_schema=False)
    async def unknown_page(self, rest: FromPath[str]) -> None:
        """Any other console address: the 404 page, with the user's menu and language (a route
        of its own, so the session is read as for every console page)."""
        raise NotFoundException(f"No console page at /app{rest}")
