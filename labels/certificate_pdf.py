"""The one-page treatment certificate of a released batch (SPEC §11), in Bahasa Indonesia and
English, with the batch label's QR so that it verifies like a label."""

from __future__ import annotations

import io
from datetime import datetime

import msgspec
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from labels.pdf_metadata import describe
from labels.qr import QUIET_ZONE_MODULES, qr_matrix
from labels.registration import printed_registration_no, registration_caption
from labels.typography import MM_PER_PT, PDF_FONT_NAMES, register_pdf_fonts, wrap_text
from schemas.batches import JAKARTA

PT_PER_MM = 1 / MM_PER_PT
MARGIN_MM = 18
QR_SIDE_MM = 42  # scannable from a printout at arm's length
VALUE_COLUMN_MM = 70  # where values start, after the bilingual field names


class CertificateFacts(msgspec.Struct, frozen=True, kw_only=True):
    """What the certificate states, already in words (numbers formatted, times in WIB)."""

    label_uri: str
    code: str
    product: str
    producer: str
    lot: str
    quantity: str
    purpose_id: str
    purpose_en: str
    facility: str
    facility_licence: str | None
    irradiator: str
    source: str
    run_id: str
    started: str
    ended: str
    dosimetry: str
    dose_min: str
    dose_max: str
    dur: str
    limits: str
    released_by: str
    released_at: str
    registration_no: str | None = None  # as stored; printed as BPOM prints it


# (Bahasa Indonesia, English, attribute) in the order the certificate lists them
ROWS = (
    ("Produk", "Product", "product"),
    ("Produsen", "Producer", "producer"),
    ("Kode produksi (lot)", "Production code (lot)", "lot"),
    ("Jumlah", "Quantity", "quantity"),
    ("Fasilitas", "Facility", "facility"),
    ("Izin BAPETEN", "BAPETEN licence", "facility_licence"),
    ("Iradiator", "Irradiator", "irradiator"),
    ("Sumber", "Source", "source"),
    ("Nomor siklus iradiasi (run)", "Irradiation run", "run_id"),
    ("Mulai", "Started", "started"),
    ("Selesai", "Ended", "ended"),
    ("Dosimetri", "Dosimetry", "dosimetry"),
    ("Dosis serap minimum (D_min)", "Minimum absorbed dose (D_min)", "dose_min"),
    ("Dosis serap maksimum (D_max)", "Maximum absorbed dose (D_max)", "dose_max"),
    ("DUR", "DUR", "dur"),
    ("Batas dosis serap", "Absorbed dose limits", "limits"),
    ("Diluluskan oleh (petugas penjamin mutu)", "Released by (QA officer)", "released_by"),
    ("Tanggal pelulusan", "Released on", "released_at"),
)


def certificate_pdf(facts: CertificateFacts) -> bytes:
    """One A4 page: title, the QR of the batch label, the facts in two languages."""
    register_pdf_fonts()
    buffer = io.BytesIO()
    width_pt, height_pt = A4
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, invariant=1)
    describe(
        canvas,
        title=f"Sertifikat iradiasi / Irradiation certificate {facts.code}",
        author=facts.producer,
        subject=f"{facts.product} · {facts.lot}",
    )
    left = MARGIN_MM * PT_PER_MM
    top = height_pt - MARGIN_MM * PT_PER_MM
    regular, bold = PDF_FONT_NAMES[False], PDF_FONT_NAMES[True]

    canvas.setFont(bold, 16)
    canvas.drawString(left, top - 16, "SERTIFIKAT IRADIASI PANGAN")
    canvas.setFont(regular, 12)
    canvas.drawString(left, top - 32, "Food irradiation treatment certificate")
    canvas.setFont(regular, 9)
    canvas.drawString(left, top - 48, f"Kode / Code: {facts.code}")
    canvas.drawString(left, top - 60, f"Tujuan / Purpose: {facts.purpose_id} / {facts.purpose_en}")
    qr_side_pt = QR_SIDE_MM * PT_PER_MM
    _draw_qr(canvas, facts.label_uri, width_pt - left - qr_side_pt, top - qr_side_pt, qr_side_pt)

    y = top - qr_side_pt - 24
    value_x = left + VALUE_COLUMN_MM * PT_PER_MM
    value_width_mm = (width_pt - value_x) * MM_PER_PT - MARGIN_MM
    for name_id, name_en, value in _rows(facts):
        canvas.setFont(bold, 9)
        canvas.drawString(left, y, name_id)
        canvas.setFont(regular, 8)
        canvas.drawString(left, y - 10, name_en)
        canvas.setFont(regular, 9)
        lines = wrap_text(value, 9, False, value_width_mm)
        for i, line in enumerate(lines):
            canvas.drawString(value_x, y - i * 11, line)
        y -= max(24, 11 * len(lines) + 8)

    canvas.setFont(regular, 8)
    canvas.drawString(
        left,
        MARGIN_MM * PT_PER_MM,
        "Pindai kode QR untuk memeriksa bets ini. / Scan the QR code to verify this batch.",
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _rows(facts: CertificateFacts) -> list[tuple[str, str, str]]:
    """(Bahasa Indonesia, English, value) of each row; the registration number after the
    producer, under what it is (an izin edar, a P-IRT or a PSAT number), when there is one."""
    rows = [(name_id, name_en, getattr(facts, key) or "—") for name_id, name_en, key in ROWS]
    if facts.registration_no:
        caption_id = registration_caption(facts.registration_no, "id")
        caption_en = registration_caption(facts.registration_no, "en")
        at = [attribute for _, _, attribute in ROWS].index("producer") + 1
        rows.insert(at, (caption_id, caption_en, printed_registration_no(facts.registration_no)))
    return rows


def _draw_qr(canvas: Canvas, uri: str, x_pt: float, y_pt: float, side_pt: float) -> None:
    matrix = qr_matrix(uri)
    module_pt = side_pt / (matrix.size + 2 * QUIET_ZONE_MODULES)
    origin_x = x_pt + QUIET_ZONE_MODULES * module_pt
    top = y_pt + side_pt - QUIET_ZONE_MODULES * module_pt
    canvas.setFillColorRGB(0, 0, 0)
    for row, col, length in matrix.dark_runs():
        canvas.rect(
            origin_x + col * module_pt,
            top - (row + 1) * module_pt,
            length * module_pt,
            module_pt,
            stroke=0,
            fill=1,
        )


def format_instant(moment: datetime) -> str:
    """A time as the certificate prints it: WIB, to the minute."""
    return moment.astimezone(JAKARTA).strftime("%Y-%m-%d %H:%M WIB")
