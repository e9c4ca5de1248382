"""Public verification routes: /v/{code}[/{serial}], /label/01/{gtin}/10/{lot}[/21/{serial}]
(where the GS1 resolver at /01/… sends a label) and the GS1 resolver description. HTML by
default, JSON or a GS1 linkset by Accept or `linkType`."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import msgspec
from litestar import Controller, HttpMethod, Request, Response, get, head, route
from litestar.exceptions import ValidationException
from litestar.openapi.datastructures import ResponseSpec

from labels.uri import LabelUriError, parse_label_uri, with_signature
from schemas.labels import ParsedLabel
from schemas.verify import (
    InvalidVerification,
    RecallInfo,
    TreatmentCertificate,
    UnverifiedVerification,
    Verification,
)
from service.core.metrics import ROUTE_METRICS, count_verdict
from service.verify import certificate, page, texts
from service.verify.counted import counted
from service.verify.documented_forms import GS1_LABEL_FORMS, SHORT_LABEL_FORMS
from service.verify.memo import memo_of_short_texts
from service.verify.page_body import PageBody, accepts_gzip
from service.verify.resolver import linkset
from service.verify.response import RawResponse, encode_headers
from service.verify.verifier import Outcome, Verifier
from service.verify.view import producer_of, product_of

_json = msgspec.json.Encoder()

# Every answer depends on these request headers, and a verdict may change at any moment. The
# page is gzipped here, not by the app's compression middleware, which would compress it whole
# on every scan (service/verify/page_body.py).
_COMMON_HEADERS = {
    "Vary": "Accept, Accept-Language, Accept-Encoding",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}
# any app or shop system may read the JSON from a browser (GS1 resolvers SHALL support CORS)
_JSON_HEADERS = {**_COMMON_HEADERS, "Access-Control-Allow-Origin": "*"}
_HTML = encode_headers("text/html; charset=utf-8", {**_COMMON_HEADERS, **page.PAGE_HEADERS})
_HTML_GZIP = [*_HTML, (b"content-encoding", b"gzip")]
_JSON = encode_headers("application/json", _JSON_HEADERS)
_LINKSET = encode_headers("application/linkset+json", _JSON_HEADERS)
_PDF = encode_headers("application/pdf", _JSON_HEADERS)
_INVALID_BODIES = {
    state: _json.encode(InvalidVerification(verdict="invalid", signature=state))
    for state in ("valid", "invalid", "missing")
}
_MEDIA_TYPES = ("text/html", "application/json", "application/linkset+json")
_REPRESENTATION = {
    "text/html": "page",
    "application/json": "json",
    "application/linkset+json": "linkset",
}
_LABEL_METHODS = "GET, HEAD, OPTIONS"

# `generate_examples=False`: Litestar's would be random text; the document's examples are real
# (service/api_docs/examples.py)
_RESPONSES = {
    200: ResponseSpec(
        # a union is a valid data container for Litestar, which its annotation does not say
        Verification | TreatmentCertificate,  # type: ignore[arg-type]
        generate_examples=False,
        description="A label Radura issued: genuine, expired, recalled or suspect. With "
        "`Accept: text/html` (the default) a page; `application/json` or "
        "`linkType=gs1:verificationService` the verdict as JSON; `application/linkset+json` a GS1 "
        "linkset; `linkType=gs1:certificationInfo` the treatment certificate as JSON, "
        "`radura:certificatePdf` as PDF.",
    ),
    301: ResponseSpec(
        None,
        generate_examples=False,
        description="To the canonical URI (AI 10 before 21, GTIN-14).",
    ),
    404: ResponseSpec(
        InvalidVerification,
        generate_examples=False,
        description="Not a label Radura issued; nothing more is said.",
    ),
}
# The GS1 form may also come unsigned (a GS1 resolver's request): 200 `unverified` then.
_GS1_RESPONSES = _RESPONSES | {
    200: ResponseSpec(
        Verification | UnverifiedVerification | TreatmentCertificate,  # type: ignore[arg-type]
        generate_examples=False,
        description="A label Radura issued: genuine, expired, recalled or suspect; or, without "
        "`s`, `unverified` with the GTIN's product and producer only (and a recall of its lot). "
        "With `Accept: text/html` (the default) a page; `application/json` or "
        "`linkType=gs1:verificationService` the verdict as JSON; `application/linkset+json` a GS1 "
        "linkset; `linkType=gs1:certificationInfo` the treatment certificate as JSON, "
        "`radura:certificatePdf` as PDF.",
    ),
}


@memo_of_short_texts(max_entries=4096)
def _split_query(query: str) -> tuple[str, str | None, str | None]:
    """The label's own query (AI 17, s), and the reader's `lang` and `linkType`, which are not
    part of the signed label and may stand anywhere. Any other parameter (GS1's `context`, one
    a resolver passed on) is not the label's and is left out of its check.

    A label carries `s` last, but a client that builds the query from named parameters may put
    them in any order (the API document names them one by one): `s`, which signs nothing but
    the rest, is moved behind them."""
    if "&" not in query and (query.startswith("s=") or query.startswith("17=")):
        return query, None, None
    kept, signatures, lang, link_type = [], [], None, None
    for item in query.split("&"):
        if item.startswith("lang="):
            lang = item[5:]
        elif item.startswith("linkType="):
            link_type = item[9:].replace("%3A", ":").replace("%3a", ":")
        elif item.startswith("s="):
            signatures.append(item)
        elif item.startswith("17=") or item[:1].isdigit():
            kept.append(item)
    _printable_ascii("lang", lang)
    _printable_ascii("linkType", link_type)
    return "&".join(kept + signatures), lang, link_type


def _printable_ascii(name: str, value: str | None) -> None:
    """A raw byte outside ASCII (the query is read as Latin-1) can be neither a language tag nor
    a GS1 link type, nor be passed on in a redirect's Location."""
    if value is not None and not (value.isascii() and value.isprintable()):
        message = f"{name} must be printable ASCII (percent-encode anything else)."
        raise ValidationException(
            f"Invalid value for {name}.",
            extra=[{"key": name, "message": message, "source": "query"}],
        )


