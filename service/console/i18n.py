"""The console's languages: gettext catalogs (Bahasa Indonesia by default, English), looked up per
request, for templates (`{{ _("…") }}`, `{% trans %}`) and for messages Python code builds.

Msgids are English. After changing any console text, run from the repository root:

    python -m service.console.i18n update

which extracts every msgid (templates and Python, per `babel.cfg`), merges it into
`service/console/locale/{id,en}/LC_MESSAGES/messages.po` and compiles the `.mo` files shipped in
the package. At run time only the compiled `.mo` files are read (standard library `gettext`).
"""

from __future__ import annotations

import gettext as stdlib_gettext
import sys
import tempfile
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from litestar.connection import ASGIConnection

from schemas.common import LANGS

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
LANGUAGES = LANGS
DEFAULT_LANGUAGE = "id"
SESSION_KEY = "lang"


@cache
def translations(lang: str) -> stdlib_gettext.NullTranslations:
    """The compiled catalog of `lang` (English msgids stand for themselves without one)."""
    return stdlib_gettext.translation(
        DOMAIN, localedir=LOCALE_DIR, languages=[lang], fallback=lang == "en"
    )


def language_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The language chosen in the session, else Bahasa Indonesia."""
    session = connection.scope.get("session")
    lang = session.get(SESSION_KEY) if isinstance(session, dict) else None
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def gettext_for(connection: ASGIConnection[Any, Any, Any, Any]) -> Callable[[str], str]:
    """`_ = gettext_for(request)`, then `_("English msgid")`: Babel extracts calls of `_`."""
    return translations(language_of(connection)).gettext


def ngettext_for(connection: ASGIConnection[Any, Any, Any, Any]) -> Callable[[str, str, int], str]:
    return translations(language_of(connection)).ngettext


# Templates find the language in their own context (`lang`, set by `render.page`), so one shared
# Jinja environment serves every language at once.
@jinja2.pass_context
def _template_gettext(context: Mapping[str, Any], message: str) -> str:
    return translations(context.get("lang", DEFAULT_LANGUAGE)).gettext(message)


@jinja2.pass_context
def _template_ngettext(context: Mapping[str, Any], singular: str, plural: str, n: int) -> str:
    return translations(context.get("lang", DEFAULT_LANGUAGE)).ngettext(singular, plural, n)


def install(environment: jinja2.Environment) -> None:
    """Adds `_`, `gettext`, `ngettext` and `{% trans %}` to a Jinja environment."""
    environment.add_extension("jinja2.ext.i18n")
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        _template_gettext, _template_ngettext, newstyle=True
    )


def _update_catalogs(root: Path) -> None:
    """Extract, merge and compile, with Babel's own command line."""
    from babel.messages.frontend import CommandLineInterface

    locale_dir = root / "service/console/locale"
    locale_dir.mkdir(exist_ok=True)
    template = Path(tempfile.mkdtemp()) / "messages.pot"  # an intermediate, not kept
    babel = CommandLineInterface()
    babel.run(
        ["pybabel", "extract", "-F", str(root / "babel.cfg"), "-k", "_", "-k", "N_",
         "--no-location", "--sort-output", "--project", "Radura",
         "-o", str(template), str(root)]
    )  # fmt: skip
    for lang in LANGUAGES:
        po = root / f"service/console/locale/{lang}/LC_MESSAGES/messages.po"
        command = "update" if po.exists() else "init"
        babel.run(
            ["pybabel", command, "-i", str(template), "-d", str(locale_dir), "-l", lang,
             *(["--no-fuzzy-matching"] if command == "update" else [])]
        )  # fmt: skip
    babel.run(["pybabel", "compile", "-d", str(locale_dir), "--statistics"])


if __name__ == "__main__":
    if sys.argv[1:] != ["update"]:
        sys.exit("usage: python -m service.console.i18n update")
    _update_catalogs(Path.cwd())
