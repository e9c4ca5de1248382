"""The export certificate of a shipment (SPEC §13.3): one A4 page in English — the language every
importer reads — with the market's own statutory words beside it where the markets table has
them (China's 辐照食品), and a QR to `/c/{number}?s=…`, where anyone checks that the paper is
genuine. It is drawn with the treatment certificate's rows, QR and recall mark
(labels/certificate_pdf.py).

Every text it prints from data (each row's value, the market's words, the recall's reason, the
statement of conformity) is set run by run: DejaVu where it has the character, else the
certificate's CJK font (GB 2312's 3,755 level-1 hanzi and CJK punctuation,
labels/fonts/NotoSansSC-Regular-gb2312.ttf), so a Chinese importer's name and city
(上海海鲜贸易有限公司, 上海市浦东新区) print as written. A character neither font has is never
drawn as an empty box: see `certificate_text`."""

from __future__ import annotations

import msgspec
from reportlab.pdfgen.canvas import Canvas

from labels.certificate_pdf import (
    PT_PER_MM,
    QR_SIDE_MM,
    REPLACEMENT,
    A4Page,
    draw_qr,
    draw_recall,
    draw_rows,
    draw_runs,
    unprintable_replaced,
)
from labels.typography import (
    MM_PER_PT,
    PDF_CERTIFICATE_FALLBACK_FONT,
    missing_characters,
    wrap_text,
)

CODEX = "Codex General Standard for Irradiated Foods (CXS 106-1983, Rev. 2003) and Code of "
CODEX += "Practice for Radiation Processing of Food (CXC 19-1979, Rev. 2003)"


class ExportCertificateFacts(msgspec.Struct, frozen=True, kw_only=True):
    """What the export certificate states, already in words (numbers formatted, times in WIB)."""

    number: str
    uri: str  # the signed `/c/{number}?s=…` its QR holds
    issued_on: str
    shipper: str
    consignee: str
    market: str  # "United States (US)"
    product: str
    hs_code: str
    lot: str
    quantity: str
    shipped_on: str
    document_no: str
    purpose: str
    facility: str
    facility_licence: str
    facility_approval: str
    irradiator: str
    source: str
    started: str
    ended: str
    dosimetry: str
    dose_map: str
    product_temperature: str
    dose_min: str
    dose_max: str
    dose_average: str
    market_limit: str
    market_check: str
    conformity: str
    # the market's statutory words in each of its languages other than English that the
    # certificate's fonts can print (see `printable`): (language code, words)
    market_words: list[tuple[str, str]] = []
    recalled_at: str | None = None
    recall_reason: str | None = None


# (name, attribute) in the order the certificate lists them
ROWS = (
    ("Shipper (producer)", "shipper"),
    ("Consignee", "consignee"),
    ("Destination market", "market"),
    ("Product", "product"),
    ("HS code", "hs_code"),
    ("Production code (lot)", "lot"),
    ("Quantity", "quantity"),
    ("Shipped on", "shipped_on"),
    ("Shipping document", "document_no"),
    ("Purpose of irradiation", "purpose"),
    ("Irradiation facility", "facility"),
    ("BAPETEN licence", "facility_licence"),
    ("Approval for the market", "facility_approval"),
    ("Irradiator and source", "irradiator"),
    ("Source type and energy", "source"),
    ("Treatment started", "started"),
    ("Treatment ended", "ended"),
    ("Dosimetry", "dosimetry"),
    ("Dose map", "dose_map"),
    ("Product temperature", "product_temperature"),
    ("Minimum absorbed dose", "dose_min"),
    ("Maximum absorbed dose", "dose_max"),
    ("Overall average dose", "dose_average"),
    ("Market's dose limit", "market_limit"),
    ("Market check", "market_check"),
)


def printable(text: str) -> bool:
    """Whether the certificate's fonts — DejaVu, and the certificate's CJK font for what DejaVu
    lacks — have a glyph for every character of `text`. The market's words with a character
    neither has (Japanese 放射線照射: GB 2312 has no 線) are left off rather than printed as
    empty boxes or with a character missing; labels/fonts/subset_cjk.py cuts the font."""
    return missing_characters(text, PDF_CERTIFICATE_FALLBACK_FONT) == ""


