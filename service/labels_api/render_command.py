"""`radura labels render`: a batch's serial labels into PDFs, with a progress bar.

Up to 10 000 labels go into the one file named; more go into numbered parts of 10 000 each,
written one after another, so memory stays that of one part however large the batch. A layout
whose stickers cannot hold the batch's label is refused before anything is written, naming the
smallest layout that can (as the API's 422 `layout_too_small`). With `--market` (and `--lang`)
every sticker carries that export market's statutory words, refused as `labels.pdf?market=`
refuses them (service/batches/labelling/market_words.py)."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import TextIO

import asyncpg

from labels.codes import CODE_LENGTH, is_code, normalize_typed_code
from labels.layouts import DEFAULT_DPI, check_dpi, get_layout
from labels.pdf import render_pdf_to, serial_cells
from schemas.labels import LabelContent
from service.batches.labelling.content import load_batch_label, serial_uri
from service.batches.labelling.fitting import require_fit, serial_sample
from service.batches.labelling.keys import SigningKeys
from service.batches.labelling.market_words import label_for_market
from service.batches.labelling.serials import MAX_LABELS_PER_PDF, issued_count, iter_serials
from service.core.auth import AuthUser
from service.core.db import create_pool
from service.core.errors import NotFound
from service.core.settings import Settings
from service.labels_api.render_gate import return_freed_memory

# the command runs with the whole service's view of the data, as an operator at the console does
CONSOLE = AuthUser(uuid.UUID(int=0), "radura console", "admin", None)


class ProgressBar:
    """A one-line text progress bar on stderr: done/total, rate and a bar."""

    def __init__(self, total: int, out: TextIO = sys.stderr, width: int = 30) -> None:
        self.total = max(total, 1)
        self.out = out
        self.width = width
        self.started = time.perf_counter()

    def __call__(self, done: int) -> None:
        filled = self.width * done // self.total
        rate = done / max(time.perf_counter() - self.started, 1e-9)
        bar = "#" * filled + "-" * (self.width - filled)
        self.out.write(f"\r[{bar}] {done}/{self.total} labels  {rate:,.0f}/s")
        self.out.flush()

    def finish(self) -> None:
        self.out.write("\n")


def part_paths(output: Path, labels: int) -> list[Path]:
    """Where `labels` labels go: `output` itself when one PDF holds them, else numbered parts
    beside it (`rolls.pdf` → `rolls-001.pdf`, `rolls-002.pdf`, …) of 10 000 labels each."""
    parts = max(1, math.ceil(labels / MAX_LABELS_PER_PDF))
    if parts == 1:
        return [output]
    width = max(3, len(str(parts)))
    names = (f"{output.stem}-{n:0{width}d}{output.suffix}" for n in range(1, parts + 1))
    return [output.with_name(name) for name in names]


def _write_part(
    path: Path,
    cells: Iterable[LabelContent],
    layout: str,
    dpi: int,
    progress: ProgressBar,
    before: int,
) -> int:
    """One part file; the memory it took is given back before the next part starts."""

    def part_progress(in_part: int) -> None:
        progress(before + in_part)

    with path.open("wb") as pdf:
        written = render_pdf_to(pdf, cells, layout, part_progress, dpi=dpi)
    return_freed_memory()
    return written


async def _take(items: AsyncIterator[str], count: int) -> list[str]:
    taken = []
    async for item in items:
        taken.append(item)
        if len(taken) == count:
            break
    return taken


def batch_ref(text: str) -> uuid.UUID | str:
    """A batch as a person names it: its id, or its code as typed (`afvfnpt6zt` too)."""
    try:
        return uuid.UUID(text)
    except ValueError:
        pass
    code = normalize_typed_code(text)
    if not is_code(code):
        raise ValueError(
            f"BATCH must be a batch id or its {CODE_LENGTH}-character code, got {text!r}"
        )
    return code


async def _batch_id(conn: asyncpg.Connection, batch: uuid.UUID | str) -> uuid.UUID:
    if isinstance(batch, uuid.UUID):
        return batch
    batch_id: uuid.UUID | None = await conn.fetchval(
        "SELECT id FROM batches WHERE code = $1", batch
    )
    if batch_id is None:
        raise NotFound("batch")
    return batch_id


async def _render(
    settings: Settings,
    dsn: str,
    batch: uuid.UUID | str,
    layout: str,
    dpi: int,
    output: Path,
    copies: int | None,
    keys: SigningKeys,
    market: str | None = None,
    lang: str | None = None,
) -> list[tuple[Path, int]]:
    """Render part by part: serials come from a server-side cursor 10 000 at a time, so only
    the part being written is ever in memory, however many labels the batch has."""
    pool = await create_pool(dsn, max_size=2)
    try:
        async with pool.acquire() as conn:
            batch_id = await _batch_id(conn, batch)
            label = await load_batch_label(conn, batch_id, CONSOLE, keys, settings.public_base_url)
            label, _ = await label_for_market(conn, label, market, lang)
            issued = 0 if copies else await issued_count(conn, batch_id)
        # every serial URI of a batch has the same length: one sample stands for them all
        sample = serial_sample(label, keys, settings.public_base_url) if issued else label.content
        require_fit(layout, sample, dpi)
        count = copies or issued or get_layout(layout).cells_per_page
        paths = part_paths(output, count)
        progress = ProgressBar(count)
        base_url = settings.public_base_url
        serials = iter_serials(pool, batch_id)
        done = 0
        written = []
        try:
            for path in paths:
                cells: Iterable[LabelContent]
                if issued:
                    part = await _take(serials, MAX_LABELS_PER_PDF)
                    uris = ((s, serial_uri(label, s, keys, base_url)) for s in part)
                    cells = serial_cells(label.content, uris)
                else:
                    cells = itertools.repeat(label.content, min(MAX_LABELS_PER_PDF, count - done))
                labels = _write_part(path, cells, layout, dpi, progress, done)
                written.append((path, labels))
                done += labels
        finally:
            await serials.aclose()
        progress.finish()
        return written
    finally:
        await pool.close()


def render_batch_pdf(
    settings: Settings,
    dsn: str,
    batch: uuid.UUID | str,
    layout: str,
    output: Path,
    copies: int | None,
    dpi: int = DEFAULT_DPI,
    market: str | None = None,
    lang: str | None = None,
) -> list[tuple[Path, int]]:
    """Write the PDF (or its numbered parts past 10 000 labels) of the batch with this id or
    code, for a roll printer of `dpi`, with `market`'s words if one is named; returns each file
    written with its number of labels. A RuleViolation when the layout cannot hold the label
    (`layout_too_small`) or the market's words cannot be printed on it (`market_*`)."""
    get_layout(layout)  # fail on a bad name or resolution before touching the database
    check_dpi(dpi)
    keys = SigningKeys(settings)
    return asyncio.run(
        _render(settings, dsn, batch, layout, dpi, output, copies, keys, market, lang)
    )


def run(args: argparse.Namespace, settings: Settings, dsn: str) -> int:
    from service.core.errors import DomainError

    try:
        if args.copies is not None and args.copies < 1:
            raise ValueError("--copies must be at least 1")
        written = render_batch_pdf(
            settings,
            dsn,
            batch_ref(args.batch),
            args.layout,
            Path(args.output),
            args.copies,
            args.dpi,
            args.market,
            args.lang,
        )
    except ValueError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"refused: {exc.detail}", file=sys.stderr)
        return 1
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"failed: {exc}", file=sys.stderr)
        return 1
    for path, labels in written:
        print(f"wrote {labels} labels to {path}")
    return 0
