"""The Radura symbol as our own vector paths: a ring broken at the top, base, two petals, dot.

Shapes live in a unit square (y down). Each is one closed outline without holes, so SVG,
PDF (nonzero fill) and Pillow polygons all fill them the same way.
"""

from __future__ import annotations

import math
from functools import lru_cache

Point = tuple[float, float]
# A closed outline: a start point, then cubic segments (control 1, control 2, end).
Outline = tuple[Point, tuple[tuple[Point, Point, Point], ...]]

_CENTRE = (0.5, 0.5)
_RING_OUTER, _RING_INNER = 0.5, 0.44
_RING_DASHES, _RING_GAP_DEG = 5, 12.0


def _arc(cx: float, cy: float, r: float, start_deg: float, end_deg: float) -> list[Point]:
    """Cubic Bézier control points for an arc, in pieces of at most 45° (y down)."""
    pieces = max(1, math.ceil(abs(end_deg - start_deg) / 45))
    step = math.radians(end_deg - start_deg) / pieces
    k = 4 / 3 * math.tan(step / 4)
    points: list[Point] = []
    angle = math.radians(start_deg)
    for _ in range(pieces):
        a0, a1 = angle, angle + step
        p0 = (cx + r * math.cos(a0), cy - r * math.sin(a0))
        p3 = (cx + r * math.cos(a1), cy - r * math.sin(a1))
        c1 = (p0[0] - k * r * math.sin(a0), p0[1] - k * r * math.cos(a0))
        c2 = (p3[0] + k * r * math.sin(a1), p3[1] + k * r * math.cos(a1))
        points += [c1, c2, p3]
        angle = a1
    return points


def _line(p: Point, q: Point) -> list[Point]:
    # A straight segment written as a cubic keeps every outline one kind of segment.
    return [p, q, q]


def _polar(r: float, deg: float, centre: Point = _CENTRE) -> Point:
    return centre[0] + r * math.cos(math.radians(deg)), centre[1] - r * math.sin(math.radians(deg))


def _outline(start: Point, points: list[Point]) -> Outline:
    segments = tuple((points[i], points[i + 1], points[i + 2]) for i in range(0, len(points), 3))
    return start, segments


def _ring_piece(start_deg: float, end_deg: float) -> Outline:
    cx, cy = _CENTRE
    outer = _arc(cx, cy, _RING_OUTER, start_deg, end_deg)
    inner = _arc(cx, cy, _RING_INNER, end_deg, start_deg)
    points = outer + _line(outer[-1], _polar(_RING_INNER, end_deg)) + inner
    points += _line(inner[-1], _polar(_RING_OUTER, start_deg))
    return _outline(_polar(_RING_OUTER, start_deg), points)


def _petal(base: Point, tip: Point, bulge: float) -> Outline:
    """A leaf from `base` to `tip`, `bulge` wide on each side of its axis."""
    dx, dy = tip[0] - base[0], tip[1] - base[1]
    length = math.hypot(dx, dy)
    nx, ny = -dy / length * bulge, dx / length * bulge
    near = (base[0] + dx * 0.25, base[1] + dy * 0.25)
    far = (base[0] + dx * 0.7, base[1] + dy * 0.7)
    side_a = [(near[0] + nx, near[1] + ny), (far[0] + nx, far[1] + ny), tip]
    side_b = [(far[0] - nx, far[1] - ny), (near[0] - nx, near[1] - ny), base]
    return _outline(base, side_a + side_b)


@lru_cache(maxsize=1)
def radura_outlines() -> tuple[Outline, ...]:
    """All outlines of the symbol in the unit square."""
    shapes: list[Outline] = [_ring_piece(180.0, 360.0)]
    # The upper half of the ring is broken into dashes: the "rays" of the symbol.
    dash = (180.0 - (_RING_DASHES + 1) * _RING_GAP_DEG) / _RING_DASHES
    for i in range(_RING_DASHES):
        start = _RING_GAP_DEG + i * (dash + _RING_GAP_DEG)
        shapes.append(_ring_piece(start, start + dash))
    base_centre = (0.5, 0.58)
    base_arc = _arc(*base_centre, 0.34, 180.0, 360.0)
    left, right = (0.16, 0.58), (0.84, 0.58)
    shapes.append(_outline(left, base_arc + _line(right, left)))
    shapes.append(_petal((0.43, 0.55), (0.2, 0.26), 0.07))
    shapes.append(_petal((0.57, 0.55), (0.8, 0.26), 0.07))
    shapes.append(_outline(_polar(0.075, 0.0, (0.5, 0.4)), _arc(0.5, 0.4, 0.075, 0.0, 360.0)))
    return tuple(shapes)


def svg_path_data(x: float, y: float, size: float, decimals: int = 3) -> str:
    """SVG `d` for the symbol in a `size` square at (x, y), y down; `decimals` per coordinate
    (a web page drawing it in a 100-unit square needs only one)."""

    def at(p: Point) -> str:
        return f"{x + p[0] * size:.{decimals}f} {y + p[1] * size:.{decimals}f}"

    parts = []
    for start, segments in radura_outlines():
        parts.append("M" + at(start))
        parts.extend("C" + " ".join(at(p) for p in segment) for segment in segments)
        parts.append("Z")
    return "".join(parts)


def pdf_path_ops(x: float, y_top: float, size: float) -> str:
    """PDF fill operators for the symbol in a `size` square, top-left (x, y_top), y up."""

    def at(p: Point) -> str:
        return f"{x + p[0] * size:.2f} {y_top - p[1] * size:.2f}"

    ops = []
    for start, segments in radura_outlines():
        ops.append(f"{at(start)} m")
        ops.extend(" ".join(at(p) for p in segment) + " c" for segment in segments)
        ops.append("h")
    return "\n".join(ops) + "\nf"


def polygons(x: float, y: float, size: float, steps: int = 8) -> list[list[Point]]:
    """The outlines flattened to polygons (for raster drawing), y down."""
    result = []
    for start, segments in radura_outlines():
        points = [start]
        current = start
        for c1, c2, end in segments:
            for i in range(1, steps + 1):
                t = i / steps
                u = 1 - t
                points.append(
                    (
                        u**3 * current[0]
                        + 3 * u * u * t * c1[0]
                        + 3 * u * t * t * c2[0]
                        + t**3 * end[0],
                        u**3 * current[1]
                        + 3 * u * u * t * c1[1]
                        + 3 * u * t * t * c2[1]
                        + t**3 * end[1],
                    )
                )
            current = end
        result.append([(x + px * size, y + py * size) for px, py in points])
    return result
