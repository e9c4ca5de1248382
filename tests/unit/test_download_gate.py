"""The download gate: a few downloads per process, two per organization, their work in a
thread stopped between rows, a stalled or abandoned download giving its place back."""

from __future__ import annotations

import asyncio
import gc
import threading
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.response.streaming import ASGIStreamingResponse

from service.core import download_gate
from service.core.download_gate import (
    DownloadCancelled,
    DownloadGate,
    GatedStream,
    _GatedASGIResponse,
)
from service.core.errors import Unavailable

ORG_A, ORG_B, ORG_C = (uuid.uuid4() for _ in range(3))


async def test_places_per_organization_and_per_process_given_back_once() -> None:
    gate = DownloadGate(streams=3, per_owner=2)
    first, second = gate.admit(ORG_A), gate.admit(ORG_A)
    with pytest.raises(Unavailable) as same_org:
        gate.admit(ORG_A)
    assert same_org.value.code == "download_limit_organization"
    assert same_org.value.status_code == 503 and same_org.value.retry_after_s >= 1
    third = gate.admit(ORG_B)
    with pytest.raises(Unavailable) as full:
        gate.admit(ORG_C)
    assert full.value.code == "download_limit"
    first.release()
    first.release()  # a second release gives nothing back twice
    assert gate.admitted == 2
    gate.admit(ORG_C).release()
    second.release()
    third.release()
    assert gate.admitted == 0
    async with gate.slot(ORG_A):
        assert gate.admitted == 1
    assert gate.admitted == 0


async def test_work_in_a_thread_stops_between_rows_when_the_download_ends() -> None:
    gate = DownloadGate()
    ticket = gate.admit(ORG_A)
    started, rows_done = threading.Event(), []

    def sign_rows() -> None:
        for row in ticket.checked(range(1_000_000)):
            rows_done.append(row)
            started.set()
            threading.Event().wait(0.001)

    work = asyncio.ensure_future(gate.run(ticket, sign_rows))
    await asyncio.to_thread(started.wait, 10)
    ticket.release()  # the client went away
    with pytest.raises(DownloadCancelled):
        await work
    assert 0 < len(rows_done) < 1_000_000


async def test_a_stopping_gate_ends_downloads_and_admits_none() -> None:
    gate = DownloadGate()
    ticket = gate.admit(ORG_A)
    rows = ticket.checked(range(10))
    assert next(rows) == 0
    gate.stop()
    with pytest.raises(DownloadCancelled):
        next(rows)
    with pytest.raises(Unavailable) as stopping:
        gate.admit(ORG_B)
    assert stopping.value.code == "server_stopping"
    with pytest.raises(Unavailable):
        async with gate.slot(ORG_B):
            pass


async def _chunks() -> AsyncIterator[bytes]:
    for _ in range(1000):
        yield b"serial,uri\r\n"


async def _never_disconnects() -> dict[str, Any]:
    await asyncio.Event().wait()
    raise AssertionError


async def test_a_client_that_stops_reading_ends_the_download(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(download_gate, "STALLED_CLIENT_S", 0.2)
    gate = DownloadGate()
    ticket = gate.admit(ORG_A)
    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        if len(sent) >= 3:  # the client's buffers are full: nothing more is taken
            await asyncio.Event().wait()
        sent.append(message)

    answer = _GatedASGIResponse(ASGIStreamingResponse(iterator=_chunks()), ticket)
    await asyncio.wait_for(answer({"type": "http"}, _never_disconnects, send), timeout=10)
    assert gate.admitted == 0 and ticket.cancelled.is_set()
    # the body was never ended: the client sees an incomplete download, not a short one
    assert all(message.get("more_body", True) for message in sent)


async def test_the_process_stopping_ends_a_download_being_sent() -> None:
    gate = DownloadGate()
    ticket = gate.admit(ORG_A)

    async def slow_client(message: Any) -> None:
        await asyncio.sleep(0.01)

    answer = _GatedASGIResponse(ASGIStreamingResponse(iterator=_chunks()), ticket)
    sending = asyncio.ensure_future(answer({"type": "http"}, _never_disconnects, slow_client))
    await asyncio.sleep(0.05)
    gate.stop()  # as SIGTERM does
    await asyncio.wait_for(sending, timeout=10)
    assert gate.admitted == 0


async def test_an_answer_never_sent_gives_its_place_back() -> None:
    gate = DownloadGate()
    stream = GatedStream(gate.admit(ORG_A), _chunks())
    answer = _GatedASGIResponse(ASGIStreamingResponse(iterator=stream.iterator), stream.ticket)
    assert gate.admitted == 1
    del answer, stream
    gc.collect()
    assert gate.admitted == 0
