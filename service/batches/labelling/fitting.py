"""Whether a layout's stickers hold a batch's label: one answer for the API (422
`layout_too_small`), `radura labels render` and the console, from `labels.fit.fits`; and the
single stickers (SVG, PNG) they draw, cached per process."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

import msgspec

from labels.compose import LabelFitError
from labels.fit import fits, fitting_layouts
from labels.layouts import DEFAULT_DPI, get_layout
from labels.png import label_png
from labels.svg import label_svg
from schemas.labels import LabelContent
from service.batches.labelling.content import BatchLabel, serial_uri
from service.batches.labelling.keys import SigningKeys
from service.core.errors import RuleViolation

T = TypeVar("T")
# a deterministic sticker is drawn once per process; the signature is deterministic too
_CACHE_SIZE = 256
# Stands in for the batch's serials when the console asks which layouts hold them: every
# serial URI of a batch has the same length, so the same QR.
SAMPLE_SERIAL = "ZZZZZZZZZZ"


def serial_sample(label: BatchLabel, keys: SigningKeys, base_url: str) -> LabelContent:
    """The batch's label as a serial sticker prints it (its QR is larger than the batch's)."""
    uri = serial_uri(label, SAMPLE_SERIAL, keys, base_url)
    return msgspec.structs.replace(label.content, serial=SAMPLE_SERIAL, uri=uri)


def pdf_file_name(code: str, layout: str, dpi: int, market: str | None = None) -> str:
    """`radura-CODE-a4-3x8.pdf`; a roll's names its printer too: `…-thermal-58x40-203dpi.pdf`,
    and a sheet for an export market its market: `…-a4-3x8-US.pdf`."""
    printer = "" if get_layout(layout).sheet else f"-{dpi}dpi"
    abroad = f"-{market}" if market and market != "ID" else ""
    return f"radura-{code}-{layout}{printer}{abroad}.pdf"


def layout_too_small(layout: str, content: LabelContent, dpi: int = DEFAULT_DPI) -> RuleViolation:
    """The 422 for a layout whose stickers cannot hold `content`, naming the smallest that can
    (None when none can) and every layout with whether it fits."""
    listed = fitting_layouts(content, dpi)
    smallest = next((name for name, ok in listed.items() if ok), None)
    page = get_layout(layout)
    where = f"the smallest layout that holds it is {smallest}" if smallest else "no layout does"
    return RuleViolation(
        "layout_too_small",
        f"A {page.size_text} sticker ({layout}) cannot hold every particular of this label at "
        f"5 pt or more with a scannable code; {where}.",
        layout=layout,
        smallest_fitting_layout=smallest,
        fitting_layouts=[name for name, ok in listed.items() if ok],
    )


def require_fit(layout: str, content: LabelContent, dpi: int = DEFAULT_DPI) -> None:
    """Nothing when every sticker of `layout` holds `content`; else 422 `layout_too_small`.
    CPU work on a cold cache (tens of milliseconds): call it off the event loop."""
    if not fits(layout, content, dpi):
        raise layout_too_small(layout, content, dpi)


@lru_cache(maxsize=_CACHE_SIZE)
def _label_svg(content: LabelContent, layout: str) -> str:
    return label_svg(content, layout)


@lru_cache(maxsize=_CACHE_SIZE)
def _label_png(content: LabelContent, dpi: int, layout: str) -> bytes:
    return label_png(content, dpi=dpi, layout=layout)


def fitted_svg(content: LabelContent, layout: str = "a4-3x8") -> str:
    """One sticker of `layout` as SVG; 422 `layout_too_small` when the layout cannot hold it."""
    require_fit(layout, content)
    return refit(layout, content, lambda: _label_svg(content, layout))


def fitted_png(content: LabelContent, dpi: int, layout: str = "a4-3x8") -> bytes:
    """One sticker of `layout` as a PNG at `dpi`; 422 as `fitted_svg`."""
    require_fit(layout, content)
    return refit(layout, content, lambda: _label_png(content, dpi, layout))


def refit(layout: str, content: LabelContent, render: Callable[[], T], dpi: int = DEFAULT_DPI) -> T:
    """`render()`; a sticker that does not fit after all is answered as `require_fit` does."""
    try:
        return render()
    except LabelFitError:
        raise layout_too_small(layout, content, dpi) from None
