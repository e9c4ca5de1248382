"""`radura labels render`: a batch's serial labels into one PDF, with a progress bar."""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import asyncpg

from labels.layouts import get_layout
from labels.pdf import render_pdf_to, serial_cells
from schemas.labels import LabelContent
from service.core.auth import AuthUser
from service.core.db import create_pool
from service.core.settings import Settings
from service.labels_api.content import BatchLabel, load_batch_label, serial_uri
from service.labels_api.keys import SigningKeys
from service.labels_api.serials import iter_serials

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


async def _load(
    settings: Settings, dsn: str, batch_id: uuid.UUID, keys: SigningKeys
) -> tuple[BatchLabel, list[str]]:
    pool = await create_pool(dsn, max_size=2)
    try:
        async with pool.acquire() as conn:
            label = await load_batch_label(conn, batch_id, CONSOLE, keys, settings.public_base_url)
        serials = [serial async for serial in iter_serials(pool, batch_id)]
    finally:
        await pool.close()
    return label, serials


def render_batch_pdf(
    settings: Settings, dsn: str, batch_id: uuid.UUID, layout: str, output: Path, copies: int | None
) -> int:
    """Write the PDF; returns the number of labels."""
    import asyncio

    get_layout(layout)  # fail on a bad name before touching the database
    keys = SigningKeys(settings)
    label, serials = asyncio.run(_load(settings, dsn, batch_id, keys))
    cells: Iterator[LabelContent]
    if copies or not serials:
        count = copies or get_layout(layout).cells_per_page
        cells = (label.content for _ in range(count))
    else:
        count = len(serials)
        uris = ((s, serial_uri(label, s, keys, settings.public_base_url)) for s in serials)
        cells = serial_cells(label.content, uris)
    progress = ProgressBar(count)
    with output.open("wb") as pdf:
        render_pdf_to(pdf, cells, layout, progress)
    progress.finish()
    return count


def run(args: argparse.Namespace, settings: Settings, dsn: str) -> int:
    from service.core.errors import DomainError

    try:
        batch_id = uuid.UUID(args.batch_id)
        count = render_batch_pdf(
            settings, dsn, batch_id, args.layout, Path(args.output), args.copies
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
    print(f"wrote {count} labels to {args.output}")
    return 0
