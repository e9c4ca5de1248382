"""Rendering a console page: the template, the context every page needs, its headers, and the
messages of a refused form in the user's language."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.plugins.flash import flash as _litestar_flash
from litestar.response import Template
from markupsafe import Markup

from service.console.i18n import gettext_for, language_of
from service.core.formatting import format_number
from service.core.forms import FieldError

# Only the app's own files, nothing inline, never framed. Inline SVG (label preview, charts) is
# markup, not a resource, so it needs no source here.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    # pages carry a user's data and a CSRF token: never kept by a browser or a proxy
    "Cache-Control": "no-store",
}
FLASH_CATEGORIES = ("success", "info", "warning", "error")


class ConsoleTemplate(Template):
    """Litestar's template response, whose `csrf_input` needs no `| safe`: it is our own markup."""

    def create_template_context(self, request: Request[Any, Any, Any]) -> dict[str, Any]:
        context = super().create_template_context(request)
        context["csrf_input"] = Markup(context["csrf_input"])  # noqa: S704 - escaped by Litestar
        return context


def page(
    request: Request[Any, Any, Any], template_name: str, *, status_code: int = 200, **context: Any
) -> ConsoleTemplate:
    """A console page: `template_name` (extending `console/base.html`) with `context`, plus
    `user` (None when signed out), `lang`, `flashes` (taken out of the session), `csrf_input`
    and `request`."""
    session = request.scope.get("session")
    flashes = session.pop("_messages", []) if isinstance(session, dict) else []
    return ConsoleTemplate(
        template_name=template_name,
        context={
            **context,
            "user": request.scope.get("user"),
            "lang": language_of(request),
            "flashes": flashes,
        },
        status_code=status_code,
        headers=PAGE_HEADERS,
        media_type="text/html",
    )


def flash(request: Request[Any, Any, Any], message: str, category: str = "success") -> None:
    """A one-time message shown by the next page the user sees (after the 303). `message` is
    shown as given: translate it first (`gettext_for(request)`)."""
    assert category in FLASH_CATEGORIES, category
    _litestar_flash(request, message, category)


def errors_text(request: Request[Any, Any, Any], errors: list[FieldError]) -> dict[str, str]:
    """Field → message in the user's language; several about one field (each rule a
    registration number breaks) follow one another."""
    _ = gettext_for(request)
    lang = language_of(request)
    texts: dict[str, str] = {}
    for error in errors:
        text = error.text(_, lambda n: format_number(n, lang))
        field = error.field or "form"
        if text not in texts.get(field, ""):
            texts[field] = f"{texts[field]} {text}" if field in texts else text
    return texts
