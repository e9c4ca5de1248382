"""One word for each thing (DOMAIN §8.11): no Indonesian text Radura shows says `batch`,
`dirilis`, `masa simpan`, `Galat`, `Netto`… — in the console's catalog, the templates' own text,
the scan page, the label wording or the shelf-life explanations and refusals. English text may
say "batch": msgids are English, so only the Indonesian side is read. Doses on the public page
carry one decimal.
"""

from __future__ import annotations

import ast
import importlib
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import unescape
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import uuid4

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from schemas.shelf_life import ShelfLifeInputs
from schemas.verify import FacilityInfo, ProducerInfo, ProductInfo, RecallInfo, TreatmentInfo
from service.shelf_life.derivation import RuleCode, ShelfLifeRefused
from service.shelf_life.model import estimate_shelf_life
from service.verify import page
from service.verify.view import LabelView

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "service/console/locale/id/LC_MESSAGES/messages.po"

# DOMAIN §8.11's explicit list: case-insensitive, whole words
FORBIDDEN: dict[str, re.Pattern[str]] = {
    phrase: re.compile(rf"(?<!\w){pattern}(?!\w)", re.IGNORECASE)
    for phrase, pattern in {
        "batch": r"batch",
        "dirilis": r"dirilis",
        "rilis bets": r"rilis\s+bets",
        "keterlacakan": r"keterlacakan",
        "masa simpan": r"masa\s+simpan",
        "tanpa batas 10 hari": r"tanpa\s+batas\s+10\s+hari",
        "sebelumnya sudah ditetapkan": r"sebelumnya\s+sudah\s+ditetapkan",
        "yang akan tiba": r"yang\s+akan\s+tiba",
        "Galat": r"galat",
        # the signing secret is a *Kunci rahasia penandatanganan*
        "Rahasia penandatanganan": r"(?<!kunci )rahasia\s+penandatanganan",
        "Netto": r"netto",
        "tanda tangan Radura": r"tanda\s+tangan\s+Radura(?!\s+digital)",
        "label yang dipindai minggu ini": r"label\s+yang\s+dipindai\s+minggu\s+ini",
    }.items()
}


@dataclass(frozen=True)
class Text:
    """One Indonesian text and where it comes from."""

    where: str
    text: str


def forbidden_in(text: str) -> list[str]:
    return [phrase for phrase, pattern in FORBIDDEN.items() if pattern.search(text)]


def offences(texts: Iterable[Text]) -> list[str]:
    return [
        f"{item.where}: {', '.join(repr(p) for p in found)} in {item.text!r}"
        for item in texts
        if (found := forbidden_in(item.text))
    ]


def assert_none(texts: Iterable[Text]) -> None:
    found = offences(texts)
    assert not found, "DOMAIN §8.11 words in Indonesian text:\n" + "\n".join(found)


# --- the check itself ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        ("Batch %(code)s terdaftar.", ["batch"]),
        ("daftarkan batch-nya", ["batch"]),
        ("Bets dirilis.", ["dirilis"]),
        ("Rilis  bets", ["rilis bets"]),
        ("Masa simpan (hari)", ["masa simpan"]),
        ("kendali (aw 0,9 < 0,97): tanpa batas 10 hari", ["tanpa batas 10 hari"]),
        ("Tanggal baik digunakan sebelumnya sudah ditetapkan.", ["sebelumnya sudah ditetapkan"]),
        ("Tanggal baik digunakan sebelum yang akan tiba", ["yang akan tiba"]),
        ("Galat 403", ["Galat"]),
        ("Rahasia penandatanganan", ["Rahasia penandatanganan"]),
        ("Netto: 250 g", ["Netto"]),
        ("tidak memuat tanda tangan Radura, jadi", ["tanda tangan Radura"]),
        ("Label yang dipindai minggu ini", ["label yang dipindai minggu ini"]),
        ("Radura — keterlacakan pangan iradiasi", ["keterlacakan"]),
    ],
)
def test_each_phrase_of_the_list_is_found(text: str, phrases: list[str]) -> None:
    assert forbidden_in(text) == phrases


@pytest.mark.parametrize(
    "text",
    [
        'Bets diluluskan. Tanggal "baik digunakan sebelum" bets ini sudah tetap.',
        "Luluskan bets",
        "Umur simpan (hari)",
        "tidak memuat tanda tangan digital Radura",
        "Label dipindai 7 hari terakhir",
        "Kunci rahasia penandatanganan",
        "Berat bersih: 250 g",
        "batas 10 hari tidak berlaku",
        "Tautan sebelumnya tidak berlaku lagi.",
        "Kondisi saat tiba",
        "Kesalahan 404",
    ],
)
def test_the_words_the_table_asks_for_pass(text: str) -> None:
    assert forbidden_in(text) == []