def _representation(accept: str | None, link_type: str | None) -> str:
    if link_type is not None and link_type in linkset.LINK_TYPES:
        return linkset.LINK_TYPES[link_type]
    if not accept:
        return "page"
    return _representation_accepted(accept)


@memo_of_short_texts(max_entries=512)
def _representation_accepted(accept: str) -> str:
    from litestar.datastructures.headers import Accept

    best = Accept(accept).best_match(list(_MEDIA_TYPES), default="text/html")
    return _REPRESENTATION.get(best or "text/html", "page")


def _headers_of(scope: Any) -> tuple[str | None, str | None, str | None, str]:
    accept = accept_language = accept_encoding = None
    user_agent = ""
    for name, value in scope["headers"]:
        if name == b"accept":
            accept = value.decode("latin-1")
        elif name == b"accept-language":
            accept_language = value.decode("latin-1")
        elif name == b"accept-encoding":
            accept_encoding = value.decode("latin-1")
        elif name == b"user-agent":
            user_agent = value.decode("latin-1")
    return accept, accept_language, accept_encoding, user_agent


class _ParsedLabels:
    """Parsed label URIs by their text: a label scanned again is not parsed again. Parsing is
    pure but for the GS1 century window of AI 17, so the memo starts afresh each day."""

    def __init__(self, max_entries: int = 20_000) -> None:
        self._entries: dict[str, ParsedLabel] = {}
        self._max_entries = max_entries
        self._day = date.today()
        # date.today() costs more than the rest of a memo hit: the day is checked once a second
        self._day_checked_at_s = time.monotonic()

    def parse(self, text: str) -> ParsedLabel:
        now_s = time.monotonic()
        if now_s - self._day_checked_at_s >= 1.0:
            self._day_checked_at_s = now_s
            today = date.today()
            if today != self._day:
                self._entries.clear()
                self._day = today
        parsed = self._entries.get(text)
        if parsed is None:
            parsed = parse_label_uri(text, today=self._day)
            if len(self._entries) >= self._max_entries:
                self._entries.clear()
            self._entries[text] = parsed
        return parsed


_parsed_labels = _ParsedLabels()


def _invalid(
    representation: str, lang: texts.Lang, signature: str, gzip: bool = False
) -> RawResponse:
    """One answer for every label Radura did not issue: the same body whatever the reason."""
    if representation == "page":
        if gzip:
            return RawResponse(404, _HTML_GZIP, page.invalid_page_gzipped(lang))
        return RawResponse(404, _HTML, page.invalid_page(lang))
    return RawResponse(404, _JSON, _INVALID_BODIES[signature])


