"""Helpers for benchmarks: starting `radura serve` or a bare app, waiting for it, stopping it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.live_server import free_port

ROOT = Path(__file__).resolve().parents[2]
__all__ = ["ROOT", "free_port", "radura_serve", "start", "stop", "wait_until_ok"]


def wait_until_ok(url: str, timeout_s: float = 120.0) -> float:
    """Poll `url` until it answers 200; returns the seconds it took."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.02)
    raise TimeoutError(f"{url} did not answer 200 within {timeout_s} s")


def start(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        args,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ctrl-C, as a person would; the server stops its workers and the embedded database."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def radura_serve(port: int, env: dict[str, str], *extra: str) -> subprocess.Popen[bytes]:
    return start([sys.executable, "-m", "service.cli", "serve", "--port", str(port), *extra], env)
