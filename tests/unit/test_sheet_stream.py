"""A label sheet streamed while it is drawn: every byte in order, the render slot held until the
drawing ends, and a download that ends early stops its render."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
import uuid

import pytest

from service.core.errors import Unavailable
from service.labels_api.render_gate import RenderGate
from service.labels_api.sheet_stream import SheetSpool, start_sheet

ORG = uuid.uuid4()
SHEET = 24  # labels: one A4 page


async def _slot_given_back(gate: RenderGate, within_s: float = 5.0) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            async with gate.slot(ORG, SHEET):
                return True
        except Unavailable:
            await asyncio.sleep(0.01)
    return False


async def test_the_sheet_arrives_whole_and_in_order_and_the_slot_is_given_back() -> None:
    gate = RenderGate()
    pages = [bytes([n]) * (100_000 + n) for n in range(12)]

    def render(spool: SheetSpool) -> None:
        for page in spool.checked(pages):
            spool.write(page)

    spool = await start_sheet(gate, ORG, SHEET, render)
    received = b"".join([chunk async for chunk in spool.chunks()])
    assert received == b"".join(pages)
    assert await _slot_given_back(gate)


async def test_the_organizations_second_sheet_is_refused_while_the_first_renders() -> None:
    gate = RenderGate()
    release = threading.Event()
    spool = await start_sheet(gate, ORG, SHEET, lambda spool: release.wait(5))
    with pytest.raises(Unavailable) as busy:
        await start_sheet(gate, ORG, SHEET, lambda spool: None)
    assert busy.value.code == "render_limit_organization"
    release.set()
    assert [chunk async for chunk in spool.chunks()] == []
    assert await _slot_given_back(gate)


async def test_a_download_that_ends_early_stops_its_render() -> None:
    gate = RenderGate()
    drawn: list[int] = []
    stopped = threading.Event()

    def render(spool: SheetSpool) -> None:
        """An endless sheet: it ends only when told to."""
        try:
            for label in spool.checked(gate.checked(itertools.count())):
                spool.write(b"%d " % label)
                drawn.append(label)
                time.sleep(0.001)
        finally:
            stopped.set()

    spool = await start_sheet(gate, ORG, SHEET, render)
    chunks = spool.chunks()
    assert await anext(chunks)
    await chunks.aclose()  # the client went away
    assert await asyncio.to_thread(stopped.wait, 5)
    count = len(drawn)
    await asyncio.sleep(0.1)
    assert len(drawn) == count  # nothing more is drawn
    assert await _slot_given_back(gate)


async def test_a_render_that_fails_ends_the_download_with_its_error() -> None:
    gate = RenderGate()

    def render(spool: SheetSpool) -> None:
        spool.write(b"%PDF-")
        raise ValueError("broken")

    spool = await start_sheet(gate, ORG, SHEET, render)
    received = []
    with pytest.raises(ValueError, match="broken"):
        async for chunk in spool.chunks():
            received.append(chunk)
    assert received == [b"%PDF-"]
    assert await _slot_given_back(gate)
