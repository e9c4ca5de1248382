"""The server-drawn scans chart: valid SVG, accessible, no script, figures drawn to scale."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from service.batches.figures.scan_chart import ScanDayFigures, continuous_days, scans_chart_svg

SVG = "{http://www.w3.org/2000/svg}"
START = date(2026, 11, 1)


def _chart(days: list[ScanDayFigures], title: str = "Scans per day") -> ET.Element:
    markup = scans_chart_svg(
        days,
        title=title,
        description="Bars are scans, the line is distinct clients.",
        day_label=lambda d: d.strftime("%d/%m"),
        id_prefix="batch-scans",
    )
    return ET.fromstring(str(markup))


def test_chart_is_an_accessible_image_with_title_and_description() -> None:
    root = _chart([ScanDayFigures(START, 3, 2, 0)], title='Pindaian <"rendang"> & co')
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "batch-scans-title batch-scans-desc"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.get("id") == "batch-scans-title"
    assert title.text == 'Pindaian <"rendang"> & co'  # escaped in the markup, intact when read
    assert desc is not None and desc.get("id") == "batch-scans-desc"


def test_chart_has_no_script_no_style_and_no_event_handlers() -> None:
    days = [ScanDayFigures(START + timedelta(n), n, n, n % 2) for n in range(10)]
    root = _chart(days)
    for element in root.iter():
        assert element.tag not in (f"{SVG}script", f"{SVG}style", f"{SVG}foreignObject")
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)


def test_bar_heights_are_proportional_to_scans() -> None:
    days = [ScanDayFigures(START, 10, 1, 0), ScanDayFigures(START + timedelta(1), 5, 1, 0)]
    bars = _chart(days).findall(f"{SVG}rect")
    assert len(bars) == 2
    heights = [float(b.get("height", "0")) for b in bars]
    assert heights[0] == 2 * heights[1]
    # the taller bar reaches the top of a 10-scan axis
    assert float(bars[0].get("y", "0")) < float(bars[1].get("y", "0"))


def test_days_without_scans_draw_no_bar_and_suspect_days_a_red_mark() -> None:
    days = continuous_days(
        [ScanDayFigures(START, 4, 3, 0), ScanDayFigures(START + timedelta(3), 9, 8, 2)],
        START,
        START + timedelta(4),
    )
    root = _chart(days)
    assert len(root.findall(f"{SVG}rect")) == 2
    marks = root.findall(f"{SVG}circle")
    assert len(marks) == 1 and marks[0].get("fill") == "#b91c1c"
    # the distinct-clients line has one point per day
    line = root.find(f"{SVG}polyline")
    assert line is not None and len(line.get("points", "").split()) == 5


def test_continuous_days_fills_gaps_with_zeros_in_order() -> None:
    days = continuous_days(
        [ScanDayFigures(START + timedelta(2), 1, 1, 0)], START, START + timedelta(3)
    )
    assert [d.day for d in days] == [START + timedelta(n) for n in range(4)]
    assert [d.scans for d in days] == [0, 0, 1, 0]


def test_an_empty_range_still_draws_a_valid_chart_with_an_axis() -> None:
    root = _chart([])
    assert root.findall(f"{SVG}rect") == []
    assert root.find(f"{SVG}line") is not None


def test_axis_is_rounded_up_to_a_round_number() -> None:
    root = _chart([ScanDayFigures(START, 37, 12, 0)])
    labels = [t.text for t in root.findall(f"{SVG}text")]
    assert "50" in labels and "25" in labels and "0" in labels
