"""Runs the real app under granian in a subprocess, for tests that need a socket."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(database_url: str, data_dir: Path | str, **more: str) -> dict[str, str]:
    """The RADURA_* environment of a test server: this database and data folder, no rate limit
    (tests send bursts from one address), JSON logs; `more` adds or overrides variables."""
    return {
        "RADURA_DATABASE_URL": database_url,
        "RADURA_DATA_DIR": str(data_dir),
        "RADURA_RATE_LIMIT_PER_MINUTE": "0",
        "RADURA_LOG_FORMAT": "json",
        **more,
    }


def wait_ready(base_url: str, process: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(base_url + "/ready", timeout=1) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.05)
    raise TimeoutError(f"{base_url} not ready after {timeout_s} s")


@contextlib.contextmanager
def live_server(
    env: dict[str, str],
    workers: int = 1,
    *,
    radura_serve: bool = False,
    access_log: Path | None = None,
) -> Iterator[str]:
    """Serve `service.app:create_app` with the given RADURA_* environment; yields the base URL.
    With `radura_serve`, through `radura serve` itself, as an operator starts it; with
    `access_log` too, `radura serve --access-log`, its standard output written to that file."""
    with server_process(env, workers, radura_serve=radura_serve, access_log=access_log) as (
        base_url,
        _,
    ):
        yield base_url


@contextlib.contextmanager
def server_process(
    env: dict[str, str],
    workers: int = 1,
    *,
    radura_serve: bool = False,
    access_log: Path | None = None,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`live_server`, also handing back the server's process, for a test that signals it
    itself (SIGTERM). Whatever still runs at the end is stopped."""
    port = free_port()
    serve = [sys.executable, "-m", "service.cli", "serve", "--port", str(port)]
    if access_log is not None:
        assert radura_serve, "the access log is an option of `radura serve`"
        serve.append("--access-log")
    stdout = contextlib.ExitStack()
    output = (
        stdout.enter_context(access_log.open("wb"))
        if access_log is not None
        else subprocess.DEVNULL
    )
    process = subprocess.Popen(
        [*serve, "--workers", str(workers)]
        if radura_serve
        else [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "asgi",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "service.app:create_app",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=output,
        stderr=None,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base_url, process)
        yield base_url, process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        stdout.close()
