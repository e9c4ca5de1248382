"""Every word the verification page shows, Bahasa Indonesia first and English second."""

from __future__ import annotations

from labels.wording import PURPOSES as LABEL_PURPOSES
from labels.wording import is_mass
from schemas.common import LANGS, Lang
from service.verify.memo import memo_of_short_texts
from service.verify.response import quality


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


# BPOM's public contact centre, where a shopper reports a suspect product (editable data).
REPORT_PHONE = "1500533"
REPORT_EMAIL = "halobpom@pom.go.id"

# the same words the printed label uses, so the page and the pack never disagree
PURPOSES: dict[str, tuple[str, str]] = {
    purpose: (_sentence_case(name_id), _sentence_case(name_en))
    for purpose, (name_id, name_en) in LABEL_PURPOSES.items()
}

SOURCE_TYPES: dict[str, tuple[str, str]] = {
    "cobalt-60": ("Sinar gamma (kobalt-60)", "Gamma rays (cobalt-60)"),
    "cesium-137": ("Sinar gamma (sesium-137)", "Gamma rays (caesium-137)"),
    "electron-beam": ("Berkas elektron", "Electron beam"),
    "x-ray": ("Sinar-X", "X-rays"),
}

# verdict → (heading, what it means, what to do)
VERDICTS: dict[str, dict[Lang, tuple[str, str, str]]] = {
    "genuine": {
        "id": (
            "Asli",
            "Label ini diterbitkan oleh Radura. Produk ini telah diiradiasi dan diluluskan oleh "
            "petugas penjamin mutu fasilitas iradiasi.",
            "Simpan sesuai petunjuk dan konsumsi sebelum tanggal di bawah.",
        ),
        "en": (
            "Genuine",
            "This label was issued by Radura. The product was irradiated and released by the "
            "facility's quality officer.",
            "Store it as instructed and eat it before the date below.",
        ),
    },
    "expired": {
        "id": (
            "Kedaluwarsa",
            "Label ini asli, tetapi tanggal baik digunakan sebelum sudah lewat.",
            "Jangan konsumsi produk ini.",
        ),
        "en": (
            "Expired",
            "This label is genuine, but its best-before date has passed.",
            "Do not eat this product.",
        ),
    },
    "suspect": {
        "id": (
            "Mencurigakan",
            "Label ini sudah dipindai dari terlalu banyak perangkat berbeda. Kemungkinan label "
            "ini disalin dan ditempel pada produk lain.",
            "Periksa kemasan dengan teliti. Jika ragu, jangan konsumsi dan laporkan ke BPOM.",
        ),
        "en": (
            "Suspicious",
            "This label has been scanned from too many different devices. It may have been "
            "copied onto other packs.",
            "Check the pack carefully. If in doubt, do not eat it and report it to BPOM.",
        ),
    },
    "recalled": {
        "id": (
            "Ditarik",
            "Produsen atau BPOM telah menarik bets ini dari peredaran.",
            "Jangan konsumsi produk ini. Kembalikan ke tempat Anda membelinya.",
        ),
        "en": (
            "Recalled",
            "The producer or BPOM has recalled this batch.",
            "Do not eat this product. Return it to where you bought it.",
        ),
    },
    "unverified": {
        "id": (
            "Belum terverifikasi",
            "Kode ini tidak memuat tanda tangan digital Radura, jadi keaslian kemasan ini tidak "
            "dapat dipastikan. Di bawah ini hanya produk yang memakai kode barang ini.",
            "Pindai QR pada label Radura di kemasan untuk memeriksa keasliannya.",
        ),
        "en": (
            "Not verified",
            "This code carries no Radura digital signature, so this pack cannot be confirmed as "
            "genuine. "
            "Below is only the product that uses this item code.",
            "Scan the QR on the pack's Radura label to check that it is genuine.",
        ),
    },
    "invalid": {
        "id": (
            "Label tidak dapat dipastikan",
            "Kode yang terbaca tidak cocok dengan label yang diterbitkan Radura. Sering kali "
            "kamera salah membaca label yang kusut, basah atau terlipat.",
            "Pindai sekali lagi dari dekat dengan cahaya cukup. Bila hasilnya tetap sama, "
            "tanyakan kepada penjual atau produsen, dan jangan konsumsi produk ini sebelum "
            "Anda yakin.",
        ),
        "en": (
            "This label could not be confirmed",
            "The code read does not match a label Radura issued. Often the camera misread a "
            "creased, wet or folded label.",
            "Scan it once more, close up and in good light. If the answer stays the same, ask "
            "the shop or the producer, and do not eat this product until you are sure.",
        ),
    },
}

