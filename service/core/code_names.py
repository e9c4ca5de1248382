"""The names people read for the codes the records keep: a batch's unit, an irradiator's source,
a dosimeter's position, a market. One table per code list, each name a gettext msgid, so the
console, the notices and the WhatsApp texts all say "buah" (Indonesian) or "pieces" where the
database and the API say `pcs`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache

from babel import Locale

from service.core.formatting import LOCALES
from service.core.gettext_marker import N_

UNIT_NAMES = {"pcs": N_("pieces"), "kg": N_("kg")}
SOURCE_TYPE_NAMES = {
    "cobalt-60": N_("Cobalt-60 (gamma)"),
    "cesium-137": N_("Caesium-137 (gamma)"),
    "electron-beam": N_("Electron beam"),
    "x-ray": N_("X-ray"),
}
DOSIMETER_POSITION_NAMES = {
    "min": N_("minimum"),
    "max": N_("maximum"),
    "reference": N_("reference"),
    "other": N_("other"),
}
# a union's name is a msgid: CLDR names the European Union, not the Gulf Cooperation Council
UNION_NAMES = {"EU": N_("European Union"), "GCC": N_("Gulf Cooperation Council")}
CODE_LISTS: dict[str, dict[str, str]] = {
    "unit": UNIT_NAMES,
    "source_type": SOURCE_TYPE_NAMES,
    "position": DOSIMETER_POSITION_NAMES,
}


def code_name(code_list: str, code: str, gettext: Callable[[str], str]) -> str:
    """The name of `code` in `gettext`'s language; a code the list does not know (a value a
    newer version wrote) stays as it is rather than failing the page."""
    msgid = CODE_LISTS[code_list].get(code)
    return gettext(msgid) if msgid else code


@cache
def _territories(lang: str) -> Mapping[str, str]:
    return Locale.parse(LOCALES.get(lang, "id_ID")).territories


def market_name(code: str, lang: str, gettext: Callable[[str], str] | None = None) -> str:
    """A market's code as its name: a country's (`SG` → "Singapura"), a union's from the
    catalog with `gettext` (`GCC` → "Dewan Kerja Sama Teluk"), else its CLDR name (`EU` →
    "Uni Eropa"); any other code as it is."""
    if gettext is not None and code in UNION_NAMES:
        return gettext(UNION_NAMES[code])
    return str(_territories(lang).get(code, code))
