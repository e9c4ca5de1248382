"""How many label sheets one process renders at once, per organization, and which it cancels.

Rendering is CPU work in a worker thread that shares the interpreter with the event loop: a few
at a time keep the loop answering, and a short queue past them keeps a burst from piling up.
Anything beyond is refused at once (503 with `Retry-After`), so a flood of PDF requests costs
the flooder, not the other users of the process. At shutdown every running render is told to
stop, so the process exits promptly.

Small sheets (a few pages: a day's sample, a reprint) have a lane of their own, so a producer
printing one page never waits behind another's 10 000-label roll: each lane has its running
render, its short queue and its one render per organization.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import threading
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager
from typing import TypeVar
from uuid import UUID

import anyio
from litestar import Litestar

from service.core.errors import Unavailable
from service.core.stop_signals import stopping_on_signals

T = TypeVar("T")

# one render at a time leaves the loop half the interpreter; two queued behind it keep a
# printer's few successive requests from being refused
RUNNING = 1
WAITING = 2
# renders (running or queued) one organization may have at a time in one lane of one process
PER_ORGANIZATION = 1
# a sheet of at most this many labels takes the small lane: ten A4 pages, well under a second
SMALL_SHEET_LABELS = 240
RETRY_AFTER_S = 5
# threads drawing single labels (SVG, PNG) at once, beside the sheet renders
SINGLE_LABEL_THREADS = 2


class RenderCancelled(Exception):
    """The process is stopping: the render gives up between two labels."""


class _Lane:
    """Renders of one size: how many run at once, how many may wait, how many per organization."""

    def __init__(self, running: int, waiting: int, per_organization: int) -> None:
        self.running = asyncio.Semaphore(running)
        self.capacity = running + waiting
        self.per_organization = per_organization
        self.admitted = 0
        self.by_organization: Counter[UUID | None] = Counter()


class RenderGate:
    def __init__(
        self,
        running: int = RUNNING,
        waiting: int = WAITING,
        per_organization: int = PER_ORGANIZATION,
        small_sheet_labels: int = SMALL_SHEET_LABELS,
    ) -> None:
        self._small_sheet_labels = small_sheet_labels
        self._small = _Lane(running, waiting, per_organization)
        self._large = _Lane(running, waiting, per_organization)
        self.stopping = threading.Event()
        # one label's SVG or PNG takes milliseconds: these wait for a thread, never refused
        self.single_labels = anyio.CapacityLimiter(SINGLE_LABEL_THREADS)

    @asynccontextmanager
    async def slot(self, organization_id: UUID | None, labels: int) -> AsyncIterator[None]:
        """Hold one render slot of the lane for `labels` labels for the block; 503 when that
        lane of the process, or the organization's place in it, is full."""
        if self.stopping.is_set():
            raise _busy("server_stopping", "The server is stopping; retry shortly.")
        lane = self._small if labels <= self._small_sheet_labels else self._large
        if organization_id is not None and (
            lane.by_organization[organization_id] >= lane.per_organization
        ):
            raise _busy(
                "render_limit_organization",
                "Your organization already has a label render in progress here; retry when it "
                "is done.",
            )
        if lane.admitted >= lane.capacity:
            raise _busy("render_queue_full", "Too many label renders in progress; retry shortly.")
        lane.admitted += 1
        lane.by_organization[organization_id] += 1
        try:
            async with lane.running:
                yield
        finally:
            lane.admitted -= 1
            lane.by_organization[organization_id] -= 1
            if not lane.by_organization[organization_id]:
                del lane.by_organization[organization_id]

    def checked(self, items: Iterable[T]) -> Iterator[T]:
        """`items`, stopping with RenderCancelled once the process is stopping (the renderer
        pulls one label at a time, so this is where a render in a thread can be stopped)."""
        for item in items:
            if self.stopping.is_set():
                raise RenderCancelled
            yield item

    def stop(self) -> None:
        self.stopping.set()


def return_freed_memory() -> None:
    """Hand the memory a large render freed back to the operating system.

    glibc keeps freed heap pages for reuse: after a 10 000-label PDF the process would stay
    some 100 MB larger for good. `malloc_trim` releases them (elsewhere it is a no-op)."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _busy(code: str, detail: str) -> Unavailable:
    return Unavailable(code, detail, retry_after_s=RETRY_AFTER_S)


@asynccontextmanager
async def render_gate_lifespan(app: Litestar) -> AsyncIterator[None]:
    """The process's gate on `app.state.render_gate`; its renders stop at SIGTERM or SIGINT.

    The server drains open requests before it runs the app's shutdown, so a render must stop
    when the signal arrives, not when shutdown begins: otherwise a 10 000-label PDF keeps the
    process alive until it is done."""
    gate = RenderGate()
    app.state.render_gate = gate
    with stopping_on_signals(gate.stop):
        try:
            yield
        finally:
            gate.stop()
