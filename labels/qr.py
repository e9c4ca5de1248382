"""QR matrices for label URIs: `qrcode` encodes, bit-boards place modules and pick the mask.

`qrcode` builds all 8 masked symbols cell by cell and scores them in pure Python, which
dominates bulk rendering. Here `qrcode` still does the encoding (mode segmentation, version
fit, Reed-Solomon codewords: `QRCode.add_data`, `best_fit`, `util.create_data`); placement,
masking and the penalty score work on one Python int per symbol (bit row*size+col = module).
The per-version layout follows qrcode's own `makeImpl`, and the penalty its `util.lost_point`
quirks included (it scores with format/version areas and the dark module left light), so the
chosen mask and every module equal qrcode's; tests/unit/labels check that over random URIs
and every version.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from operator import itemgetter

import qrcode
from qrcode import util as qr_util

ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
QUIET_ZONE_MODULES = 4
_DARK_RUN = re.compile("1+")


@dataclass(frozen=True, slots=True)
class QrMatrix:
    """A QR symbol without its quiet zone: bit (row * size + col) of `bits` set = dark."""

    version: int
    mask: int
    size: int
    bits: int

    def is_dark(self, row: int, col: int) -> bool:
        return (self.bits >> (row * self.size + col)) & 1 == 1

    def row_strings(self) -> list[str]:
        """Rows top to bottom as '1' (dark) / '0' (light) strings."""
        n = self.size
        flat = format(self.bits, f"0{n * n}b")[::-1]
        return [flat[row * n : (row + 1) * n] for row in range(n)]

    def dark_runs(self) -> list[tuple[int, int, int]]:
        """Horizontal runs of dark modules as (row, col, length), to draw as few rectangles."""
        return [
            (row, match.start(), match.end() - match.start())
            for row, line in enumerate(self.row_strings())
            for match in _DARK_RUN.finditer(line)
        ]

    def to_lists(self) -> list[list[bool]]:
        return [[ch == "1" for ch in line] for line in self.row_strings()]


@dataclass(frozen=True, slots=True)
class _Boards:
    """Bit masks of one symbol size for the penalty rules."""

    size: int
    full: int
    row_pairs: int  # (r, c) with c <= n-2: module and its right neighbour
    col_pairs: int  # r <= n-2: module and the one below
    blocks: int  # r, c <= n-2: top-left corners of 2x2 blocks
    row_starts11: int  # c <= n-11: starts of 11-module windows in a row
    col_starts11: int  # r <= n-11


@dataclass(frozen=True, slots=True)
class _VersionPlan:
    boards: _Boards
    function_dark: int  # finders, separators, timing, alignment
    version_info: int  # only in the final symbol (qrcode scores masks without it)
    dark_module: int
    format_info: tuple[int, ...]  # per mask, level M
    data_masks: tuple[int, ...]  # per mask: the data modules it inverts
    data_area: int  # every data module (codewords and remainder bits)
    data_module_count: int
    placement: Callable[[str], tuple[str, ...]]  # data bits -> matrix chars, MSB first


def _boards(n: int) -> _Boards:
    every_row = sum(1 << (row * n) for row in range(n))

    def columns(upto: int) -> int:
        return ((1 << (upto + 1)) - 1) * every_row

    def rows(upto: int) -> int:
        return (1 << ((upto + 1) * n)) - 1

    return _Boards(
        size=n,
        full=(1 << (n * n)) - 1,
        row_pairs=columns(n - 2),
        col_pairs=rows(n - 2),
        blocks=columns(n - 2) & rows(n - 2),
        row_starts11=columns(n - 11),
        col_starts11=rows(n - 11),
    )


def _function_grid(version: int) -> tuple[list[list[bool | None]], list[tuple[int, int]]]:
    """Module grid after qrcode's function patterns (None = data), and format-info cells."""
    n = version * 4 + 17
    grid: list[list[bool | None]] = [[None] * n for _ in range(n)]
    for top, left in ((0, 0), (n - 7, 0), (0, n - 7)):
        for r in range(-1, 8):
            for c in range(-1, 8):
                if 0 <= top + r < n and 0 <= left + c < n:
                    grid[top + r][left + c] = (
                        (0 <= r <= 6 and c in (0, 6))
                        or (0 <= c <= 6 and r in (0, 6))
                        or (2 <= r <= 4 and 2 <= c <= 4)
                    )
    centres = qr_util.pattern_position(version)
    for row in centres:
        for col in centres:
            if grid[row][col] is not None:
                continue  # an alignment pattern never overlaps a finder
            for r in range(-2, 3):
                for c in range(-2, 3):
                    grid[row + r][col + c] = r in (-2, 2) or c in (-2, 2) or r == c == 0
    for i in range(8, n - 8):
        if grid[i][6] is None:
            grid[i][6] = i % 2 == 0
        if grid[6][i] is None:
            grid[6][i] = i % 2 == 0
    # Format info: qrcode's bit i goes to both cells listed at index i (vertical, horizontal).
    vertical = [(i, 8) if i < 6 else (i + 1, 8) if i < 8 else (n - 15 + i, 8) for i in range(15)]
    horizontal = [
        (8, n - i - 1) if i < 8 else (8, 15 - i) if i < 9 else (8, 14 - i) for i in range(15)
    ]
    format_cells = vertical + horizontal
    for r, c in format_cells:
        grid[r][c] = False
    grid[n - 8][8] = False
    if version >= 7:
        for i in range(18):
            grid[i // 3][i % 3 + n - 11] = False
            grid[i % 3 + n - 11][i // 3] = False
    return grid, format_cells


def _placement_order(grid: list[list[bool | None]]) -> list[tuple[int, int]]:
    """Data cells in qrcode's `map_data` order: column pairs from the right, zig-zagging."""
    n = len(grid)
    order: list[tuple[int, int]] = []
    upward = True
    for right in range(n - 1, 0, -2):
        col = right - 1 if right <= 6 else right  # skip the vertical timing column
        rows = range(n - 1, -1, -1) if upward else range(n)
        for row in rows:
            for c in (col, col - 1):
                if grid[row][c] is None:
                    order.append((row, c))
        upward = not upward
    return order


@cache
def _plan(version: int) -> _VersionPlan:
    grid, format_cells = _function_grid(version)
    n = len(grid)

    def bit(row: int, col: int) -> int:
        return 1 << (row * n + col)

    function_dark = sum(bit(r, c) for r in range(n) for c in range(n) if grid[r][c])
    order = _placement_order(grid)
    masks = tuple(
        sum(bit(r, c) for r, c in order if qr_util.mask_func(pattern)(r, c)) for pattern in range(8)
    )
    format_info = []
    for pattern in range(8):
        info = qr_util.BCH_type_info((ERROR_CORRECTION << 3) | pattern)
        format_info.append(sum(bit(*format_cells[i]) for i in range(30) if (info >> (i % 15)) & 1))
    version_info = 0
    if version >= 7:
        number = qr_util.BCH_type_number(version)
        for i in range(18):
            if (number >> i) & 1:
                version_info |= bit(i // 3, i % 3 + n - 11) | bit(i % 3 + n - 11, i // 3)
    # int(text, 2) reads the most significant bit first, so index j is bit n*n-1-j; cells
    # that are not data read the trailing '0' sentinel at index len(order).
    index_of = {r * n + c: k for k, (r, c) in enumerate(order)}
    sentinel = len(order)
    picks = [index_of.get(n * n - 1 - j, sentinel) for j in range(n * n)]
    return _VersionPlan(
        boards=_boards(n),
        function_dark=function_dark,
        version_info=version_info,
        dark_module=bit(n - 8, 8),
        format_info=tuple(format_info),
        data_masks=masks,
        data_area=sum(bit(r, c) for r, c in order),
        data_module_count=len(order),
        placement=itemgetter(*picks),
    )


def _finder_like(dark: int, light: int, step: int, starts: int) -> int:
    """Windows matching 1011101 0000 or 0000 1011101 (qrcode's level-3 rule)."""
    common = (light >> step) & (dark >> 4 * step) & (light >> 5 * step)
    common &= (dark >> 6 * step) & (light >> 9 * step) & starts
    before = dark & (dark >> 2 * step) & (dark >> 3 * step)
    before &= (light >> 7 * step) & (light >> 8 * step) & (light >> 10 * step)
    after = light & (light >> 2 * step) & (light >> 3 * step)
    after &= (dark >> 7 * step) & (dark >> 8 * step) & (dark >> 10 * step)
    return (common & (before | after)).bit_count()


def penalty(dark: int, boards: _Boards) -> int:
    """qrcode's `util.lost_point` of the symbol whose dark modules are `dark`."""
    n = boards.size
    light = dark ^ boards.full
    # Rule 1: a run of L >= 5 same-coloured modules costs L - 2 = (L - 4 windows of 5) + 2.
    same_h = ~(dark ^ (dark >> 1)) & boards.row_pairs
    five_h = same_h & (same_h >> 1) & (same_h >> 2) & (same_h >> 3)
    same_v = ~(dark ^ (dark >> n)) & boards.col_pairs
    five_v = same_v & (same_v >> n) & (same_v >> 2 * n) & (same_v >> 3 * n)
    run_starts = (five_h & ~(same_h << 1)).bit_count() + (five_v & ~(same_v << n)).bit_count()
    score = five_h.bit_count() + five_v.bit_count() + 2 * run_starts
    # Rule 2: each 2x2 block of one colour costs 3.
    blocks = dark & (dark >> 1) & (dark >> n) & (dark >> (n + 1))
    blocks |= light & (light >> 1) & (light >> n) & (light >> (n + 1))
    score += 3 * (blocks & boards.blocks).bit_count()
    # Rule 3: each finder-like pattern costs 40.
    finders = _finder_like(dark, light, 1, boards.row_starts11)
    finders += _finder_like(dark, light, n, boards.col_starts11)
    score += 40 * finders
    # Rule 4: 10 per whole 5 % away from half dark; same float steps as qrcode.
    percent = float(dark.bit_count()) / (n**2)
    score += int(abs(percent * 100 - 50) / 5) * 10
    return score


def best_masked(version: int, data: int) -> QrMatrix:
    """The symbol of unmasked data modules `data` under the mask qrcode would choose."""
    plan = _plan(version)
    scores = [penalty((data ^ mask) | plan.function_dark, plan.boards) for mask in plan.data_masks]
    # The first lowest score wins, as in qrcode's strict '<' comparison.
    best = scores.index(min(scores))
    bits = (data ^ plan.data_masks[best]) | plan.function_dark
    bits |= plan.format_info[best] | plan.version_info | plan.dark_module
    return QrMatrix(version=version, mask=best, size=plan.boards.size, bits=bits)


def unmasked_data(version: int, bits: int, mask: int) -> int | None:
    """The data modules, unmasked, of a level-M symbol `bits` drawn with `mask`; None when
    its function patterns or format information say it is anything else."""
    plan = _plan(version)
    if bits & ~plan.data_area != (
        plan.function_dark | plan.format_info[mask] | plan.version_info | plan.dark_module
    ):
        return None
    return (bits ^ plan.data_masks[mask]) & plan.data_area


def encode_codewords(uri: str) -> tuple[int, list[int]]:
    """Version and final codewords (data + Reed-Solomon, interleaved) exactly as qrcode makes."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE_MODULES)
    code.add_data(uri)
    version = code.best_fit()
    return version, qr_util.create_data(version, ERROR_CORRECTION, code.data_list)


def _unmasked_data(version: int, codewords: list[int]) -> int:
    plan = _plan(version)
    bits = format(int.from_bytes(bytes(codewords), "big"), f"0{8 * len(codewords)}b")
    # Remainder bits after the last codeword are 0, and so is the sentinel after them.
    source = bits.ljust(plan.data_module_count + 1, "0")
    return int("".join(plan.placement(source)), 2)


def mask_penalties(uri: str) -> list[int]:
    """The penalty of each of the 8 masks, as qrcode's `best_mask_pattern` scores them."""
    version, codewords = encode_codewords(uri)
    plan = _plan(version)
    data = _unmasked_data(version, codewords)
    return [penalty((data ^ mask) | plan.function_dark, plan.boards) for mask in plan.data_masks]


@lru_cache(maxsize=512)
def qr_matrix(uri: str) -> QrMatrix:
    """The QR symbol (level M) for `uri`, module for module what qrcode's `make()` gives."""
    version, codewords = encode_codewords(uri)
    return best_masked(version, _unmasked_data(version, codewords))