# --- the console's catalog and templates ------------------------------------------------------


def _catalog_locations() -> dict[str, set[str]]:
    """msgid → the files that show it, as `python -m service.console.i18n update` extracts."""
    keywords = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
    where: dict[str, set[str]] = {}
    sources = [(path, "python", {}) for path in (ROOT / "service").rglob("*.py")] + [
        (path, "jinja2", {"extensions": "jinja2.ext.i18n", "silent": "false"})
        for path in (ROOT / "service").glob("**/templates/*.html")
    ]
    for path, method, options in sources:
        for _line, message, _comments, _context in extract_from_file(
            method, str(path), keywords=keywords, options=options
        ):
            for msgid in [message] if isinstance(message, str) else message:
                if msgid:
                    where.setdefault(msgid, set()).add(str(path.relative_to(ROOT)))
    return where


def catalog_texts() -> Iterator[Text]:
    with open(CATALOG, "rb") as po:
        catalog = read_po(po, locale="id")
    locations = _catalog_locations()
    name = CATALOG.relative_to(ROOT)
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        strings = [message.string] if isinstance(message.string, str) else message.string
        used_in = ", ".join(sorted(locations.get(msgid, ()))) or "no file"
        for string in strings:
            yield Text(f"{name} msgid {msgid!r} (shown by {used_in})", string)


def test_no_indonesian_console_text_uses_a_word_the_table_replaces() -> None:
    texts = list(catalog_texts())
    assert len(texts) > 400  # the whole catalog was read
    assert_none(texts)


_JINJA = re.compile(
    r"\{#.*?#\}|\{%-?\s*trans\b.*?endtrans\s*-?%\}|\{\{.*?\}\}|\{%.*?%\}"
    r"|<style\b.*?</style>|<script\b.*?</script>",
    re.S,
)
_TAG = re.compile(r"<[^>]*>", re.S)
_SHOWN_ATTRIBUTE = re.compile(r'\b(?:aria-label|title|alt|placeholder)="([^"]*)"')


def template_literal_texts(path: Path, root: Path = ROOT) -> Iterator[Text]:
    """What a template shows as it is written, outside `_()` and `{% trans %}` (whose msgids
    are English and are read from the catalog): shown in every language, Indonesian included."""
    source = _JINJA.sub(" ", path.read_text(encoding="utf-8"))
    name = str(path.relative_to(root))
    for value in _SHOWN_ATTRIBUTE.findall(source):
        if value.strip():
            yield Text(name, unescape(value))
    for chunk in _TAG.sub("\n", source).split("\n"):
        if chunk.strip():
            yield Text(name, unescape(chunk.strip()))


def test_no_template_writes_a_word_the_table_replaces() -> None:
    templates = sorted((ROOT / "service").glob("**/templates/*.html"))
    assert len(templates) > 30
    assert_none(text for path in templates for text in template_literal_texts(path))


def test_a_template_literal_with_a_replaced_word_is_caught(tmp_path: Path) -> None:
    template = tmp_path / "service/x/templates/t.html"
    template.parent.mkdir(parents=True)
    template.write_text(
        '<h2 aria-label="Galat">{{ _("Batch") }}</h2>\n<p>Daftar batch</p>\n'
        "{% trans %}Batch {{ n }}{% endtrans %}<style>.batch{}</style>",
        encoding="utf-8",
    )
    texts = list(template_literal_texts(template, tmp_path))
    assert [forbidden_in(t.text) for t in texts] == [["Galat"], ["batch"]]
    assert offences(texts)[0] == "service/x/templates/t.html: 'Galat' in 'Galat'"


# --- the scan page ----------------------------------------------------------------------------


def indonesian_values(value: Any, where: str, in_indonesian: bool = False) -> Iterator[Text]:
    """The Indonesian strings of a module's word tables: everything under an `"id"` key, and
    the first of each (Bahasa Indonesia, English) pair."""
    if isinstance(value, str):
        if in_indonesian:
            yield Text(where, value)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from indonesian_values(item, f"{where}[{key!r}]", in_indonesian or key == "id")
    elif isinstance(value, tuple | list):
        if not in_indonesian and len(value) == 2 and all(isinstance(v, str) for v in value):
            yield Text(f"{where}[0]", value[0])  # (Bahasa Indonesia, English)
        else:
            for index, item in enumerate(value):
                yield from indonesian_values(item, f"{where}[{index}]", in_indonesian)


def module_texts(module: ModuleType) -> list[Text]:
    name = str(Path(module.__file__ or "").relative_to(ROOT))
    return [
        text
        for attribute, value in vars(module).items()
        if attribute.isupper() and isinstance(value, dict | tuple | list)
        for text in indonesian_values(value, f"{name} {attribute}")
    ]


