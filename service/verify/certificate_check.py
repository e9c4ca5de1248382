"""GET /c/{number}?s=…: anyone holding an export certificate checks that Radura issued it.

`s` must verify over `/c/{number}` with the labels' keyring (service/batches/shipments/
certificate.py signs it); a missing or forged `s`, or a number never given, is 404 with nothing
more said, as for labels (SPEC §6). Otherwise the certificate as it stands now: `genuine`,
`recalled` (the batch was recalled since) or `cancelled` (the shipment was). A page in Bahasa
Indonesia by default (English by `?lang=en` or Accept-Language), JSON by `Accept`."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import msgspec
from litestar import Controller, Request, Response, get, head
from litestar.datastructures import State
from litestar.datastructures.headers import Accept
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery

from labels.wording import PURPOSES
from schemas.batches import JAKARTA
from schemas.shipments import CertificateCheck, CertifiedTreatment
from schemas.verify import InvalidVerification
from service.accounts.markets.names import UNION_NAMES, market_name
from service.batches.customers.countries import country_name
from service.batches.shipments.certificate import (
    IssuedCertificate,
    certificate_path,
    issued_certificate,
)
from service.core.db import Db
from service.core.formatting import format_number
from service.verify.documented_forms import CERTIFICATE_FORMS
from service.verify.page import PAGE_HEADERS, page_css, public_template
from service.verify.texts import Lang, pick_language

_HEADERS = {
    "Vary": "Accept, Accept-Language",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}
_template = public_template("certificate_check.html")

TEXTS: dict[Lang, dict[str, str]] = {
    "id": {
        "title": "Sertifikat ekspor",
        "genuine": "Sertifikat asli",
        "genuine_meaning": "Sertifikat ini diterbitkan oleh Radura untuk pengiriman di bawah ini.",
        "recalled": "Bets ditarik",
        "recalled_meaning": "Sertifikat ini asli, tetapi bets pangan ini telah ditarik. "
        "Jangan jual atau konsumsi.",
        "cancelled": "Pengiriman dibatalkan",
        "cancelled_meaning": "Sertifikat ini asli, tetapi pengiriman yang disebutkannya telah "
        "dibatalkan oleh produsen.",
        "invalid": "Sertifikat tidak dikenal",
        "invalid_meaning": "Sertifikat ini tidak diterbitkan oleh Radura, atau tautannya "
        "telah diubah. Jangan menerimanya sebagai bukti iradiasi.",
        "recall": "Penarikan",
        "recall_reason": "Alasan",
        "number": "Nomor sertifikat",
        "issued_on": "Tanggal terbit",
        "market": "Pasar tujuan",
        "shipped_on": "Tanggal kirim",
        "quantity": "Jumlah",
        "consignee_country": "Negara penerima",
        "product": "Produk",
        "name": "Nama",
        "hs_code": "Kode HS",
        "producer": "Produsen",
        "lot": "Kode produksi (lot)",
        "treatment": "Iradiasi",
        "facility": "Fasilitas",
        "irradiated_on": "Tanggal iradiasi",
        "purpose": "Tujuan iradiasi",
        "source": "Sumber radiasi",
        "dose": "Dosis serap",
        "average": "Dosis serap rata-rata keseluruhan",
        "unknown": "tidak diketahui",
        "pieces": "buah",
        "other_language": "English",
    },
    "en": {
        "title": "Export certificate",
        "genuine": "Genuine certificate",
        "genuine_meaning": "Radura issued this certificate for the shipment below.",
        "recalled": "Batch recalled",
        "recalled_meaning": "The certificate is genuine, but this batch of food has been "
        "recalled. Do not sell or eat it.",
        "cancelled": "Shipment cancelled",
        "cancelled_meaning": "The certificate is genuine, but the producer has cancelled the "
        "shipment it names.",
        "invalid": "Unknown certificate",
        "invalid_meaning": "Radura did not issue this certificate, or its link was altered. Do "
        "not accept it as proof of irradiation.",
        "recall": "Recall",
        "recall_reason": "Reason",
        "number": "Certificate number",
        "issued_on": "Issued on",
        "market": "Destination market",
        "shipped_on": "Shipped on",
        "quantity": "Quantity",
        "consignee_country": "Consignee's country",
        "product": "Product",
        "name": "Name",
        "hs_code": "HS code",
        "producer": "Producer",
        "lot": "Production code (lot)",
        "treatment": "Irradiation",
        "facility": "Facility",
        "irradiated_on": "Irradiated on",
        "purpose": "Purpose of irradiation",
        "source": "Radiation source",
        "dose": "Absorbed dose",
        "average": "Overall average absorbed dose",
        "unknown": "unknown",
        "pieces": "pcs",
        "other_language": "Bahasa Indonesia",
    },
}

_RESPONSES = {
    200: ResponseSpec(
        CertificateCheck,
        generate_examples=False,
        description="A certificate Radura issued, as it stands now: genuine, recalled or "
        "cancelled. With `Accept: text/html` (the default) a page; `application/json` the "
        "verdict as JSON.",
    ),
    404: ResponseSpec(
        InvalidVerification,
        generate_examples=False,
        description="Not a certificate Radura issued (a missing or forged `s`, an unknown "
        "number); nothing more is said.",
    ),
}


def _wants_json(accept: str | None) -> bool:
    if not accept:
        return False
    return Accept(accept).best_match(["text/html", "application/json"]) == "application/json"


def check_of(certificate: IssuedCertificate) -> CertificateCheck:
    row = certificate.row
    return CertificateCheck(
        verdict=certificate.verdict,
        signature="valid",
        number=certificate.number,
        issued_on=certificate.issued_at.astimezone(JAKARTA).date(),
        market=row["market"],
        market_name=row["market_name"],
        shipped_on=row["shipped_at"].astimezone(JAKARTA).date(),
        document_no=row["document_no"],
        quantity=row["quantity"],
        unit=row["unit"],
        consignee_country=row["customer_country"],
        product=row["product_name"],
        hs_code=row["hs_code"],
        producer=f"{row['producer_name']}, {row['producer_city']}",
        lot=row["lot"],
        treatment=CertifiedTreatment(
            facility=f"{row['facility_name']}, {row['facility_city']}",
            irradiated_on=row["started_at"].astimezone(JAKARTA).date(),
            purpose=row["purpose"],
            source_type=row["source_type"],
            dose_min_kgy=row["dose_min_kgy"],
            dose_max_kgy=row["dose_max_kgy"],
            overall_average_kgy=certificate.fit.overall_average_kgy,
        ),
        recall_reason=row["recall_reason"] if row["status"] == "recalled" else None,
    )


def _page(check: CertificateCheck | None, lang: Lang, signature: str | None) -> str:
    t = TEXTS[lang]
    verdict = check.verdict if check is not None else "invalid"
    other: Lang = "en" if lang == "id" else "id"
    query = f"s={quote(signature, safe='')}&lang={other}" if signature else f"lang={other}"
    context: dict[str, Any] = {
        "lang": lang,
        "t": t,
        "css": page_css(),
        "verdict": verdict,
        "heading": t[verdict],
        "meaning": t[f"{verdict}_meaning"],
        "c": check,
        "other_lang": other,
        "other_query": query,
    }
    if check is not None:
        unit = t["pieces"] if check.unit == "pcs" else "kg"
        treatment = check.treatment
        # one decimal on public pages (DOMAIN §8.11)
        dose = f"{format_number(treatment.dose_min_kgy, lang, digits=1)}–"
        dose += f"{format_number(treatment.dose_max_kgy, lang, digits=1)} kGy"
        average = treatment.overall_average_kgy
        context |= {
            "quantity": f"{format_number(check.quantity, lang)} {unit}",
            "consignee_country": country_name(check.consignee_country, lang),
            # a country's name in the reader's language; a union's as the table names it
            "market_name": market_name(check.market, check.market_name, lang)
            if check.market not in UNION_NAMES
            else check.market_name,
            "purpose": PURPOSES[treatment.purpose][0 if lang == "id" else 1],
            "dose": dose,
            "average": f"{format_number(average, lang, digits=1)} kGy"
            if average is not None
            else t["unknown"],
        }
    return _template.render(context)


async def _answer(
    request: Request[Any, Any, State], db: Db, number: str, s: str | None, lang: str | None
) -> Response[Any]:
    """The check's answer: the page, or JSON by `Accept`; 404 for anything Radura did not
    issue."""
    headers = request.headers
    as_json = _wants_json(headers.get("accept"))
    language = pick_language(lang, headers.get("accept-language"))
    found = None
    if (
        s
        and request.app.state.signing_keys.verify(certificate_path(number).encode("utf-8"), s).valid
    ):
        found = await issued_certificate(db, number)
    check = check_of(found) if found is not None else None
    status = 200 if check is not None else 404
    if as_json:
        body: Any = check
        if check is None:
            body = InvalidVerification(verdict="invalid", signature="invalid" if s else "missing")
        return Response(
            msgspec.json.encode(body),
            status_code=status,
            media_type="application/json",
            headers={**_HEADERS, "Access-Control-Allow-Origin": "*"},
        )
    return Response(
        _page(check, language, s if check is not None else None),
        status_code=status,
        media_type="text/html",  # Litestar adds the charset
        headers={**_HEADERS, **PAGE_HEADERS},
    )


class CertificateCheckController(Controller):
    """What an importer's phone (or a customs system) reaches by scanning an export
    certificate's QR code."""

    tags = ["verification"]

    @get(
        "/c/{number:str}",
        operation_id="checkExportCertificate",
        exclude_from_auth=True,
        responses=_RESPONSES,
        summary="Check that an export certificate is genuine",
        # documented with the number's and the signature's patterns, which the route does not
        # enforce: anything but a certificate Radura issued is 404 (service/verify/
        # documented_forms.py)
        opt={"documented_as": CERTIFICATE_FORMS, "negotiated": "page"},
    )
    async def check(
        self,
        request: Request[Any, Any, State],
        db: Db,
        number: FromPath[str],
        s: FromQuery[str | None] = None,
        lang: FromQuery[str | None] = None,
    ) -> Response[Any]:
        """Check an export certificate: its `s` must verify over `/c/{number}` (the QR on the
        certificate holds the whole link). HTML by default, JSON by `Accept`."""
        return await _answer(request, db, number, s, lang)

    @head("/c/{number:str}", exclude_from_auth=True, include_in_schema=False)
    async def check_head(
        self, request: Request[Any, Any, State], db: Db, number: FromPath[str]
    ) -> Response[None]:
        """HEAD (link checkers and previewers send it first): GET's status and headers."""
        query = request.query_params
        answer = await _answer(request, db, number, query.get("s"), query.get("lang"))
        return Response(
            None,
            status_code=answer.status_code,
            headers=dict(answer.headers),
            media_type=answer.media_type,
        )
