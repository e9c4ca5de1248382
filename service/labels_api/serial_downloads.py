"""A batch's serials with their signed links, as the print shop's downloads (`labels.csv`,
`labels.xlsx`).

Long downloads (service/core/download_gate.py): the serials are read a page at a time in issue
order by keyset (the page after the last serial sent), each page on a connection held for that
read only, and each page's links are signed and written in a worker thread, so a 1 000 000-serial
batch neither holds a connection while its client reads nor stalls the scans of everyone else.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import IO
from uuid import UUID

import asyncpg

from service.batches.export.batches_xlsx import TextSheet
from service.batches.labelling.content import BatchLabel, serial_uri
from service.batches.labelling.keys import SigningKeys
from service.core.db import connection
from service.core.download_gate import DownloadGate, Ticket, pages

# serials per page: one read, one chunk of some 100 kB of CSV, a few tens of ms of signing
PAGE_SERIALS = 1000

# issue order, as every other reading of a batch's serials (label_serials_issue_order)
_FIRST_PAGE = """SELECT issued_at, serial FROM label_serials WHERE batch_id = $1
ORDER BY issued_at, serial LIMIT $2"""
_NEXT_PAGE = """SELECT issued_at, serial FROM label_serials
WHERE batch_id = $1 AND (issued_at, serial) > ($3, $4)
ORDER BY issued_at, serial LIMIT $2"""

Page = list[tuple[datetime, str]]


async def serial_page(pool: asyncpg.Pool, batch_id: UUID, after: Page) -> Page:
    """The serials that follow the last of `after` (the first ones when it is empty)."""
    async with connection(pool) as conn:
        if after:
            rows = await conn.fetch(_NEXT_PAGE, batch_id, PAGE_SERIALS, *after[-1])
        else:
            rows = await conn.fetch(_FIRST_PAGE, batch_id, PAGE_SERIALS)
    return [(row["issued_at"], row["serial"]) for row in rows]


def serial_pages(pool: asyncpg.Pool, batch_id: UUID, first: Page) -> AsyncIterator[Page]:
    """`first`, then each next page, read only when the one before has been used."""
    return pages(first, PAGE_SERIALS, lambda last: serial_page(pool, batch_id, last))


class Links:
    """What signing a batch's serial links needs (usable from a worker thread: the keyring
    locks itself)."""

    def __init__(self, label: BatchLabel, keys: SigningKeys, base_url: str) -> None:
        self._label = label
        self._keys = keys
        self._base_url = base_url

    def rows(self, ticket: Ticket, page: Page) -> list[list[str]]:
        return [
            [serial, serial_uri(self._label, serial, self._keys, self._base_url)]
            for _issued_at, serial in ticket.checked(page)
        ]


CSV_HEADER = "serial,uri\r\n"


def _csv_text(links: Links, ticket: Ticket, page: Page) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(links.rows(ticket, page))
    return buffer.getvalue()


async def csv_chunks(
    gate: DownloadGate,
    ticket: Ticket,
    pool: asyncpg.Pool,
    batch_id: UUID,
    links: Links,
    first: Page,
) -> AsyncIterator[str]:
    """`serial,uri` lines a page at a time, the header first."""
    yield CSV_HEADER
    async for page in serial_pages(pool, batch_id, first):
        yield await gate.run(ticket, _csv_text, links, ticket, page)


async def workbook(
    gate: DownloadGate,
    ticket: Ticket,
    pool: asyncpg.Pool,
    batch_id: UUID,
    links: Links,
    new_sheet: Callable[[], TextSheet],
) -> IO[bytes]:
    """The finished workbook of serials and links, open at its start."""
    sheet = await gate.run(ticket, new_sheet)
    try:
        first = await serial_page(pool, batch_id, [])
        async for page in serial_pages(pool, batch_id, first):
            await gate.run(ticket, _add_rows, sheet, links, ticket, page)
        return await gate.run(ticket, sheet.finish)
    finally:
        sheet.discard()


def _add_rows(sheet: TextSheet, links: Links, ticket: Ticket, page: Page) -> None:
    sheet.add(ticket, links.rows(ticket, page))
