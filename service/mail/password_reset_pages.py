"""The console's password reset (SPEC §10): ask for a link by email, then set a new password
from it. Both answers to a request are the same page whether or not the email has an account;
the link's pages say only whether the link still works."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from service.accounts.budgets import Budget
from service.accounts.password_resets import reset_account, use_reset
from service.accounts.passwords import password_problem
from service.accounts.sign_in_pages import MAX_EMAIL_LENGTH, PUBLIC
from service.console.i18n import gettext_for
from service.console.render import flash, page
from service.core.db import Db
from service.core.gettext_marker import N_
from service.mail.password_reset import request_reset
from service.mail.settings import get_mail_settings

FORM = "mail/password_reset.html"
SET_FORM = "mail/password_reset_set.html"

AnyRequest = Request[Any, Any, State]

# what a refused request says, by the budget it spent
THROTTLED: dict[Budget, str] = {
    "account_network": N_(
        "Too many reset requests for this email from your network. Try again in %(minutes)d"
        " minutes."
    ),
    "account": N_(
        "Too many reset requests for this email from many networks. Try again in %(minutes)d"
        " minutes, or from a network where you signed in before."
    ),
    "network": N_("Too many reset requests from your network. Try again in %(minutes)d minutes."),
}


class PasswordResetPages(Controller):
    path = "/app/password-reset"
    include_in_schema = False

    @get("/", opt=PUBLIC)
    async def request_form(self, request: AnyRequest) -> Template:
        """The email form (or, without a mail server, where to turn instead)."""
        return page(request, FORM, email="", errors={}, sending=get_mail_settings().sending)

    @post("/", opt=PUBLIC, status_code=303)
    async def request_link(self, request: AnyRequest, db: Db) -> Redirect | Template:
        """Send a link when the email has an account; answer the same either way."""
        _ = gettext_for(request)
        sending = get_mail_settings().sending
        form = await request.form()
        email = str(form.get("email", "")).strip()[:MAX_EMAIL_LENGTH]
        errors: dict[str, str] = {}
        if not email:
            errors["email"] = _("Enter your email address.")
        elif "@" not in email or not email.isprintable():
            errors["email"] = _("Enter an email address such as siti@example.id.")
        if errors or not sending:
            return page(
                request,
                FORM,
                status_code=400 if errors else 503,
                email=email,
                errors=errors,
                sending=sending,
            )
        client = request.client.host if request.client else "unknown"
        throttled = await request_reset(db, email, client, request.app.state.mail_box)
        if throttled is not None:
            errors["email"] = _(THROTTLED[throttled.budget]) % {
                "minutes": throttled.retry_after_minutes
            }
            refused = page(
                request, FORM, status_code=429, email=email, errors=errors, sending=sending
            )
            # a fresh dict: the page's headers are shared by every page
            refused.headers = {
                **refused.headers,
                "Retry-After": str(throttled.retry_after_seconds),
            }
            return refused
        flash(
            request,
            _(
                "If %(email)s belongs to an account, a link to set a new password is on its way"
                " there. It works once, for one hour."
            )
            % {"email": email},
            "info",
        )
        return Redirect("/app/password-reset", status_code=303)

    @get("/{token:str}", opt=PUBLIC)
    async def set_form(self, request: AnyRequest, db: Db, token: FromPath[str]) -> Template:
        """Choose a new password from a reset link (a used or expired link says so)."""
        account = await reset_account(db, token)
        return page(
            request, SET_FORM, status_code=200 if account else 404, account=account, errors={}
        )

    @post("/{token:str}", opt=PUBLIC, status_code=303)
    async def set_password(
        self, request: AnyRequest, db: Db, token: FromPath[str]
    ) -> Redirect | Template:
        """Check the password's rules (those of an invite), use the link once, then sign in."""
        _ = gettext_for(request)
        account = await reset_account(db, token)
        if account is None:
            return page(request, SET_FORM, status_code=404, account=None, errors={})
        form = await request.form()
        password = str(form.get("password", ""))
        confirm = str(form.get("password_confirm", ""))
        errors: dict[str, str] = {}
        if problem := password_problem(password, account.email):
            errors["password"] = _(problem)
        elif confirm != password:
            errors["password_confirm"] = _("The two passwords are not the same.")
        if errors:
            return page(request, SET_FORM, status_code=400, account=account, errors=errors)
        if await use_reset(db, token, password) is None:
            return page(request, SET_FORM, status_code=404, account=None, errors={})
        flash(request, _("Your password is set. Sign in with your email and new password."))
        return Redirect("/app/login", status_code=303)
