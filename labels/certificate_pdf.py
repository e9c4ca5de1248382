"""The one-page treatment certificate of a released batch (SPEC §11), in Bahasa Indonesia and
English, with the batch label's QR so that it verifies like a label. A recalled batch's carries
DITARIK / RECALLED across the page and a line with the date and reason of the recall."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

import msgspec
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from labels.pdf_metadata import describe
from labels.qr import QUIET_ZONE_MODULES, qr_matrix
from labels.registration import printed_registration_no, registration_caption
from labels.typography import (
    MM_PER_PT,
    PDF_CERTIFICATE_FALLBACK_FONT,
    PDF_FONT_NAMES,
    font_runs,
    missing_characters,
    register_certificate_font,
    wrap_text,
)
from schemas.batches import JAKARTA

PT_PER_MM = 1 / MM_PER_PT
# Binary (Flate only) streams: ASCII85 on top costs a pure-Python pass over every byte and
# makes the file 25 % larger. reportlab reads this flag when it writes the file.
rl_config.useA85 = 0
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
    # a recalled batch: when (in words, WIB) and why
    recalled_at: str | None = None
    recall_reason: str | None = None


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


class A4Page:
    """A one-page A4 certificate being drawn: its canvas with the PDF's metadata, the margins'
    corner (`left`, `top`) and the two faces; `finish` writes the footer line and the file."""

    def __init__(self, title: str, author: str, subject: str) -> None:
        # DejaVu, and the CJK font in which every certificate sets a name DejaVu cannot
        register_certificate_font()
        self._buffer = io.BytesIO()
        self.width_pt, self.height_pt = A4
        self.canvas = Canvas(self._buffer, pagesize=A4, pageCompression=1, invariant=1)
        describe(self.canvas, title=title, author=author, subject=subject)
        self.left = MARGIN_MM * PT_PER_MM
        self.top = self.height_pt - MARGIN_MM * PT_PER_MM
        self.regular, self.bold = PDF_FONT_NAMES[False], PDF_FONT_NAMES[True]

    def finish(self, footer: str) -> bytes:
        """The footer (what scanning the QR does) at the bottom margin, then the PDF."""
        self.canvas.setFont(self.regular, 8)
        self.canvas.drawString(self.left, MARGIN_MM * PT_PER_MM, footer)
        self.canvas.showPage()
        self.canvas.save()
        return self._buffer.getvalue()


def certificate_pdf(facts: CertificateFacts) -> bytes:
    """One A4 page: title, the QR of the batch label, the facts in two languages."""
    recalled = facts.recalled_at is not None
    page = A4Page(
        title=f"Sertifikat iradiasi / Irradiation certificate {facts.code}"
        + (" — DITARIK / RECALLED" if recalled else ""),
        author=facts.producer,
        subject=f"{facts.product} · {facts.lot}",
    )
    canvas, left, top = page.canvas, page.left, page.top
    width_pt, height_pt = page.width_pt, page.height_pt
    regular, bold = page.regular, page.bold

    canvas.setFont(bold, 16)
    canvas.drawString(left, top - 16, "SERTIFIKAT IRADIASI PANGAN")
    canvas.setFont(regular, 12)
    canvas.drawString(left, top - 32, "Food irradiation treatment certificate")
    canvas.setFont(regular, 9)
    canvas.drawString(left, top - 48, f"Kode / Code: {facts.code}")
    canvas.drawString(left, top - 60, f"Tujuan / Purpose: {facts.purpose_id} / {facts.purpose_en}")
    if recalled:
        draw_recall(
            canvas,
            facts.recalled_at or "",
            treatment_certificate_text(facts.recall_reason) if facts.recall_reason else None,
            left,
            top - 76,
            width_pt,
            height_pt,
        )
    qr_side_pt = QR_SIDE_MM * PT_PER_MM
    draw_qr(canvas, facts.label_uri, width_pt - left - qr_side_pt, top - qr_side_pt, qr_side_pt)

    draw_rows(canvas, _rows(facts), left, top - qr_side_pt - 24, width_pt)
    return page.finish(
        "Pindai kode QR untuk memeriksa bets ini. / Scan the QR code to verify this batch."
    )


# what stands in a value for a character the certificate cannot print
REPLACEMENT = "\ufffd"


def unprintable_replaced(text: str, fallback: str) -> tuple[str, list[str]]:
    """`text` with each character that neither DejaVu nor the CJK `fallback` has replaced by
    U+FFFD (�, DejaVu's replacement mark, which no name holds, unlike "?"), and the code points
    replaced, in the order they stand: a certificate prints the marks and names the code points,
    so the value stays exact instead of showing an empty box where a letter should be."""
    missing = set(missing_characters(text, fallback))
    if not missing:
        return text, []
    codes = [f"U+{ord(char):04X}" for char in text if char in missing]
    return "".join(REPLACEMENT if char in missing else char for char in text), codes


def treatment_certificate_text(text: str) -> str:
    """`text` as the treatment certificate prints it: as written, or with each character its
    fonts lack (Arabic or Hebrew letters, a hanzi beyond GB 2312's level 1) replaced and the
    code points after it, in a note both of the certificate's languages read alike."""
    printed, codes = unprintable_replaced(text, PDF_CERTIFICATE_FALLBACK_FONT)
    return printed if not codes else f"{printed} ({REPLACEMENT} = {', '.join(codes)})"


def draw_runs(
    canvas: Canvas,
    x_pt: float,
    y_pt: float,
    text: str,
    size_pt: float,
    fallback: str = PDF_CERTIFICATE_FALLBACK_FONT,
) -> None:
    """`text` at (x, y) in the regular weight, run by run: DejaVu where it has the character,
    the CJK `fallback` where only that has it (as the labels set them)."""
    for name, run in font_runs(text, False, fallback):
        canvas.setFont(name, size_pt)
        canvas.drawString(x_pt, y_pt, run)
        x_pt += pdfmetrics.stringWidth(run, name, size_pt)


def draw_rows(
    canvas: Canvas,
    rows: Sequence[tuple[str, str | None, str]],
    left: float,
    y: float,
    width_pt: float,
    fallback: str = PDF_CERTIFICATE_FALLBACK_FONT,
) -> float:
    """The facts as rows from `y` down: the field's name in bold, under it its name in the
    second language when there is one, the value (wrapped, measured and drawn run by run with
    the CJK `fallback`) in the column at `VALUE_COLUMN_MM`. Returns where the next line may
    start."""
    regular, bold = PDF_FONT_NAMES[False], PDF_FONT_NAMES[True]
    value_x = left + VALUE_COLUMN_MM * PT_PER_MM
    value_width_mm = (width_pt - value_x) * MM_PER_PT - MARGIN_MM
    for name, second_name, value in rows:
        canvas.setFont(bold, 9)
        canvas.drawString(left, y, name)
        if second_name is not None:
            canvas.setFont(regular, 8)
            canvas.drawString(left, y - 10, second_name)
        lines = wrap_text(value, 9, False, value_width_mm, fallback)
        for i, line in enumerate(lines):
            draw_runs(canvas, value_x, y - i * 11, line, 9, fallback)
        y -= max(24 if second_name is not None else 15, 11 * len(lines) + (8 if second_name else 4))
    return y


def draw_recall(
    canvas: Canvas,
    recalled_at: str,
    recall_reason: str | None,
    left: float,
    y: float,
    width_pt: float,
    height_pt: float,
    fallback: str = PDF_CERTIFICATE_FALLBACK_FONT,
) -> None:
    """A recalled batch: the word across the page, and what, when and why in a red line (the
    reason set run by run with the CJK `fallback`)."""
    bold = PDF_FONT_NAMES[True]
    canvas.saveState()
    canvas.setFillColorRGB(0.75, 0.05, 0.05)
    canvas.setFont(bold, 11)
    canvas.drawString(left, y, f"DITARIK / RECALLED {recalled_at}")
    # left of the QR, two lines at most (the reason is one line of at most 500 characters)
    reason_width_mm = (width_pt - 2 * left) * MM_PER_PT - QR_SIDE_MM - 6
    reason = f"Alasan / Reason: {recall_reason or '—'}"
    for i, line in enumerate(wrap_text(reason, 9, False, reason_width_mm, fallback)[:2]):
        draw_runs(canvas, left, y - 12 - i * 11, line, 9, fallback)
    # across the page, light enough to leave every fact readable
    canvas.setFillColorRGB(0.85, 0.1, 0.1, alpha=0.18)
    canvas.setFont(bold, 64)
    canvas.translate(width_pt / 2, height_pt / 2)
    canvas.rotate(35)
    canvas.drawCentredString(0, 24, "DITARIK")
    canvas.drawCentredString(0, -48, "RECALLED")
    canvas.restoreState()


def _rows(facts: CertificateFacts) -> list[tuple[str, str, str]]:
    """(Bahasa Indonesia, English, value) of each row; the registration number after the
    producer, under what it is (an izin edar, a P-IRT or a PSAT number), when there is one."""
    rows = [
        (name_id, name_en, treatment_certificate_text(getattr(facts, key) or "—"))
        for name_id, name_en, key in ROWS
    ]
    if facts.registration_no:
        caption_id = registration_caption(facts.registration_no, "id")
        caption_en = registration_caption(facts.registration_no, "en")
        at = [attribute for _, _, attribute in ROWS].index("producer") + 1
        rows.insert(at, (caption_id, caption_en, printed_registration_no(facts.registration_no)))
    return rows


def draw_qr(canvas: Canvas, uri: str, x_pt: float, y_pt: float, side_pt: float) -> None:
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
