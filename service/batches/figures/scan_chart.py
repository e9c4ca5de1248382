"""Scans per day as an SVG bar chart drawn on the server: no script, no style sheet needed.

Bars are scans, dots joined by a line are distinct clients (phones), and a day on which a serial
was seen from too many clients is marked in red above its bar. Only presentation attributes are
used (the console's CSP forbids inline styles), and the chart carries a <title> and <desc> for
screen readers; the page shows the same figures as a table beside it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

BAR_FILL = "#2f6f4e"
CLIENTS_STROKE = "#1d4ed8"
SUSPECT_FILL = "#b91c1c"
AXIS = "#555"


@dataclass(frozen=True, slots=True)
class ScanDayFigures:
    """One day's scans of a batch (Asia/Jakarta), distinct clients, and suspect scans."""

    day: date
    scans: int
    clients: int
    suspect: int


def continuous_days(
    days: Sequence[ScanDayFigures], first: date, last: date
) -> list[ScanDayFigures]:
    """Every day from `first` to `last`, with zeros on days nobody scanned."""
    by_day = {d.day: d for d in days}
    count = (last - first).days + 1
    return [
        by_day.get(first + timedelta(n), ScanDayFigures(first + timedelta(n), 0, 0, 0))
        for n in range(max(count, 0))
    ]


def _nice_ceiling(value: int) -> int:
    """1, 2, 5 × 10^k at or above `value`: round numbers on the axis."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def scans_chart_svg(
    days: Sequence[ScanDayFigures],
    *,
    title: str,
    description: str,
    day_label: Callable[[date], str],
    id_prefix: str = "scans",
    width: int = 360,
    height: int = 200,
) -> Markup:
    """The chart as inline SVG markup; `days` should be continuous (see continuous_days)."""
    left, right, top, bottom = 32, 8, 14, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    y_max = _nice_ceiling(max((max(d.scans, d.clients) for d in days), default=0))
    slot = plot_w / max(len(days), 1)
    bar_w = max(slot * 0.7, 1.0)

    def y(value: int) -> float:
        return top + plot_h - plot_h * value / y_max

    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{title_id} {desc_id}" class="chart">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
    ]
    for tick in (0, y_max // 2, y_max) if y_max > 1 else (0, 1):
        ty = y(tick)
        parts.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{width - right}" y2="{ty:.1f}" '
            f'stroke="#ddd" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{AXIS}">{tick}</text>'
        )
    label_every = max(1, math.ceil(len(days) / 5))
    points = []
    for i, d in enumerate(days):
        x = left + i * slot + (slot - bar_w) / 2
        cx = x + bar_w / 2
        if d.scans:
            parts.append(
                f'<rect x="{x:.1f}" y="{y(d.scans):.1f}" width="{bar_w:.1f}" '
                f'height="{plot_h * d.scans / y_max:.1f}" fill="{BAR_FILL}"/>'
            )
        if d.suspect:
            parts.append(
                f'<circle cx="{cx:.1f}" cy="{max(y(d.scans) - 7, top):.1f}" r="4" '
                f'fill="{SUSPECT_FILL}"/>'
            )
        points.append(f"{cx:.1f},{y(d.clients):.1f}")
        if i % label_every == 0:
            parts.append(
                f'<text x="{cx:.1f}" y="{height - 8}" text-anchor="middle" font-size="11" '
                f'fill="{AXIS}">{escape(day_label(d.day))}</text>'
            )
    if points:
        parts.append(
            f'<polyline points={quoteattr(" ".join(points))} fill="none" '
            f'stroke="{CLIENTS_STROKE}" stroke-width="2"/>'
        )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{AXIS}" stroke-width="1"/></svg>'
    )
    # every piece of text went through escape(); the rest is numbers we formatted
    return Markup("".join(parts))  # noqa: S704
