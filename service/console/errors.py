"""Errors on console pages: the API's own mapping of exceptions to status codes, shown as a page.

Every exception handler of the app is wrapped: under `/app` the API's problem response decides the
status and the message, and the console renders `console/error.html` with them in the user's
language (a 401 becomes a redirect to the sign-in page); elsewhere the API's answer is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.plugins.htmx import ClientRedirect
from litestar.response import Redirect

from service.console.i18n import gettext_for, language_of
from service.console.render import page
from service.core.errors import DomainError
from service.core.gettext_marker import N_

ExceptionHandler = Callable[[Request[Any, Any, Any], Any], Response[Any]]

LOGIN_PATH = "/app/login"
CSRF_FAILURE = "CSRF token verification failed"

TITLES = {
    400: N_("The request was not understood"),
    403: N_("You may not do this"),
    404: N_("Page not found"),
    405: N_("This action is not available here"),
    409: N_("This changed in the meantime"),
    422: N_("This cannot be done"),
    429: N_("Too many requests"),
    503: N_("Radura is busy"),
}
GENERIC_TITLE = N_("Something went wrong")
# the small line above the title: what kind of refusal, in words; other statuses show
# "Error" and their number
STATUS_LINES = {
    403: N_("Access denied"),
    422: N_("Refused by a rule"),
}
# shown when the specific reason has no translation in the user's language
EXPLANATIONS = {
    400: N_("A value in the request is not valid. Go back, check the form and send it again."),
    403: N_("Your account does not have the role needed for this page or action."),
    404: N_("There is nothing here, or it belongs to another organization."),
    405: N_("Open the page and use its buttons instead."),
    409: N_("Someone else changed this record first. Open it again to see its current state."),
    422: N_("A rule of the service refuses this action."),
    429: N_("Wait a moment and try again."),
    503: N_("Try again in a few seconds."),
}
# the rule behind a refusal whose detail carries figures (so the catalog cannot know it), named
# in words: a console action can meet these without a form to show them on
RULES = {
    "facility_licence_expired": N_(
        "The facility's BAPETEN licence had expired when the batch was irradiated, so the batch "
        "cannot be released."
    ),
    "serial_limit": N_(
        "A batch may have at most as many serials as its pieces plus a tenth (1 000 000 in any "
        "case)."
    ),
    "no_shelf_life": N_(
        "At this storage temperature the product would keep no days at all: every label would "
        "be out of date on the day it is made."
    ),
    "vacuum_requires_chilling": N_(
        "Vacuum or modified-atmosphere packs without a control must be kept chilled."
    ),
    "batch_not_released": N_("Labels are issued only for a released batch."),
    "purpose_not_allowed": N_(
        "This category may not be irradiated for this purpose (BPOM 3/2018 Annex I)."
    ),
}
GENERIC_EXPLANATION = N_("The error has been logged. Try again, or go back to the dashboard.")
CSRF_EXPLANATION = N_(
    "The form was open too long or came from another site. Reload the page and send it again."
)


def is_console(request: Request[Any, Any, Any]) -> bool:
    path = request.url.path
    return path == "/app" or path.startswith("/app/")


def login_redirect(request: Request[Any, Any, Any]) -> Response[Any]:
    """303 to the sign-in page, which brings the user back here afterwards. An htmx request
    (a live preview) is told to load the sign-in page as a whole, not inside a fragment."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    query = urlencode({"next": target}) if request.method in ("GET", "HEAD") else ""
    login = LOGIN_PATH + (f"?{query}" if query else "")
    if request.headers.get("hx-request") == "true":
        return ClientRedirect(login)
    return Redirect(login, status_code=303)


def _message(request: Request[Any, Any, Any], status: int, detail: str, code: str) -> str:
    _ = gettext_for(request)
    if detail == CSRF_FAILURE:
        return _(CSRF_EXPLANATION)
    if status >= 500 and status != 503:
        return _(GENERIC_EXPLANATION)
    translated = _(detail) if detail else ""
    if translated and (translated != detail or language_of(request) == "en"):
        return translated
    if code in RULES:
        return _(RULES[code])
    return _(EXPLANATIONS.get(status, GENERIC_EXPLANATION))


def error_page(
    request: Request[Any, Any, Any],
    status: int,
    detail: str,
    code: str = "",
    explanation: str = "",
) -> Response[Any]:
    """The error page: the kind of refusal in words, a title, what happened (the rule that
    refused, for a domain rule) and, when the refusal carries one, its explanation."""
    _ = gettext_for(request)
    error = _("Error")  # a call of its own: Babel extracts no call inside an f-string
    status_line = _(STATUS_LINES[status]) if status in STATUS_LINES else f"{error} {status}"
    return page(
        request,
        "console/error.html",
        status_code=status,
        status=status,
        status_line=status_line,
        title=_(TITLES.get(status, GENERIC_TITLE)),
        message=_message(request, status, detail, code),
        explanation=explanation,
    )


def _explanation(request: Request[Any, Any, Any], content: dict[str, Any]) -> str:
    """The reasons a rule gave, in the reader's language: each of a shelf-life refusal's
    `errors` with its explanation, else the problem's own explanation; "" when it has none."""
    lang = "id" if language_of(request) == "id" else "en"
    items = content.get("errors")
    reasons = [
        item["explanation"][lang]
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict) and isinstance(item.get("explanation"), dict)
    ]
    explanation = content.get("explanation")
    if not reasons and isinstance(explanation, dict) and lang in explanation:
        reasons = [explanation[lang]]
    return " ".join(str(reason) for reason in reasons)


def _for_console_or_api(api_handler: ExceptionHandler) -> ExceptionHandler:
    def handle(request: Request[Any, Any, Any], exc: Any) -> Response[Any]:
        answer = api_handler(request, exc)  # also logs what the API logs (e.g. a 500)
        if not is_console(request):
            return answer
        if answer.status_code == 401:
            return login_redirect(request)
        content = answer.content if isinstance(answer.content, dict) else {}
        status = answer.status_code or 500
        shown = error_page(
            request,
            status,
            str(content.get("detail", "")),
            str(content.get("code", "")),
            _explanation(request, content),
        )
        # the page says when to come back as the API's answer does (a busy or unreachable
        # database, a download limit, the sign-in budgets): a browser or a script may retry
        if retry_after := answer.headers.get("Retry-After"):
            # a fresh dict: the page's headers are shared by every page
            shown.headers = {**shown.headers, "Retry-After": retry_after}
        return shown

    return handle


def console_exception_handlers(api_handlers: dict[Any, ExceptionHandler]) -> dict[Any, Any]:
    return {kind: _for_console_or_api(handler) for kind, handler in api_handlers.items()}


def refusal_text(request: Request[Any, Any, Any], exc: DomainError) -> tuple[str, str]:
    """A domain refusal's message and explanation in the reader's language, as the error page
    shows them, for a page that shows a refusal in place of its form."""
    content = {key: value for key, value in exc.extra.items() if isinstance(value, dict | list)}
    return _message(request, exc.status_code, exc.detail, exc.code), _explanation(request, content)