def _view(dose_min_kgy: float = 2.5, dose_max_kgy: float = 2.9, **fields: Any) -> LabelView:
    return LabelView(
        batch_id=uuid4(),
        code="7KQ2M9XW4T",
        serial="8H3JQ2KD0A",
        lot="L1",
        status="released",
        best_before=date(2026, 12, 31),
        storage_temp_c=4.0,
        product=ProductInfo(
            name="Rendang",
            category="meat_poultry",
            registration_no=fields.get("registration_no", "MD224010001234"),
            gtin="08991234567895",
        ),
        producer=ProducerInfo(name="UMKM Rendang", city="Tangerang"),
        treatment=TreatmentInfo(
            facility=FacilityInfo(name="IGMP — BRIN", address="Puspiptek, Setu"),
            irradiated_on="2026-01",
            purpose="extend_shelf_life",
            source_type="cobalt-60",
            dose_min_kgy=dose_min_kgy,
            dose_max_kgy=dose_max_kgy,
        ),
        recall=fields.get("recall"),
        category_names=("Daging", "Meat"),
        irradiation_country="Indonesia",
        net_content=fields.get("net_content", "250 g"),
        unsigned_path="/v/7KQ2M9XW4T/8H3JQ2KD0A",
    )


def _shown(html: str) -> str:
    """The page's words as a reader sees them (no tags, no CSS)."""
    html = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    return " ".join(unescape(_TAG.sub(" ", html)).replace("\u00a0", " ").split())


def test_the_scan_page_says_none_of_the_replaced_words() -> None:
    from service.verify import texts

    assert_none(module_texts(texts))
    recall = RecallInfo(reason="Temuan inspeksi BPOM", at=datetime(2026, 2, 1, tzinfo=UTC))
    rendered = [
        Text(f"service/verify/templates/page.html, {verdict} page", _shown(html))
        for verdict, html in [
            *((v, page.render(v, "id", _view(recall=recall), "?lang=en")) for v in texts.VERDICTS),
            ("invalid", page.invalid_page("id").decode()),
        ]
    ]
    assert_none(rendered)
    genuine = rendered[0].text
    assert "diluluskan oleh petugas penjamin mutu" in genuine
    assert "ketertelusuran pangan iradiasi" in genuine
    unverified = _shown(page.render("unverified", "id", None, "?lang=en"))
    assert "tanda tangan digital Radura" in unverified
    assert_none([Text("service/verify/templates/page.html, unverified page", unverified)])


def test_doses_on_the_scan_page_carry_one_decimal() -> None:
    view = _view(dose_min_kgy=47.975, dose_max_kgy=55.08)
    assert "Dosis serap 48,0–55,1 kGy" in _shown(page.render("genuine", "id", view, "?lang=en"))
    assert "Absorbed dose 48.0–55.1 kGy" in _shown(page.render("genuine", "en", view, "?lang=id"))
    # the unit never leaves its number (a no-break space), and whole doses keep their decimal
    html = page.render("genuine", "id", _view(dose_min_kgy=3, dose_max_kgy=4.96), "?lang=en")
    assert '<dd class="nb">3,0–5,0\u00a0kGy</dd>' in html


def test_the_scan_page_names_a_registration_and_a_net_quantity_as_bpom_does() -> None:
    def shown(lang: str = "id", **fields: Any) -> str:
        return _shown(page.render("genuine", lang, _view(**fields), "?lang=en"))

    assert "Nomor izin edar BPOM RI MD 224010001234" in shown()
    home_industry = shown(registration_no="P-IRT206367401004527")
    assert "Nomor P-IRT P-IRT No. 206367401004527" in home_industry  # as BPOM prints it
    assert "izin edar" not in home_industry  # a P-IRT number is not an izin edar
    assert "Berat bersih 250 g" in shown()
    assert "Isi bersih 12 x 100 ml" in shown(net_content="12 x 100 ml")
    assert "Net weight 1,5 kg" in shown("en", net_content="1,5 kg")


# --- label wording and shelf-life explanations --------------------------------------------------


def test_the_label_wording_says_none_of_the_replaced_words() -> None:
    from labels import certificate_pdf, wording

    texts = module_texts(wording)
    assert any("PANGAN IRADIASI" in text.text for text in texts)  # the tables were read
    # the treatment certificate's rows: (Bahasa Indonesia, English, field)
    texts += [
        Text(f"labels/certificate_pdf.py ROWS[{index}][0]", row[0])
        for index, row in enumerate(getattr(certificate_pdf, "ROWS", ()))
        if isinstance(row, tuple) and row and isinstance(row[0], str)
    ]
    assert_none(texts)


