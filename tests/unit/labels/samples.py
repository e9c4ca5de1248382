"""Label contents, realistic URIs and decoding helpers shared by the label tests."""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence

import msgspec
import pypdfium2 as pdfium
import resvg_py
import zxingcpp
from PIL import Image
from pyzbar import pyzbar

from labels.codes import random_code
from labels.signing import Keyring
from labels.typography import FONT_FILES
from labels.uri import signed_uri
from labels.wording import label_phrases
from schemas.labels import LabelContent, LabelRef

BASE_URL = "https://radura.example.id"
GTIN14 = "08991234567891"
LONG_LOT = "lot-2025-11-abcdefgh"  # 20 characters, lower case: byte mode, the largest QR
TODAY = datetime.date(2025, 11, 20)

LONG_PRODUCT = (
    "Rendang Daging Sapi Pedas Khas Minangkabau Resep Nenek Moyang Dimasak Delapan Jam "
    "dengan Santan Kelapa Segar dan Cabai Merah"
)[:120]
LONG_FACILITY = (
    "Iradiator Gamma Merah Putih Badan Riset dan Inovasi Nasional Kawasan Sains dan "
    "Teknologi B.J. Habibie Puspiptek Serpong Banten"
)[:120]
assert len(LONG_PRODUCT) == len(LONG_FACILITY) == 120
# Long but real: a producer's full product name and BRIN's irradiator in Serpong.
DEMO_PRODUCT = "Rendang Daging Sapi Padang Bu Ratna"
DEMO_FACILITY = "Iradiator Gamma Merah Putih (IGMP) Badan Riset dan Inovasi Nasional"
SHORT_LOT = "RDG-2511-07"


def gs1_ref(serial: str | None = None, lot: str = LONG_LOT) -> LabelRef:
    return LabelRef(
        code="7KQ2M9XW4T",
        lot=lot,
        gtin14=GTIN14,
        serial=serial,
        best_before=datetime.date(2027, 1, 31),
    )


def batch_content(keyring: Keyring, **changes: object) -> LabelContent:
    """A typical batch-level label with a signed GS1 URI; `changes` override fields."""
    content = LabelContent(
        uri=signed_uri(BASE_URL, gs1_ref(), keyring),
        code="7KQ2M9XW4T",
        product_name="Rendang Daging Sapi",
        producer_name="UMKM Dapur Minang",
        producer_address="Jl. Raya Serpong No. 12",
        producer_city="Tangerang Selatan",
        registration_no="P-IRT 206367401234567",
        lot=LONG_LOT,
        production_date=datetime.date(2025, 11, 1),
        best_before=datetime.date(2027, 1, 31),
        storage_temp_c=8,
        purpose="extend_shelf_life",
        facility_name="Iradiator Gamma Merah Putih (IGMP) BRIN",
        facility_address="Kawasan Puspiptek, Setu, Tangerang Selatan",
        facility_city="Tangerang Selatan",
        irradiated_on=datetime.date(2025, 11, 3),
        net_content="250 g",
    )
    return msgspec.structs.replace(content, **changes)


def serial_contents(keyring: Keyring, count: int, **changes: object) -> list[LabelContent]:
    """`count` serial labels of one batch, each with its own signed URI."""
    base = batch_content(keyring, **changes)
    if "lot" in changes:
        base = msgspec.structs.replace(
            base, uri=signed_uri(BASE_URL, gs1_ref(lot=base.lot), keyring)
        )
    cells = []
    for _ in range(count):
        serial = random_code()
        uri = signed_uri(BASE_URL, gs1_ref(serial, lot=base.lot), keyring)
        cells.append(msgspec.structs.replace(base, serial=serial, uri=uri))
    return cells


def mandatory_texts(content: LabelContent, producer: bool = True) -> list[str]:
    """What SPEC §5.2 says every sticker prints, as it should read (Bahasa Indonesia); with
    `producer`, also what a sticker of 70×37 mm or more adds."""
    every = [
        "PANGAN IRADIASI",
        "Tujuan iradiasi: memperpanjang umur simpan",
        "TIDAK BOLEH DIIRADIASI ULANG",
        f"Fasilitas iradiasi: {content.facility_name}, {content.facility_city}",
        f"Diiradiasi: {content.irradiated_on:%m/%Y}, {content.irradiation_country}",
        content.product_name,
        f"Kode produksi: {content.lot}",
        f"Tanggal produksi: {content.production_date:%d-%m-%Y}",
        f"Baik digunakan sebelum: {content.best_before:%d-%m-%Y}",
        "Simpan pada suhu maksimal 8 °C",
        "7KQ2M 9XW4T",
        "Pindai untuk cek keaslian",
    ]
    if content.market_words:  # an export market's statutory words (SPEC §13.3)
        every.append(content.market_words)
    if not producer:
        return every
    # worded as labels.wording has them (the registration and net content lines are reworded
    # elsewhere); the producer's name and address are there in full
    texts = label_phrases(content)
    assert content.producer_name in texts["producer"]
    return [*every, texts["producer"], texts["registration"], texts["net_content"]]


def squash(text: str) -> str:
    """Whitespace collapsed to single spaces, so wrapped lines compare with the source."""
    return " ".join(text.split())


def decode_all(image: Image.Image) -> list[str]:
    # QR only: with every format on, zxing now and then reads label text as a linear barcode
    qr = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    return [result.text for result in zxingcpp.read_barcodes(image, formats=qr)]


def decode_zbar(image: Image.Image) -> list[str]:
    """The QR codes zbar (the other common open decoder) reads in `image`."""
    found = pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE])
    return [result.data.decode() for result in found]


def decode_png(data: bytes) -> list[str]:
    return decode_all(Image.open(io.BytesIO(data)))


def pdf_pages(pdf: bytes) -> pdfium.PdfDocument:
    return pdfium.PdfDocument(pdf)


def render_page(document: pdfium.PdfDocument, index: int, dpi: int = 300) -> Image.Image:
    return document[index].render(scale=dpi / 72).to_pil()


def page_text(document: pdfium.PdfDocument, indexes: Sequence[int]) -> str:
    return " ".join(document[i].get_textpage().get_text_range() for i in indexes)


def rasterize_svg(svg: str, dpi: int = 300) -> bytes:
    """PNG of an SVG through resvg, with only the label fonts (as on a machine without any)."""
    png = resvg_py.svg_to_bytes(
        svg_string=svg,
        dpi=dpi,
        background="#ffffff",
        skip_system_fonts=True,
        font_files=[str(path) for path in FONT_FILES.values()],
    )
    return bytes(png)
