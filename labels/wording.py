"""Every word a label prints, Bahasa Indonesia first and English second (DOMAIN §1.2)."""

from __future__ import annotations

import datetime
import re

from labels.registration import printed_registration_no
from schemas.common import LANGS, Lang
from schemas.labels import LabelContent, Purpose
from schemas.purposes import PURPOSES

# key -> (Bahasa Indonesia, English); fields in braces are filled by `phrase`.
WORDING: dict[str, tuple[str, str]] = {
    "irradiated_food": ("PANGAN IRADIASI", "IRRADIATED FOOD"),
    "do_not_reirradiate": ("TIDAK BOLEH DIIRADIASI ULANG", "DO NOT IRRADIATE AGAIN"),
    "purpose": ("Tujuan iradiasi: {purpose}", "Purpose of irradiation: {purpose}"),
    "irradiated_on": (
        "Diiradiasi: {month}/{year}, {country}",
        "Irradiated: {month}/{year}, {country}",
    ),
    "facility": ("Fasilitas iradiasi: {facility}", "Irradiation facility: {facility}"),
    "best_before": ("Baik digunakan sebelum: {date}", "Best before: {date}"),
    # "maksimal", not "≤": many shoppers do not read the sign (DOMAIN.md §7)
    "storage": ("Simpan pada suhu maksimal {temp}\u00a0°C", "Store at {temp}\u00a0°C at most"),
    # at or below FROZEN_AT_C: the words of DOMAIN §8.9, with the minus sign U+2212
    "storage_frozen": (
        "Simpan beku pada suhu \u221218\u00a0°C atau lebih dingin",
        "Store frozen at \u221218\u00a0°C or colder",
    ),
    # vacuum-packed frozen fish: thaw under refrigeration (FDA Fish and Fishery Products
    # Hazards Guide, ch. 13)
    "thaw": ("Cairkan di dalam lemari es", "Thaw in the refrigerator"),
    "scan": ("Pindai untuk cek keaslian", "Scan to check it is genuine"),
    "producer": ("Diproduksi oleh: {producer}", "Produced by: {producer}"),
    # as BPOM prints it, which says what it is: BPOM RI MD …, P-IRT No. …, PSAT PD … (§8.7)
    "registration": ("{registration_no}", "{registration_no}"),
    # the term shoppers know for the lot (DOMAIN.md §7)
    "lot": ("Kode produksi: {lot}", "Production code: {lot}"),
    "production_date": ("Tanggal produksi: {date}", "Production date: {date}"),
    # PP 69/1999: Berat bersih for what is weighed, Isi bersih for what is counted or poured
    "net_weight": ("Berat bersih: {net_content}", "Net weight: {net_content}"),
    "net_content": ("Isi bersih: {net_content}", "Net content: {net_content}"),
}

# What `Tujuan iradiasi: …` says for each purpose of SPEC §3.1: the words of BPOM 3/2018 Annex I
# (DOMAIN.md §7). Sterilisation is not among the annex's rows read so far; "sterilisasi" is the
# word BATAN's sterile-meal reports use.


NO_BREAK_SPACE = "\u00a0"


_MASS = re.compile(r"\d\s*(?:mg|g|gr|gram|kg)\b", re.IGNORECASE)


def is_mass(net_content: str) -> bool:
    """`250 g`, `1,5 kg` are weights; `500 ml`, `12 x 100 ml`, `10 buah` are not."""
    return _MASS.search(net_content) is not None


def unbroken(text: str) -> str:
    """`text` with no-break spaces, so that a line never splits it ("MD 224510001234")."""
    return NO_BREAK_SPACE.join(text.split())


def phrase(key: str, lang: Lang = "id", **fields: str) -> str:
    """One entry of `WORDING` in `lang`, with its fields filled in."""
    return WORDING[key][LANGS.index(lang)].format(**fields)


def purpose_name(purpose: Purpose, lang: Lang = "id") -> str:
    return PURPOSES[purpose][LANGS.index(lang)]


# Stored at or below this a product is frozen, and its label says so in the words of DOMAIN §8.9.
FROZEN_AT_C = -12.0
# Vacuum-packed frozen fish is thawed in the refrigerator (DOMAIN §8.9).
FISH_CATEGORIES = frozenset({"fish_seafood", "processed_fish"})
MINUS_SIGN = "\u2212"


def format_temperature(temp_c: float, lang: Lang = "id") -> str:
    """8 -> '8', -2 -> '−2' (the minus sign U+2212); a fraction with the decimal comma in
    Bahasa Indonesia."""
    text = f"{temp_c:.0f}" if float(temp_c).is_integer() else f"{temp_c:.1f}"
    text = text.replace("-", MINUS_SIGN)
    return text.replace(".", ",") if lang == "id" else text


def format_best_before(day: datetime.date) -> str:
    return f"{day.day:02d}-{day.month:02d}-{day.year:04d}"


def storage_phrases(
    temp_c: float, category: str = "", packaging: str = "", lang: Lang = "id"
) -> dict[str, str]:
    """The storage instruction (and, for vacuum-packed frozen fish, how to thaw it)."""
    if temp_c > FROZEN_AT_C:
        return {"storage": phrase("storage", lang, temp=format_temperature(temp_c, lang))}
    texts = {"storage": phrase("storage_frozen", lang)}
    if category in FISH_CATEGORIES and packaging == "vacuum":
        texts["thaw"] = phrase("thaw", lang)
    return texts


def label_phrases(content: LabelContent, lang: Lang = "id") -> dict[str, str]:
    """Every printed sentence of one label (except the code under the QR), by wording key."""
    producer = ", ".join(
        part
        for part in (content.producer_name, content.producer_address, content.producer_city)
        if part
    )
    # the facility's name and city (DOMAIN §8.8); its street address is on the scan page
    where = content.facility_city or content.facility_address
    facility = ", ".join(part for part in (content.facility_name, where) if part)
    texts = {
        "irradiated_food": phrase("irradiated_food", lang),
        "do_not_reirradiate": phrase("do_not_reirradiate", lang),
        "product_name": content.product_name,
        "producer": phrase("producer", lang, producer=producer),
        "lot": phrase("lot", lang, lot=content.lot),
        "best_before": phrase("best_before", lang, date=format_best_before(content.best_before)),
        "production_date": phrase(
            "production_date", lang, date=format_best_before(content.production_date)
        ),
        **storage_phrases(content.storage_temp_c, content.category, content.packaging, lang),
        "purpose": phrase("purpose", lang, purpose=purpose_name(content.purpose, lang)),
        "irradiated_on": phrase(
            "irradiated_on",
            lang,
            month=f"{content.irradiated_on.month:02d}",
            year=f"{content.irradiated_on.year:04d}",
            country=content.irradiation_country,
        ),
        "facility": phrase("facility", lang, facility=facility),
        "scan": phrase("scan", lang),
    }
    if content.market_words:
        # the market's own words, in its language whatever the label's (SPEC §13.3)
        texts["market_words"] = content.market_words
    if content.registration_no:
        texts["registration"] = phrase(
            "registration",
            lang,
            registration_no=unbroken(printed_registration_no(content.registration_no)),
        )
    if content.net_content:
        # "250 g", "12 x 100 ml": a quantity and its unit stay on one line
        net_content = re.sub(r"(?<=\d) (?=\S)", NO_BREAK_SPACE, content.net_content)
        word = "net_weight" if is_mass(content.net_content) else "net_content"
        texts["net_content"] = phrase(word, lang, net_content=net_content)
    return texts