LABELS: dict[Lang, dict[str, str]] = {
    "id": {
        "title": "Verifikasi label pangan iradiasi",
        "irradiated_food": "PANGAN IRADIASI",
        "irradiated_food_note": "",
        "radura": "Simbol Radura: pangan ini diiradiasi",
        "product": "Produk",
        "name": "Nama produk",
        "category": "Jenis pangan",
        "net_weight": "Berat bersih",
        "net_content": "Isi bersih",
        "producer": "Produsen",
        "producer_contact": "Hubungi produsen",
        "lot": "Kode produksi (lot)",
        "serial": "Nomor seri",
        "best_before": "Baik digunakan sebelum",
        "storage": "Penyimpanan",
        "storage_text": "Simpan pada suhu maksimal {t}\u00a0°C",
        "treatment": "Iradiasi",
        "certificate": "Sertifikat iradiasi (PDF)",
        "facility": "Fasilitas iradiasi",
        "irradiated": "Tanggal iradiasi",
        "purpose": "Tujuan iradiasi",
        "source": "Sumber radiasi",
        "dose": "Dosis serap",
        "no_reirradiation": "Tidak boleh diiradiasi ulang.",
        "recall": "Penarikan",
        "recall_reason": "Alasan",
        "recall_at": "Ditarik pada",
        "scans": "Label ini sudah dipindai {n} kali.",
        "report": "Cara melapor",
        "report_text": "Laporkan ke BPOM melalui HALO BPOM {phone} atau email {email}. Sebutkan "
        "nama produk, tempat dan tanggal pembelian, dan simpan kemasannya.",
        "other_lang": "English",
        "about": "Radura — ketertelusuran pangan iradiasi Indonesia.",
    },
    "en": {
        "title": "Irradiated food label check",
        "irradiated_food": "PANGAN IRADIASI",
        "irradiated_food_note": "Irradiated food",
        "radura": "Radura symbol: this food was irradiated",
        "product": "Product",
        "name": "Product name",
        "category": "Food type",
        "net_weight": "Net weight",
        "net_content": "Net content",
        "producer": "Producer",
        "producer_contact": "Contact the producer",
        "lot": "Production code (lot)",
        "serial": "Serial number",
        "best_before": "Best before",
        "storage": "Storage",
        "storage_text": "Store at {t}\u00a0°C at most",
        "treatment": "Irradiation",
        "certificate": "Irradiation certificate (PDF)",
        "facility": "Irradiation facility",
        "irradiated": "Date of irradiation",
        "purpose": "Purpose",
        "source": "Radiation source",
        "dose": "Absorbed dose",
        "no_reirradiation": "Must not be irradiated again.",
        "recall": "Recall",
        "recall_reason": "Reason",
        "recall_at": "Recalled on",
        "scans": "This label has been scanned {n} times.",
        "report": "How to report",
        "report_text": "Report it to BPOM (Indonesian FDA): HALO BPOM {phone} or email {email}. "
        "Give the product name, where and when you bought it, and keep the pack.",
        "other_lang": "Bahasa Indonesia",
        "about": "Radura — traceability of irradiated food in Indonesia.",
    },
}


# a mass is a weight (`Berat bersih`), anything else a content (`Isi bersih`): PP 69/1999


def net_content_word(net_content: str, lang: Lang) -> str:
    """`250 g` → Berat bersih (Net weight); `500 ml`, `12 x 100 ml`, `10 buah` → Isi bersih."""
    return LABELS[lang]["net_weight" if is_mass(net_content) else "net_content"]


def pick_language(query_lang: str | None, accept_language: str | None) -> Lang:
    """`?lang=` first, then the best of id/en in Accept-Language, else Bahasa Indonesia."""
    if query_lang in LANGS:
        return query_lang
    if not accept_language:
        return "id"
    return _from_accept_language(accept_language)


@memo_of_short_texts(max_entries=1024)
def _from_accept_language(header: str) -> Lang:
    best: tuple[float, int, Lang] = (0.0, 0, "id")
    for position, item in enumerate(header.split(",")[:20]):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        lang: Lang | None = (
            "id" if primary in ("id", "in", "ms") else "en" if primary == "en" else None
        )
        if lang is None:
            continue
        weight = quality(params)
        # higher quality wins; on a tie the earlier entry (-position) wins
        if (weight, -position) > best[:2] and weight > 0:
            best = (weight, -position, lang)
    return best[2]
