"""Work a process must end before it stops (long downloads, label renders), told of SIGTERM and
SIGINT before the server's own handler runs."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType

_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextlib.contextmanager
def stopping_on_signals(stop: Callable[[], None]) -> Iterator[None]:
    """Call `stop` first, then the handler already set, on SIGTERM and SIGINT, while the app
    runs. The server's event loop still learns of the signal through its wake-up descriptor,
    which the interpreter writes whatever Python handler is set, so it shuts down as before."""
    if threading.current_thread() is not threading.main_thread():
        yield  # handlers can only be set from the main thread (a test client's own thread)
        return
    previous = {sig: signal.getsignal(sig) for sig in _STOP_SIGNALS}

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop()
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
