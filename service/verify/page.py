"""The verification page: one small HTML document, inline CSS pinned by hash, no script at all."""

from __future__ import annotations

import base64
import gzip
import hashlib
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup

from labels.radura_symbol import svg_path_data
from labels.registration import printed_registration_no, registration_caption
from labels.wording import unbroken
from schemas.batches import JAKARTA
from service.core.formatting import format_dose_range
from service.verify import texts
from service.verify.texts import Lang

if TYPE_CHECKING:
    from schemas.verify import UnverifiedVerification
    from service.verify.view import LabelView

_TEMPLATES = Path(__file__).with_name("templates")
_CSS = (_TEMPLATES / "page.css").read_text(encoding="utf-8").strip()
_CSS_HASH = base64.b64encode(hashlib.sha256(_CSS.encode()).digest()).decode()

# Nothing may load, run or frame: the page is its own HTML and one hashed <style> element.
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; img-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def page_css() -> Markup:
    """The page's style sheet, which the CSP pins by hash: for any public page that shares it."""
    return Markup(_CSS)  # noqa: S704 - our own file, pinned by the CSP hash


# The page shows the scan count, which changes on every scan: rendered once, filled per request.
SCAN_COUNT_SLOT = "\x00scans\x00"

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(_TEMPLATES),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


def _registration_no(stored: str) -> str:
    """The number as BPOM prints it (`BPOM RI MD 224510001234`), which may wrap only between
    its scheme and its digits: the longest PSAT number is wider than a small phone."""
    scheme, _, digits = printed_registration_no(stored).rpartition(" ")
    return f"{unbroken(scheme)} {digits}" if scheme else digits


def phone_links(phone: str) -> dict[str, str | None]:
    """A producer's number as a shopper's phone dials it (`tel:`), and as a WhatsApp chat when it
    is an Indonesian mobile number (+62 8…, or 08… as people write it at home), which is how
    most shoppers here would ask a small producer a question."""
    digits = "".join(c for c in phone if c.isdigit())
    international = "62" + digits[1:] if digits.startswith("0") else digits
    return {
        "text": phone,
        "tel": "tel:+" + international,
        "whatsapp": f"https://wa.me/{international}" if international.startswith("628") else None,
    }


# the number under what it is: an izin edar, a P-IRT or a PSAT number
_environment.globals |= {
    "phone_links": phone_links,
    "registration_no": _registration_no,
    "registration_caption": registration_caption,
}
_template = _environment.get_template("page.html")


def public_template(name: str) -> jinja2.Template:
    """Another public page's template (a certificate's check), from the label page's own
    environment: the same head, style and helpers."""
    return _environment.get_template(name)


def _icon(path: str) -> Markup:
    # decorative: the heading next to it says the same in words
    return Markup(  # noqa: S704 - constant markup of our own
        '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">'
        '<circle cx="12" cy="12" r="11" fill="currentColor"/>'
        f'<path d="{path}" fill="none" stroke="#fff" stroke-width="2.6" '
        'stroke-linecap="round" stroke-linejoin="round"/></svg>'
    )


def _radura_symbol(label: str) -> Markup:
    # the label's own vector paths, in a 100-unit square: no image request, so the CSP's
    # `img-src 'none'` stands; presentation attributes only, no inline style
    return Markup(  # noqa: S704 - constant markup of our own; the label text is our own
        f'<svg class="radura" viewBox="0 0 100 100" role="img" aria-label="{label}">'
        f'<path d="{svg_path_data(0, 0, 100, decimals=1)}" fill="currentColor"/></svg>'
    )


_RADURA_SYMBOLS = {lang: _radura_symbol(texts.LABELS[lang]["radura"]) for lang in texts.LANGS}

_ICONS = {
    "genuine": _icon("M6.5 12.5l3.5 3.5 7.5-8"),
    "expired": _icon("M12 6.5V12l3.5 2.5"),
    "suspect": _icon("M12 6.5v7M12 17.5v.01"),
    "unverified": _icon("M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.7.3-1 .9-1 1.7M12 17.5v.01"),
    "recalled": _icon("M7.5 7.5l9 9M16.5 7.5l-9 9"),
    "invalid": _icon("M7.5 7.5l9 9M16.5 7.5l-9 9"),
}


