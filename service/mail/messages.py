"""What each kind of notice says: subject and plain-text body in the recipient's language (the
console's gettext catalogs), and the message itself with its headers.

A notice is rendered when it is sent, from the facts written with it (`params`), so a resend says
the same thing; its Message-ID is the one stored with it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from service.console.i18n import DEFAULT_LANGUAGE, LANGUAGES, translations
from service.core.code_names import code_name
from service.core.formatting import format_day, format_number
from service.core.gettext_marker import N_

Gettext = Callable[[str], str]

ACCOUNT_PATH = "/app/account"
BATCH_PATH = "/app/batches/"
RESET_PATH = "/app/password-reset/"
ACK_PATH = "/r/"

# the subject and the sentence that says what happened, per batch notice
_BATCH_SUBJECTS = {
    "batch_received": N_("Batch %(code)s was received at the facility"),
    "batch_released": N_("Batch %(code)s was released"),
    "batch_rejected": N_("Batch %(code)s was rejected"),
}
_BATCH_NEWS = {
    "batch_received": N_(
        "The irradiation facility has received your batch %(code)s (%(product)s, lot %(lot)s)."
    ),
    "batch_released": N_(
        "The QA officer has released your batch %(code)s (%(product)s, lot %(lot)s). Its"
        " best-before date is %(best_before)s, and its labels can now be printed."
    ),
    "batch_rejected": N_(
        "The QA officer has rejected your batch %(code)s (%(product)s, lot %(lot)s). The reason"
        " given: %(reason)s"
    ),
}


def _batch_text(
    kind: str, _: Gettext, lang: str, params: Mapping[str, Any], base_url: str
) -> tuple[str, str]:
    facts = {
        "code": params["code"],
        "product": params["product"],
        "lot": params["lot"],
        "reason": params.get("reason") or "",
        "best_before": (
            format_day(date.fromisoformat(params["best_before"]), lang)
            if params.get("best_before")
            else ""
        ),
    }
    body = [
        _("Hello %(name)s,") % {"name": params["name"]},
        "",
        _(_BATCH_NEWS[kind]) % facts,
        "",
        _("See the batch in Radura:"),
        f"{base_url}{BATCH_PATH}{params['batch_id']}",
        "",
        "-- ",
        _(
            "You get these emails because batch notices are on for your account. To turn them"
            " off: %(url)s"
        )
        % {"url": base_url + ACCOUNT_PATH},
    ]
    return _(_BATCH_SUBJECTS[kind]) % facts, "\n".join(body)


def _reset_text(
    _: Gettext, params: Mapping[str, Any], base_url: str, secret: str | None
) -> tuple[str, str]:
    if secret is None:
        raise ValueError("a password-reset notice without its link")
    body = [
        _("Hello %(name)s,") % {"name": params["name"]},
        "",
        _(
            "Someone, probably you, asked to reset the password of your Radura account"
            " (%(email)s). Open this link within one hour to choose a new password; it works"
            " once:"
        )
        % {"email": params["email"]},
        "",
        f"{base_url}{RESET_PATH}{secret}",
        "",
        _("If you did not ask for this, ignore this email: your password stays as it is."),
    ]
    return _("Reset your Radura password"), "\n".join(body)


# what a buyer should do with a recalled lot (the same words on the acknowledgement page)
RECALL_ADVICE = N_(
    "Stop selling it, take it off the shelves and keep it apart until %(producer)s tells you"
    " whether to return or destroy it."
)


def _sentence(text: str) -> str:
    """A reason typed without a full stop, closed with one: the next sentence follows it."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else text + "."


def recall_summary(_: Gettext, lang: str, params: Mapping[str, Any]) -> str:
    """What the recall is, in one paragraph: the notice's body, the WhatsApp message's text."""
    facts = {
        "producer": params["producer"],
        "product": params["product"],
        "lot": params["lot"],
        "code": params["code"],
        "quantity": format_number(float(params["quantity"]), lang),
        "unit": code_name("unit", params["unit"], _),
        "reason": _sentence(params["reason"]),
    }
    return " ".join(
        [
            _(
                "%(producer)s has recalled %(product)s, lot %(lot)s (batch %(code)s). You"
                " received %(quantity)s %(unit)s of it."
            )
            % facts,
            _("The reason given: %(reason)s") % facts,
            _(RECALL_ADVICE) % facts,
        ]
    )


def _recall_text(
    _: Gettext, lang: str, params: Mapping[str, Any], base_url: str, secret: str | None
) -> tuple[str, str]:
    if secret is None:
        raise ValueError("a recall notice without its acknowledgement link")
    body = [
        _("Hello %(name)s,") % {"name": params["customer"]},
        "",
        recall_summary(_, lang, params),
        "",
        _("Please tell %(producer)s that you have read this notice, with one click here:")
        % {"producer": params["producer"]},
        f"{base_url}{ACK_PATH}{secret}",
    ]
    subject = _("Recall: %(product)s, lot %(lot)s") % {
        "product": params["product"],
        "lot": params["lot"],
    }
    return subject, "\n".join(body)


def render(
    kind: str, lang: str, params: Mapping[str, Any], base_url: str, secret: str | None = None
) -> tuple[str, str]:
    """The notice's subject and body. `secret` is the opened secret a notice carries (a reset
    link's token); `base_url` the public base of every link."""
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    _ = translations(lang).gettext
    base_url = base_url.rstrip("/")
    if kind in _BATCH_SUBJECTS:
        return _batch_text(kind, _, lang, params, base_url)
    if kind == "password_reset":
        return _reset_text(_, params, base_url, secret)
    if kind == "recall_notice":
        return _recall_text(_, lang, params, base_url, secret)
    raise ValueError(f"no text for notices of kind {kind!r}")


def compose(
    *,
    sender: Address,
    recipient: str,
    message_id: str,
    lang: str,
    subject: str,
    body: str,
    created_at: datetime | None = None,
) -> EmailMessage:
    """The email: UTF-8 plain text, marked as sent by a program so that no auto-responder
    answers it, dated when the notice was written (the same on every attempt)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(created_at or datetime.now(UTC))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    message["Content-Language"] = lang  # after set_content, which replaces every Content-*
    return message
