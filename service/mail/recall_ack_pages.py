"""The acknowledgement link of a recall notice (`/r/{token}`, SPEC §13.2): a public page in the
reader's language with one button. Opening the link records nothing (mail scanners and chat
apps open links to preview them); only the button's POST acknowledges, once.

No account, no session, no CSRF cookie: the token in the path is the secret the POST needs, and
a forged POST would have to know it already."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, head, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Template

from service.console.i18n import DEFAULT_LANGUAGE, LANGUAGES, translations
from service.console.render import PAGE_HEADERS
from service.core.db import Db
from service.core.formatting import format_moment
from service.mail.messages import recall_summary
from service.mail.recall_notices import acknowledge, notice_by_token, notice_language

PUBLIC = {"exclude_from_auth": True}
PAGE = "mail/recall_ack.html"

AnyRequest = Request[Any, Any, State]


def reader_language(accept_language: str | None) -> str:
    """The first of Radura's languages the reader's Accept-Language asks for (by weight), else
    Bahasa Indonesia."""
    choices: list[tuple[float, int, str]] = []
    for position, item in enumerate((accept_language or "").split(",")):
        tag, _, params = item.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        language = tag.strip().lower().split("-")[0]
        if language in LANGUAGES and weight > 0:
            choices.append((-weight, position, language))
    return min(choices)[2] if choices else DEFAULT_LANGUAGE


def page_language(request: AnyRequest, notice: Any) -> str:
    """The page speaks the language asked for (`?lang=`, its switch), else the notice's own:
    the email the customer read was in it, whatever the browser (or a link previewer, which
    often sends no Accept-Language) says; a link that does not work follows Accept-Language."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return str(asked)
    if notice is not None:
        return notice_language(notice["country"])
    return reader_language(request.headers.get("accept-language"))


def _page(request: AnyRequest, notice: Any) -> Template:
    lang = page_language(request, notice)
    context: dict[str, Any] = {"lang": lang, "notice": notice, "languages": LANGUAGES}
    if notice is not None:
        context["summary"] = recall_summary(translations(lang).gettext, lang, dict(notice))
        if notice["acknowledged_at"] is not None:
            context["acknowledged_at"] = format_moment(notice["acknowledged_at"], lang)
    return Template(
        template_name=PAGE,
        context=context,
        status_code=200 if notice is not None else 404,
        # the answer depends on the reader's language
        headers={**PAGE_HEADERS, "Vary": "Accept-Language"},
        media_type="text/html",
    )


class RecallAckPages(Controller):
    path = "/r"
    include_in_schema = False

    @get("/{token:str}", opt=PUBLIC)
    async def show(self, request: AnyRequest, db: Db, token: FromPath[str]) -> Template:
        """The notice and its button; records nothing."""
        return _page(request, await notice_by_token(db, token))

    @head("/{token:str}", opt=PUBLIC)
    async def check(self, request: AnyRequest, db: Db, token: FromPath[str]) -> Response[None]:
        """HEAD (link checkers and previewers send it first): GET's status, nothing recorded."""
        found = await notice_by_token(db, token) is not None
        return Response(
            None,
            status_code=200 if found else 404,
            headers={**PAGE_HEADERS, "Vary": "Accept-Language"},
            media_type="text/html",
        )

    @post("/{token:str}", opt=PUBLIC, status_code=200)
    async def acknowledge(self, request: AnyRequest, db: Db, token: FromPath[str]) -> Template:
        """The button: acknowledged the first time, the same page after."""
        return _page(request, await acknowledge(db, token))