def certificate_text(text: str) -> str:
    """`text` as the certificate prints it: as written where the fonts have every character;
    otherwise each character neither font has (a rare hanzi beyond GB 2312's level 1, a
    letter of a script without a font here, Arabic or Hebrew, which the certificate would set
    reversed and unjoined) is replaced by U+FFFD (�, DejaVu's replacement mark, which no name
    holds, unlike "?"), and a note after the text names each replaced character by its code
    point, in the order they stand.

    Why not leave the value off, or print it anyway: a row of a shipment's certificate states
    a fact the importer's customs compare with their papers. An empty box would hide that a
    character is missing, and a value left off would state nothing; the record has no other
    form of a consignee's name (no romanized one) to print instead. The marks and the code
    points keep the printed value exact (the name can be rebuilt from them) and make plain
    that the paper could not show those characters."""
    printed, codes = unprintable_replaced(text, PDF_CERTIFICATE_FALLBACK_FONT)
    if not codes:
        return text
    if len(codes) == 1:
        note = f"{REPLACEMENT} is {codes[0]}, a character this certificate's fonts lack"
    else:
        note = f"each {REPLACEMENT} in turn: {', '.join(codes)}, characters this certificate's "
        note += "fonts lack"
    return f"{printed} ({note})"


def draw_text(canvas: Canvas, x_pt: float, y_pt: float, text: str, size_pt: float) -> None:
    """`text` at (x, y) in the regular weight, run by run: DejaVu where it has the character,
    the certificate's CJK font where only that has it."""
    draw_runs(canvas, x_pt, y_pt, certificate_text(text), size_pt, PDF_CERTIFICATE_FALLBACK_FONT)


def export_certificate_pdf(facts: ExportCertificateFacts) -> bytes:
    """One A4 page: the title and number, the QR, the facts, the statement of conformity."""
    recalled = facts.recalled_at is not None
    page = A4Page(
        title=f"Export certificate {facts.number}" + (" — RECALLED" if recalled else ""),
        author=facts.shipper,
        subject=f"{facts.product} · {facts.lot} · {facts.market}",
    )
    canvas, left, top = page.canvas, page.left, page.top
    width_pt, height_pt = page.width_pt, page.height_pt
    regular, bold = page.regular, page.bold

    canvas.setFont(bold, 15)
    canvas.drawString(left, top - 15, "EXPORT CERTIFICATE")
    canvas.setFont(regular, 11)
    canvas.drawString(left, top - 30, "Food irradiation treatment of a consignment")
    draw_text(canvas, left, top - 46, f"Certificate No. {facts.number}", 9)
    draw_text(canvas, left, top - 58, f"Issued on {facts.issued_on}", 9)
    y = top - 70
    for language, words in facts.market_words:
        draw_text(canvas, left, y, f"{words} ({language})", 9)
        y -= 12
    if recalled:
        draw_recall(
            canvas,
            certificate_text(facts.recalled_at or ""),
            certificate_text(facts.recall_reason) if facts.recall_reason else None,
            left,
            y - 6,
            width_pt,
            height_pt,
            PDF_CERTIFICATE_FALLBACK_FONT,
        )
    qr_side_pt = QR_SIDE_MM * PT_PER_MM
    draw_qr(canvas, facts.uri, width_pt - left - qr_side_pt, top - qr_side_pt, qr_side_pt)

    rows = [(name, None, certificate_text(getattr(facts, key) or "—")) for name, key in ROWS]
    y = draw_rows(
        canvas, rows, left, top - qr_side_pt - 18, width_pt, PDF_CERTIFICATE_FALLBACK_FONT
    )

    canvas.setFont(bold, 9)
    canvas.drawString(left, y - 4, "Statement of conformity")
    width_mm = (width_pt - 2 * left) * MM_PER_PT
    conformity = certificate_text(facts.conformity)
    lines = wrap_text(conformity, 8.5, False, width_mm, PDF_CERTIFICATE_FALLBACK_FONT)
    for i, line in enumerate(lines):
        draw_runs(canvas, left, y - 16 - i * 10.5, line, 8.5, PDF_CERTIFICATE_FALLBACK_FONT)

    return page.finish("Scan the QR code to check that this certificate is genuine.")