async def _unverified(
    verifier: Verifier, parsed: ParsedLabel, representation: str, lang: texts.Lang
) -> RawResponse:
    """A GS1 URI of one of our GTINs without `s`: 200 `unverified` with the product and its
    producer only, and a recall of the lot it names (SPEC §6.1). No scan is recorded: nothing
    ties the request to a label we issued."""
    assert parsed.gtin14 is not None
    row = await verifier.unverified_item(parsed.gtin14, parsed.lot)
    if row is None:  # not a GTIN of ours
        count_verdict("invalid")
        return _invalid(representation, lang, "missing")
    count_verdict("unverified")
    recall = None
    if row["recalled_at"] is not None:
        recall = RecallInfo(reason=row["recall_reason"], at=row["recalled_at"])
    item = UnverifiedVerification(
        verdict="unverified",
        signature="missing",
        product=product_of(row),
        producer=producer_of(row),
        recall=recall,
    )
    if representation == "json":
        return RawResponse(200, _JSON, _json.encode(item))
    target = "/label" + parsed.signed_message.decode("ascii")
    other = "en" if lang == "id" else "id"
    other_href = target + ("&" if "?" in target else "?") + f"lang={other}"
    html = page.render(
        "unverified",
        lang,
        None,
        other_href,
        item=item,
        category_names=(row["category_name_id"], row["category_name_en"]),
    )
    return RawResponse(200, _HTML, html.encode())


def _redirect(parsed: ParsedLabel, lang: str | None, link_type: str | None) -> RawResponse:
    target = parsed.signed_message.decode("ascii")
    extra = "&".join(
        f"{name}={value}" for name, value in (("lang", lang), ("linkType", link_type)) if value
    )
    if extra:
        target += ("&" if "?" in target else "?") + extra
    if parsed.signature_b64 is not None:
        target = with_signature(target, parsed.signature_b64)
    return RawResponse(301, [(b"location", target.encode("ascii")), (b"vary", b"Accept")])


async def answer(request: Request[Any, Any, Any], *, count_scan: bool = True) -> RawResponse:
    """Resolve a scanned label URI into the representation the reader asked for."""
    scope = request.scope
    # the state's item, not its attribute: a tenth of the cost, on every scan
    verifier: Verifier = request.app.state["verifier"]
    raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
    path = raw_path.partition(b"?")[0].decode("latin-1")
    label_query, lang_param, link_type = _split_query(scope["query_string"].decode("latin-1"))
    accept, accept_language, accept_encoding, user_agent = _headers_of(scope)
    lang = texts.pick_language(lang_param, accept_language)
    representation = _representation(accept, link_type)
    gzip = accepts_gzip(accept_encoding)
    try:
        parsed = _parsed_labels.parse(path + ("?" + label_query if label_query else ""))
    except LabelUriError:
        has_signature = label_query.startswith("s=") or "&s=" in label_query
        count_verdict("invalid")
        return _invalid(representation, lang, "invalid" if has_signature else "missing", gzip)
    if not parsed.canonical:
        return _redirect(parsed, lang_param, link_type)
    if parsed.signature_b64 is None and parsed.form == "gs1" and representation in ("page", "json"):
        return await _unverified(verifier, parsed, representation, lang)
    client = scope.get("client")
    outcome = await verifier.verify(
        parsed,
        client[0] if client else "",
        user_agent,
        count_scan=count_scan and representation in ("page", "json"),
    )
    count_verdict(outcome.verdict)
    if outcome.view is None:
        return _invalid(representation, lang, outcome.signature, gzip)
    if representation == "page":
        return _page(outcome, lang, parsed, gzip)
    if representation == "json":
        return RawResponse(200, _JSON, _verification_json(outcome))
    if representation == "linkset":
        return _linkset(outcome, parsed, request.app.state["public_base_url"])
    if representation == "certificate_pdf":
        return await _certificate_pdf(request, outcome)
    return await _certificate(verifier, outcome)


def _verification_json(outcome: Outcome) -> bytes:
    view = outcome.view
    assert view is not None and outcome.scans is not None
    return _json.encode(
        Verification(
            verdict=outcome.verdict,
            signature=outcome.signature,
            code=view.code,
            serial=view.serial,
            lot=view.lot,
            product=view.product,
            producer=view.producer,
            treatment=view.treatment,
            best_before=view.best_before,
            storage_temp_c=view.storage_temp_c,
            recall=view.recall,
            scans=outcome.scans,
        )
    )


def _page(outcome: Outcome, lang: texts.Lang, parsed: ParsedLabel, gzip: bool) -> RawResponse:
    view = outcome.view
    assert view is not None and outcome.scans is not None
    body = view.pages.get((lang, outcome.verdict))
    if body is None:
        other = "en" if lang == "id" else "id"
        assert parsed.signature_b64 is not None
        # the page's own links stay on the page's path: no hop through the GS1 resolver
        path = ("/label" if parsed.form == "gs1" else "") + view.unsigned_path
        href = linkset.label_href("", path, parsed.signature_b64, f"lang={other}")
        certificate_href = linkset.label_href(
            "", path, parsed.signature_b64, "linkType=radura:certificatePdf"
        )
        head, _, tail = page.render(outcome.verdict, lang, view, href, certificate_href).partition(
            page.SCAN_COUNT_SLOT
        )
        body = PageBody(head.encode(), tail.encode())
        view.pages[(lang, outcome.verdict)] = body
    count = page.scan_count(outcome.scans.count, lang)
    if gzip:
        return RawResponse(200, _HTML_GZIP, body.gzipped(count))
    return RawResponse(200, _HTML, body.plain(count))


