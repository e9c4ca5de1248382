"""Long downloads (CSV, workbooks, EPCIS query results): how many at once, and how they end.

A long download costs the process CPU for every row (a signature per serial, a workbook's cells)
and lasts as long as its client takes to read it. The label sheets (PDF) have their own gate
(labels_api/render_gate.py); every other long download passes this one, built the same way:

- at most STREAMS at once per process and PER_OWNER per organization (an account without one
  counts as its own); beyond, a 503 with Retry-After at once, before any work;
- its CPU work runs in worker threads, WORKER_THREADS per process shared by every download, a
  chunk of rows at a time, so the event loop keeps answering scans between chunks;
- no pooled connection is held while it waits on its client: rows are read a page at a time,
  each page on a connection taken for that read only;
- a client that goes away, or does not take a chunk for STALLED_CLIENT_S, ends the download, and
  so does SIGTERM or SIGINT (the work in a thread stops within a row).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import weakref
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar
from uuid import UUID

import anyio
import structlog
from litestar import Litestar, Request
from litestar.response import Stream
from litestar.response.base import ASGIResponse
from litestar.types import Message, Receive, Scope, Send

from service.core.errors import Unavailable
from service.core.stop_signals import stopping_on_signals

log = structlog.get_logger()
T = TypeVar("T")

# downloads in progress per process; each is mostly waiting on its client
STREAMS = 4
# ... per organization: one person's script cannot take the process's every place
PER_OWNER = 2
# threads doing downloads' CPU work at once: one leaves the event loop most of the interpreter
WORKER_THREADS = 1
# a client that takes no chunk for this long has stopped reading
STALLED_CLIENT_S = 60.0
RETRY_AFTER_S = 10


class DownloadCancelled(Exception):
    """The download was ended (its client went away, or the process is stopping)."""


class Ticket:
    """One admitted download's place in the gate, from admission until `release()`."""

    def __init__(self, gate: DownloadGate, owner: UUID) -> None:
        self._gate = gate
        self.owner = owner
        # read by worker threads between rows
        self.cancelled = threading.Event()
        self._released = False
        self._scope: anyio.CancelScope | None = None

    def check(self) -> None:
        if self.cancelled.is_set():
            raise DownloadCancelled

    def checked(self, items: Iterable[T]) -> Iterator[T]:
        """`items`, ending with DownloadCancelled once the download is cancelled (where a
        worker thread's loop over rows can be stopped)."""
        for item in items:
            if self.cancelled.is_set():
                raise DownloadCancelled
            yield item

    def cancel(self) -> None:
        """End the download: its worker thread at the next row, its sending at once. Called
        from the event loop's thread."""
        self.cancelled.set()
        if self._scope is not None:
            self._scope.cancel()

    def release(self) -> None:
        """Give the place back (once; later calls do nothing) and stop any work left."""
        self.cancelled.set()
        if not self._released:
            self._released = True
            self._gate._release(self.owner)


