"""Every console text has its Bahasa Indonesia translation, and the shipped catalogs are current."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).parents[3]
LOCALE = ROOT / "service/console/locale"


def _msgids_in_code() -> set[str]:
    """What `python -m service.console.i18n update` extracts, per babel.cfg."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords={"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)},
    ):
        # a plural (ngettext) is one entry of the catalog, found by its singular
        found.add(message if isinstance(message, str) else message[0])
    return found


def _catalog(lang: str):  # type: ignore[no-untyped-def]
    with open(LOCALE / lang / "LC_MESSAGES/messages.po", "rb") as po:
        return read_po(po, locale=lang)


def test_every_console_text_has_an_indonesian_translation():
    catalog = _catalog("id")
    untranslated = sorted(
        msgid
        for msgid in _msgids_in_code()
        if (message := catalog.get(msgid)) is None
        or not message.string
        or (isinstance(message.string, tuple) and not all(message.string))
        or message.fuzzy
    )
    assert not untranslated, "run `python -m service.console.i18n update` and translate:\n" + (
        "\n".join(untranslated)
    )


def _same_shape(text: str | list[str] | tuple[str, ...]) -> str | tuple[str, ...]:
    """A plural's forms as one tuple, whichever reader gave them (a list or a tuple)."""
    return text if isinstance(text, str) else tuple(text)


def _compiled_string(message) -> str | tuple[str, ...]:  # type: ignore[no-untyped-def]
    """What the compiler writes for a message: a plural form left empty is its msgid's
    singular or plural, as English needs it (Babel's write_mo)."""
    if isinstance(message.string, str):
        return message.string
    return tuple(form or message.id[min(index, 1)] for index, form in enumerate(message.string))


def test_the_shipped_mo_files_match_their_po_files():
    for lang in ("id", "en"):
        with open(LOCALE / lang / "LC_MESSAGES/messages.mo", "rb") as mo:
            compiled = {_same_shape(m.id): _same_shape(m.string) for m in read_mo(mo) if m.id}
        written = {
            _same_shape(m.id): _compiled_string(m)
            for m in _catalog(lang)
            if m.id and m.string and not m.fuzzy
        }
        assert compiled == written, f"recompile {lang}: python -m service.console.i18n update"


def test_the_layout_and_sign_in_texts_are_extracted():
    # guards the extraction itself: a broken babel.cfg would make the first test pass vacuously
    msgids = _msgids_in_code()
    assert {"Sign in to Radura", "Use at least 10 characters.", "Page not found"} <= msgids
