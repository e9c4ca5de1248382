"""A label sheet sent while it is drawn, and stopped when nobody is there to take it.

The render thread writes each finished page to a temporary file; the response reads behind it
and sends what is there. So the first page reaches the client as soon as it is drawn (not after
the last of 10 000 labels), the process holds one page in memory however long the sheet, and a
slow client never holds the render slot longer than the drawing takes: the file keeps what the
client has not read yet.

The render slot (`RenderGate.slot`) is taken before the response starts, so a full gate still
answers 503 with `Retry-After`; it is given back when the render thread ends. When the response
ends for any reason (sent in full, failed, or the client went away), the render is told to stop:
it gives up between two labels, so a download that is cancelled stops its render at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import TypeVar
from uuid import UUID

import anyio
import structlog

from service.labels_api.render_gate import RenderCancelled, RenderGate

log = structlog.get_logger()

T = TypeVar("T")
CHUNK_BYTES = 256 * 1024
# The response is woken for the first page and then every this many bytes: each wake-up hands
# the interpreter to the event loop and back, which costs a thread switch (up to 5 ms) per page
# on a roll of one-sticker pages if done for every page.
WAKE_BYTES = 128 * 1024
# renders whose response has ended but whose thread is still stopping: kept from the collector
_RUNNING: set[asyncio.Task[None]] = set()


class SheetSpool:
    """The file between one render thread (`write`) and its response (`chunks`)."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed when both sides are done)
        self._fd = self._file.fileno()
        self._written = 0
        self._woken_at = -1  # bytes written when the response was last woken
        self._finished = False
        self._failure: BaseException | None = None
        self._more = asyncio.Event()
        self._sides_open = 2  # the render and the response
        # set when the response has ended: the render stops at its next label
        self.cancelled = threading.Event()

    # --- the render thread ----------------------------------------------------------------

    def write(self, data: bytes) -> int:
        """Append `data` (a finished page) and wake the response."""
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view) :]
        self._written += len(data)
        if self._woken_at < 0 or self._written - self._woken_at >= WAKE_BYTES:
            self._woken_at = self._written
            self._loop.call_soon_threadsafe(self._more.set)
        return len(data)

    def checked(self, items: Iterable[T]) -> Iterator[T]:
        """`items`, stopping with RenderCancelled once the response has ended."""
        for item in items:
            if self.cancelled.is_set():
                raise RenderCancelled
            yield item

    # --- the event loop -------------------------------------------------------------------

    def render_ended(self, failure: BaseException | None) -> None:
        self._finished = True
        self._failure = failure
        self._more.set()
        self._side_closed()

    def _side_closed(self) -> None:
        self._sides_open -= 1
        if not self._sides_open:
            self._file.close()

    async def chunks(self) -> AsyncIterator[bytes]:
        """The sheet's bytes as they are written; raises what the render raised."""
        offset = 0
        try:
            while True:
                if offset < self._written:
                    size = min(CHUNK_BYTES, self._written - offset)
                    chunk = os.pread(self._fd, size, offset)
                    offset += len(chunk)
                    yield chunk
                    continue
                if self._finished:
                    if self._failure is not None:
                        raise self._failure
                    return
                self._more.clear()
                if offset == self._written and not self._finished:
                    await self._more.wait()
        finally:
            self.cancelled.set()
            self._side_closed()


async def start_sheet(
    gate: RenderGate,
    organization_id: UUID | None,
    labels: int,
    render: Callable[[SheetSpool], object],
) -> SheetSpool:
    """Take a render slot for a sheet of `labels` labels (503 when the process or the
    organization is full), then run `render(spool)` in a worker thread; the sheet is read from
    the spool as it is written."""
    slot = gate.slot(organization_id, labels)
    await slot.__aenter__()
    try:
        spool = SheetSpool()
    except BaseException as exc:
        await slot.__aexit__(type(exc), exc, exc.__traceback__)
        raise
    task = asyncio.create_task(_run(slot, spool, render), name="label-sheet-render")
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)
    return spool


async def _run(
    slot: contextlib.AbstractAsyncContextManager[None],
    spool: SheetSpool,
    render: Callable[[SheetSpool], object],
) -> None:
    failure: BaseException | None = None
    try:
        await anyio.to_thread.run_sync(render, spool)
    except RenderCancelled as exc:
        failure = exc
    except Exception as exc:
        log.error("label_sheet_failed", error=repr(exc))
        failure = exc
    finally:
        spool.render_ended(failure)
        await slot.__aexit__(None, None, None)
