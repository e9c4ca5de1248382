"""Every console message reaches the catalogs: Babel extracts calls of `_` and `N_` only, so a
message translated as `gettext_for(request)("…")` would silently stay in English."""

from __future__ import annotations

import re
from pathlib import Path

SERVICE = Path(__file__).resolve().parents[3] / "service"
_UNEXTRACTED_CALL = re.compile(r"gettext_for\([^)]*\)\(")


def test_no_message_is_translated_by_a_call_babel_cannot_see():
    offenders = [
        f"{path.relative_to(SERVICE.parent)}:{number}"
        for path in SERVICE.rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if _UNEXTRACTED_CALL.search(line)
    ]
    assert offenders == [], "use `_ = gettext_for(request)` and `_(…)`: " + ", ".join(offenders)