_GRID: dict[str, tuple[Any, ...]] = {
    "category": ("meat_poultry", "spices_herbs", "fresh_produce", "ready_meal_sterile"),
    "purpose": ("extend_shelf_life", "disinfestation", "sterilisation"),
    "packaging": ("air", "vacuum"),
    "storage_temp_c": (-18.0, 4.0, 8.0, 25.0),
    "dose_min_kgy": (0.5, 2.0, 4.0, 50.0),
    "control": ((None, None), (0.9, None), (None, 4.5), (0.8, None)),
    # (days, reference, and what it validated: temperature, dose, packaging)
    "study": (
        (None, None, None, None, None),
        (365, "UJI-2025-01", 25.0, 45.0, "vacuum"),
        (30, "UJI-2026-02", 4.0, 3.0, "air"),
    ),
    "expanded_uncertainty_pct": (0.0, 8.0),
}


def _models() -> list[str]:
    """Every model version, the current and each earlier one (`service/shelf_life/sl*.py`)."""
    return [
        importlib.import_module(f"service.shelf_life.{path.stem}").VERSION
        for path in sorted((ROOT / "service/shelf_life").glob("sl*.py"))
    ]


def shelf_life_texts() -> tuple[list[Text], set[str]]:
    """The Indonesian explanation (or refusal) of every model version over a grid of inputs
    that makes every rule fire; and the rules that fired."""
    texts: dict[str, Text] = {}
    fired: set[str] = set()
    for model in _models():
        for values in itertools.product(*_GRID.values()):
            given = dict(zip(_GRID, values, strict=True))
            water_activity, ph = given.pop("control")
            study_days, study_ref, study_temp_c, study_dose_kgy, study_packaging = given.pop(
                "study"
            )
            inputs = ShelfLifeInputs(
                base_shelf_life_days=10,
                reference_temp_c=8.0,
                production_date=date(2026, 1, 5),
                water_activity=water_activity,
                ph=ph,
                validated_shelf_life_days=study_days,
                validated_study_ref=study_ref,
                validated_study_temp_c=study_temp_c,
                validated_study_dose_kgy=study_dose_kgy,
                validated_study_packaging=study_packaging,
                **given,
            )
            try:
                result = estimate_shelf_life(inputs, model)
            except ShelfLifeRefused as refusal:
                frame = refusal.__traceback__
                while frame is not None and frame.tb_next is not None:
                    frame = frame.tb_next
                source = Path(frame.tb_frame.f_code.co_filename) if frame else Path("?")
                where = f"{source.relative_to(ROOT)} refusal {refusal.code} ({model})"
                texts.setdefault(
                    re.sub(r"\d+(?:,\d+)?", "#", refusal.explanation_id),
                    Text(where, refusal.explanation_id),
                )
                continue
            fired.update(result.rules)
            # clause by clause, each once whatever its figures, so a wrong word is named once
            for clause in re.split(r"; | → ", result.explanation.id):
                example = {**given, "aw": water_activity, "ph": ph, "study": study_days}
                where = f"service/shelf_life/explain.py ({model}, e.g. {example})"
                texts.setdefault(re.sub(r"\d+(?:,\d+)?", "#", clause), Text(where, clause))
    return list(texts.values()), fired


def _written_indonesian(path: Path) -> Iterator[Text]:
    """The Indonesian text written in a shelf-life module: the first of each (id, en) pair and
    a refusal's Indonesian explanation, its f-string fields shown as `{…}`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = str(path.relative_to(ROOT))

    def text(node: ast.expr) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            return "".join(
                part.value if isinstance(part, ast.Constant) else "{…}" for part in node.values
            )
        return None

    for node in ast.walk(tree):
        candidates: list[ast.expr] = []
        if isinstance(node, ast.Tuple) and len(node.elts) == 2:
            if all(text(element) is not None for element in node.elts):
                candidates.append(node.elts[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "ShelfLifeRefused":
            candidates.extend(node.args[1:2])
            candidates.extend(k.value for k in node.keywords if k.arg == "explanation_id")
        for candidate in candidates:
            if (written := text(candidate)) is not None:
                yield Text(f"{name}:{candidate.lineno}", written)


def test_the_shelf_life_explanations_say_none_of_the_replaced_words() -> None:
    texts, fired = shelf_life_texts()
    # the grid reaches every rule, so every clause of the explanation was written out
    assert fired == {str(code) for code in RuleCode}, {str(c) for c in RuleCode} - fired
    assert any("refusal" in text.where for text in texts)
    written = [
        text
        for path in [
            ROOT / "service/shelf_life/explain.py",
            *sorted((ROOT / "service/shelf_life").glob("sl*.py")),
        ]
        for text in _written_indonesian(path)
    ]
    assert_none(written + texts)
