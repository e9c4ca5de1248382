"""`N_`, the gettext marker: a message marked where it is defined is extracted into the console's
catalogs (`babel.cfg`, `-k N_`) and translated where it is shown (`service.console.i18n`)."""

from __future__ import annotations


def N_(msgid: str) -> str:  # the marker Babel extracts (`-k N_`)
    """Marks a message for the catalog where it is defined; it is translated where it is shown."""
    return msgid
