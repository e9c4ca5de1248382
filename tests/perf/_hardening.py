"""What the hardening benchmarks share: a database of their own with a small world in it, a
timed request loop, and percentiles."""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx

from service.core.db import create_pool
from service.core.migrate import apply_migrations


def database() -> tuple[str, Callable[[], None]]:
    """A fresh database (on RADURA_DATABASE_URL's server if set, else an embedded PostgreSQL in
    a temporary folder) and how to drop it."""
    server = os.environ.get("RADURA_DATABASE_URL")
    if server:
        name = "radura_bench_" + secrets.token_hex(3)

        async def create() -> None:
            conn = await asyncpg.connect(server)
            await conn.execute(f'CREATE DATABASE "{name}"')
            await conn.close()

        async def drop() -> None:
            conn = await asyncpg.connect(server)
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.close()

        asyncio.run(create())
        return server.rsplit("/", 1)[0] + "/" + name, lambda: asyncio.run(drop())
    import pgserver

    folder = tempfile.mkdtemp(prefix="radura-bench-")
    embedded = pgserver.get_server(folder, cleanup_mode="delete")
    return embedded.get_uri(), embedded.cleanup


async def migrated_pool(dsn: str) -> asyncpg.Pool:
    """A pool of one on the migrated database, with statements as long as seeding needs."""
    conn = await asyncpg.connect(dsn)
    await apply_migrations(conn)
    await conn.execute("SELECT ensure_scan_partitions(2)")
    await conn.close()
    return await create_pool(dsn, max_size=1, command_timeout_s=300)


def server_env(dsn: str, data_dir: str, **more: str) -> dict[str, str]:
    return {
        "RADURA_DATABASE_URL": dsn,
        "RADURA_DATA_DIR": data_dir,
        "RADURA_RATE_LIMIT_PER_MINUTE": "0",
        "RADURA_LOG_FORMAT": "json",
        **more,
    }


@dataclass
class Timings:
    """Request times in ms and the statuses answered."""

    ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    def add(self, seconds: float, status: int) -> None:
        self.ms.append(seconds * 1000)
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def percentile(self, p: float) -> float:
        if len(self.ms) < 2:
            return self.ms[0] if self.ms else float("nan")
        return statistics.quantiles(self.ms, n=100, method="inclusive")[int(p) - 1]

    def line(self, name: str) -> str:
        statuses = ", ".join(f"{n}×{s}" for s, n in sorted(self.statuses.items()))
        return (
            f"{name:<34}{len(self.ms):>6}{self.percentile(50):>9.1f}{self.percentile(95):>9.1f}"
            f"{self.percentile(99):>9.1f}{max(self.ms, default=float('nan')):>9.1f}  {statuses}"
        )


HEADER = f"{'':<34}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}  statuses"


async def timed_loop(
    client: httpx.AsyncClient,
    paths: list[str],
    headers: dict[str, str],
    until: Callable[[], bool],
    timings: Timings,
    pause_s: float = 0.01,
) -> None:
    """Request `paths` in turn, one at a time, until `until()`, noting each time."""
    n = 0
    while not until():
        path = paths[n % len(paths)]
        n += 1
        started = time.perf_counter()
        response = await client.get(path, headers=headers)
        timings.add(time.perf_counter() - started, response.status_code)
        await asyncio.sleep(pause_s)


def for_seconds(seconds: float) -> Callable[[], bool]:
    deadline = time.monotonic() + seconds
    return lambda: time.monotonic() >= deadline


def any_of(*conditions: Callable[[], bool]) -> Callable[[], bool]:
    return lambda: any(condition() for condition in conditions)


def raise_for(response: Any) -> None:
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text[:200]}")
