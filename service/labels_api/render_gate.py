"""How many label sheets one process renders at once, per organization, and which it cancels.

Rendering is CPU work in a worker thread that shares the interpreter with the event loop: a few
at a time keep the loop answering, and a short queue past them keeps a burst from piling up.
Anything beyond is refused at once (503 with `Retry-After`), so a flood of PDF requests costs
the flooder, not the other users of the process. At shutdown every running render is told to
stop, so the process exits promptly.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import signal
import threading
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager
from types import FrameType
from typing import TypeVar
from uuid import UUID

import anyio
from litestar import Litestar

from service.core.errors import Unavailable

T = TypeVar("T")

# one render at a time leaves the loop half the interpreter; two queued behind it keep a
# printer's few successive requests from being refused
RUNNING = 1
WAITING = 2
# renders (running or queued) one organization may have at a time in one process
PER_ORGANIZATION = 1
RETRY_AFTER_S = 5
# threads drawing single labels (SVG, PNG) at once, beside the sheet renders
SINGLE_LABEL_THREADS = 2


class RenderCancelled(Exception):
    """The process is stopping: the render gives up between two labels."""


class RenderGate:
    def __init__(
        self,
        running: int = RUNNING,
        waiting: int = WAITING,
        per_organization: int = PER_ORGANIZATION,
    ) -> None:
        self._running = asyncio.Semaphore(running)
        self._capacity = running + waiting
        self._per_organization = per_organization
        self._admitted = 0
        self._by_organization: Counter[UUID | None] = Counter()
        self.stopping = threading.Event()
        # one label's SVG or PNG takes milliseconds: these wait for a thread, never refused
        self.single_labels = anyio.CapacityLimiter(SINGLE_LABEL_THREADS)

    @asynccontextmanager
    async def slot(self, organization_id: UUID | None) -> AsyncIterator[None]:
        """Hold one render slot for the block; 503 when the process or organization is full."""
        if self.stopping.is_set():
            raise _busy("server_stopping", "The server is stopping; retry shortly.")
        if organization_id is not None and (
            self._by_organization[organization_id] >= self._per_organization
        ):
            raise _busy(
                "render_limit_organization",
                "Your organization already has a label render in progress here; retry when it "
                "is done.",
            )
        if self._admitted >= self._capacity:
            raise _busy("render_queue_full", "Too many label renders in progress; retry shortly.")
        self._admitted += 1
        self._by_organization[organization_id] += 1
        try:
            async with self._running:
                yield
        finally:
            self._admitted -= 1
            self._by_organization[organization_id] -= 1
            if not self._by_organization[organization_id]:
                del self._by_organization[organization_id]

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
    with _stopping_on_signals(gate):
        try:
            yield
        finally:
            gate.stop()


@contextlib.contextmanager
def _stopping_on_signals(gate: RenderGate) -> Iterator[None]:
    """Chain a handler before the server's own for SIGTERM and SIGINT, while the app runs.

    The event loop of the server learns of the signal through its wake-up descriptor, which
    the interpreter writes whatever Python handler is set, so it shuts down as before."""
    if threading.current_thread() is not threading.main_thread():
        yield  # handlers can only be set from the main thread (a test client's own thread)
        return
    previous = {sig: signal.getsignal(sig) for sig in _STOP_SIGNALS}

    def on_signal(signum: int, frame: FrameType | None) -> None:
        gate.stop()
        handler = previous[signal.Signals(signum)]
        if callable(handler):
            handler(signum, frame)
        elif handler == signal.SIG_DFL:
            signal.signal(signum, signal.SIG_DFL)
            signal.raise_signal(signum)

    for sig in _STOP_SIGNALS:
        signal.signal(sig, on_signal)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