def _date(day: date) -> str:
    return day.strftime("%d-%m-%Y")  # as printed on the label


def _instant(at: datetime) -> str:
    return at.astimezone(JAKARTA).strftime("%d-%m-%Y %H:%M WIB")


def _number(value: float, lang: Lang) -> str:
    """46.8 -> '46,8' in Bahasa Indonesia (decimal comma, as on the label), '46.8' in English."""
    text = f"{value:g}"
    return text.replace(".", ",") if lang == "id" else text


def scan_count(count: int, lang: Lang) -> bytes:
    """1234 -> '1.234' in Bahasa Indonesia, '1,234' in English."""
    text = f"{count:,}"
    return (text.replace(",", ".") if lang == "id" else text).encode()


def render(
    verdict: str,
    lang: Lang,
    view: LabelView | None,
    other_lang_href: str,
    certificate_href: str | None = None,
    item: UnverifiedVerification | None = None,
    category_names: tuple[str, str] = ("", ""),
) -> str:
    """The page for a verdict; a label view's page keeps SCAN_COUNT_SLOT for the scan count.
    An `unverified` page shows only `item` (a GTIN's product, producer and any recall)."""
    t = texts.LABELS[lang]
    heading, meaning, action = texts.VERDICTS[verdict][lang]
    context: dict[str, object] = {
        "lang": lang,
        "t": t,
        "css": Markup(_CSS),  # noqa: S704 - our own file, pinned by the CSP hash
        "verdict": verdict,
        "icon": _ICONS[verdict],
        "heading": heading,
        "meaning": meaning,
        "action": action,
        "view": view,
        "report": t["report_text"].format(phone=texts.REPORT_PHONE, email=texts.REPORT_EMAIL),
        "other_lang": "en" if lang == "id" else "id",
        "other_lang_href": other_lang_href,
        "certificate_href": certificate_href,
        "radura_symbol": _RADURA_SYMBOLS[lang],
        "item": item,
    }
    index = 0 if lang == "id" else 1
    if view is not None:
        treatment = view.treatment
        year, month = treatment.irradiated_on.split("-")
        context |= {
            "category": view.category_names[index],
            "best_before": _date(view.best_before),
            "storage": t["storage_text"].format(t=_number(view.storage_temp_c, lang)),
            "irradiated_on": f"{month}/{year}",
            "purpose": texts.PURPOSES.get(treatment.purpose, (treatment.purpose,) * 2)[index],
            "source": texts.SOURCE_TYPES.get(treatment.source_type, (treatment.source_type,) * 2)[
                index
            ],
            # one decimal, as a shopper reads it (the JSON keeps the measured values); never
            # "46,8–" at a line's end: the page keeps the range on one line (nowrap)
            "dose": format_dose_range(treatment.dose_min_kgy, treatment.dose_max_kgy, lang),
            "net_content_word": texts.net_content_word(view.net_content or "", lang),
            "recalled_at": _instant(view.recall.at) if view.recall else "",
            "scans": t["scans"].format(n=SCAN_COUNT_SLOT),
        }
    elif item is not None:
        context |= {
            "category": category_names[index],
            "recalled_at": _instant(item.recall.at) if item.recall else "",
        }
    return _template.render(context)


_invalid_pages: dict[Lang, bytes] = {}


def invalid_page(lang: Lang) -> bytes:
    """The same page for every label Radura did not issue, whatever made it invalid."""
    page = _invalid_pages.get(lang)
    if page is None:
        other = "en" if lang == "id" else "id"
        page = render("invalid", lang, None, f"?lang={other}").encode()
        _invalid_pages[lang] = page
    return page


_invalid_pages_gzipped: dict[Lang, bytes] = {}


def invalid_page_gzipped(lang: Lang) -> bytes:
    page = _invalid_pages_gzipped.get(lang)
    if page is None:
        page = gzip.compress(invalid_page(lang), compresslevel=9, mtime=0)
        _invalid_pages_gzipped[lang] = page
    return page