class DownloadGate:
    def __init__(
        self,
        streams: int = STREAMS,
        per_owner: int = PER_OWNER,
        threads: int = WORKER_THREADS,
    ) -> None:
        self._streams = streams
        self._per_owner = per_owner
        self._by_owner: Counter[UUID] = Counter()
        self._tickets: weakref.WeakSet[Ticket] = weakref.WeakSet()
        self.stopping = threading.Event()
        self.workers = anyio.CapacityLimiter(threads)
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def admitted(self) -> int:
        return sum(self._by_owner.values())

    def admit(self, owner: UUID) -> Ticket:
        """A place for one download of `owner`, or a 503 when the process or the owner has
        none left (or the process is stopping). The caller releases it, or hands it to a
        `GatedStream`, which does."""
        if self.stopping.is_set():
            raise _busy("server_stopping", "The server is stopping; retry shortly.")
        if self._by_owner[owner] >= self._per_owner:
            raise _busy(
                "download_limit_organization",
                "Your organization already has downloads in progress here; retry when one of "
                "them is done.",
            )
        if self.admitted >= self._streams:
            raise _busy("download_limit", "Too many downloads in progress; retry shortly.")
        self._loop = asyncio.get_running_loop()
        self._by_owner[owner] += 1
        ticket = Ticket(self, owner)
        self._tickets.add(ticket)
        return ticket

    @asynccontextmanager
    async def slot(self, owner: UUID) -> AsyncIterator[Ticket]:
        """A place for the block (for a download answered whole, not streamed)."""
        ticket = self.admit(owner)
        try:
            yield ticket
        except DownloadCancelled:
            raise _stopped() from None
        finally:
            ticket.release()

    @asynccontextmanager
    async def preparing(
        self, request: Request[Any, Any, Any], ticket: Ticket
    ) -> AsyncIterator[None]:
        """The work before a download's answer starts (its first page, or a workbook built
        whole): the download ends if the client goes away meanwhile, and its place is given
        back if the block fails, the download's own ending being a 503."""
        watch = DisconnectWatch(request, ticket)
        try:
            yield
        except DownloadCancelled:
            ticket.release()
            raise _stopped() from None
        except BaseException:
            ticket.release()
            raise
        finally:
            await watch.stop()

    async def run(self, ticket: Ticket, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)` in one of the downloads' worker threads; DownloadCancelled when the
        download ends before or during it (the work itself checks `ticket` between rows)."""
        ticket.check()
        result = await anyio.to_thread.run_sync(work, *args, limiter=self.workers)
        ticket.check()
        return result

    def _release(self, owner: UUID) -> None:
        self._by_owner[owner] -= 1
        if self._by_owner[owner] <= 0:
            del self._by_owner[owner]

    def stop(self) -> None:
        """End every download (from a signal handler too: the cancelling is left to the loop)."""
        self.stopping.set()
        with contextlib.suppress(RuntimeError):  # a signal may land while the set changes
            for ticket in list(self._tickets):
                ticket.cancelled.set()
        if self._loop is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._cancel_all)

    def _cancel_all(self) -> None:
        for ticket in list(self._tickets):
            ticket.cancel()


async def pages(
    first: list[T], size: int, after: Callable[[list[T]], Awaitable[list[T]]]
) -> AsyncIterator[list[T]]:
    """`first`, then each page `after` reads past the last one, read only when the one before
    has been used (a keyset read: no connection is held in between); a short page is the last."""
    page = first
    while page:
        yield page
        if len(page) < size:
            return
        page = await after(page)


def owner_of(user: Any) -> UUID:
    """Whose downloads count together: the user's organization, else the user."""
    owner: UUID = user.organization_id or user.id
    return owner


def _busy(code: str, detail: str) -> Unavailable:
    return Unavailable(code, detail, retry_after_s=RETRY_AFTER_S)


def _stopped() -> Unavailable:
    # a client that went away never reads it; the answer is for the process stopping
    return _busy("server_stopping", "The server stopped during the download; retry shortly.")


class GatedStream(Stream):
    """A streamed download that keeps its ticket until the last chunk is sent, the client goes
    away or stalls, or the process stops; then the ticket is released, whatever happened."""

    def __init__(self, ticket: Ticket, content: Any, **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        self.ticket = ticket

    def to_asgi_response(self, *args: Any, **kwargs: Any) -> ASGIResponse:
        return _GatedASGIResponse(super().to_asgi_response(*args, **kwargs), self.ticket)


class _GatedASGIResponse(ASGIResponse):
    def __init__(self, inner: ASGIResponse, ticket: Ticket) -> None:
        # not ASGIResponse.__init__: everything is the inner response's; this only wraps it
        self._inner = inner
        self._ticket = ticket
        # a response that is never sent (a failure between the handler and the server) still
        # gives its place back when it is dropped
        weakref.finalize(self, ticket.release)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ticket = self._ticket
        stalled = False

        async def send_or_stall(message: Message) -> None:
            nonlocal stalled
            with anyio.move_on_after(STALLED_CLIENT_S) as waiting:
                await send(message)
            if waiting.cancelled_caught:
                stalled = True
                ticket.cancel()

        # Whatever ends a download early, its answer stops where it is: the server then closes
        # the connection without the body's end, so the client sees an incomplete download,
        # never a short one that looks whole.
        try:
            with anyio.CancelScope() as cancel_scope:
                ticket._scope = cancel_scope
                if ticket.cancelled.is_set():
                    cancel_scope.cancel()
                await self._inner(scope, receive, send_or_stall)
            if cancel_scope.cancelled_caught:
                log.info("download_ended", reason="client_stalled" if stalled else "stopping")
        except* DownloadCancelled:
            # a chunk's work saw the cancel before the scope did: the same ending
            log.info("download_ended", reason="client_stalled" if stalled else "stopping")
        except* Exception as failure:
            # e.g. the database went away between two pages: the answer has begun, so the
            # download can only stop
            log.warning("download_failed", errors=[type(e).__name__ for e in failure.exceptions])
        finally:
            ticket._scope = None
            ticket.release()


class DisconnectWatch:
    """Cancels `ticket` when the client goes away while a download is prepared before its
    answer starts (a workbook is built whole first); `stop()` before the answer is sent."""

    def __init__(self, request: Request[Any, Any, Any], ticket: Ticket) -> None:
        self._task = asyncio.ensure_future(self._watch(request, ticket))

    @staticmethod
    async def _watch(request: Request[Any, Any, Any], ticket: Ticket) -> None:
        while True:
            message = await request.receive()
            if message["type"] == "http.disconnect":
                ticket.cancel()
                return

    async def stop(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


@asynccontextmanager
async def download_gate_lifespan(app: Litestar) -> AsyncIterator[None]:
    """The process's gate on `app.state.download_gate`; its downloads end at SIGTERM or SIGINT,
    when the signal arrives: the server waits for open answers before shutting the app down,
    and a download to a client that stopped reading would never end by itself in time."""
    gate = DownloadGate()
    app.state.download_gate = gate
    with stopping_on_signals(gate.stop):
        try:
            yield
        finally:
            gate.stop()