def _linkset(outcome: Outcome, parsed: ParsedLabel, base_url: str) -> RawResponse:
    view = outcome.view
    assert view is not None and parsed.signature_b64 is not None
    title = f"{texts.LABELS['id']['title']}: {view.product.name}"
    document = linkset.label_linkset(base_url, view.unsigned_path, parsed.signature_b64, title)
    return RawResponse(200, _LINKSET, _json.encode(document))


async def _certificate(verifier: Verifier, outcome: Outcome) -> RawResponse:
    view = outcome.view
    assert view is not None
    row = await verifier.certificate_row(view)
    if row is None:  # released batches always have a treatment; kept for safety
        return _invalid("json", "id", outcome.signature)
    document = certificate.treatment_certificate(view, row)
    return RawResponse(200, _JSON, _json.encode(document))


async def _certificate_pdf(request: Request[Any, Any, Any], outcome: Outcome) -> RawResponse:
    """The printable certificate of a released batch, marked DITARIK / RECALLED once recalled
    (409 before release)."""
    from service.labels_api.certificate import certificate_document

    view = outcome.view
    assert view is not None
    state = request.app.state
    async with state.pool.acquire() as conn:
        pdf = await certificate_document(
            conn, view.batch_id, None, state.signing_keys, state.settings.public_base_url
        )
    return RawResponse(200, _PDF, pdf)


class VerifyController(Controller):
    """What a shopper's phone (or a shop's system) reaches by scanning a Radura QR code."""

    tags = ["verification"]
    security: list[dict[str, list[str]]] = [{}]

    @get(
        "/v/{label_path:path}",
        operation_id="verifyShortLabel",
        exclude_from_auth=True,
        responses=_RESPONSES,
        summary="Verify a label of the short form /v/{code}[/{serial}]?s=…",
        opt={"documented_as": SHORT_LABEL_FORMS, "negotiated": "label"},
    )
    async def verify_short_label(self, request: Request[Any, Any, Any]) -> RawResponse:
        """Verify a label without GTIN: the verdict, product, treatment and dates."""
        return await counted(request.scope, answer(request))

    @get(
        "/label/01/{label_path:path}",
        operation_id="verifyGs1Label",
        exclude_from_auth=True,
        responses=_GS1_RESPONSES,
        summary="Verify a GS1 label /label/01/{gtin}/10/{lot}[/21/{serial}]?17=…&s=…",
        opt={"documented_as": GS1_LABEL_FORMS, "negotiated": "label"},
    )
    async def verify_gs1_label(self, request: Request[Any, Any, Any]) -> RawResponse:
        """Verify a GS1 Digital Link label; non-canonical forms are redirected first."""
        return await counted(request.scope, answer(request))

    @head(
        ["/v/{label_path:path}", "/label/01/{label_path:path}"],
        operation_id="checkLabel",
        exclude_from_auth=True,
        middleware=[ROUTE_METRICS],
        include_in_schema=False,
    )
    async def check_label(self, request: Request[Any, Any, Any]) -> Response[None]:
        """HEAD (GS1 resolvers answer it): the status and headers of GET, no scan counted."""
        raw = await answer(request, count_scan=False)
        headers = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in raw.headers
            if name not in (b"content-length", b"content-type")
        }
        # Litestar adds the charset to a text/ media type itself; passing ours too doubles it
        content_type = dict(raw.headers).get(b"content-type", b"application/json").decode()
        media_type = content_type.partition(";")[0]
        return Response(None, status_code=raw.status, headers=headers, media_type=media_type)

    @route(
        ["/v/{label_path:path}", "/label/01/{label_path:path}"],
        http_method=HttpMethod.OPTIONS,
        operation_id="labelOptions",
        exclude_from_auth=True,
        middleware=[ROUTE_METRICS],
        include_in_schema=False,
        status_code=204,
    )
    async def allow_label_methods(self) -> Response[None]:
        """What a label URI answers to.

        Written out because Litestar's own OPTIONS answer, made with the first handler of a
        path, names only that handler's method (HEAD) once GET is merged in. Handlers register
        in name order: this one must sort before `check_label`, or Litestar makes its own."""
        return Response(
            None,
            status_code=204,
            headers={
                "Allow": _LABEL_METHODS,
                "Access-Control-Allow-Origin": "*",
                "Access-Control-Allow-Methods": _LABEL_METHODS,
            },
        )
