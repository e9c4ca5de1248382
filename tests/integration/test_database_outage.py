"""PostgreSQL stopped for 10 s under a steady scan load, against a real `radura serve`: labels
already verified keep being answered from memory, others get a clean 503 with Retry-After, the
scan buffer stays within its bound (what it lets go is counted and logged once), and when the
database is back the buffered scans are written without anyone's help."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from service.core.db import create_pool
from tests.integration.verify_fixtures import LabelledBatch, label_path, make_batch, server_keyring
from tests.integration.world import build_world
from tests.live_server import ROOT, free_port, wait_ready
from tests.pg_cluster import create_radura_database, discard, new_cluster

# each test here holds the code to a time bound, which a loaded machine can miss
pytestmark = pytest.mark.timing

OUTAGE_S = 10.0
BUFFER_MAX_ROWS = 300  # small, so ten seconds of load overflow it
JSON = {"Accept": "application/json"}


@dataclass
class Answers:
    statuses: list[tuple[float, int, str | None]] = field(default_factory=list)

    def add(self, response: httpx.Response) -> None:
        self.statuses.append(
            (time.monotonic(), response.status_code, response.headers.get("retry-after"))
        )

    def during(self, start: float, end: float) -> list[int]:
        return [status for at, status, _ in self.statuses if start <= at <= end]

    def count(self, status: int) -> int:
        return sum(1 for _, s, _ in self.statuses if s == status)


async def _prepare(url: str) -> tuple[LabelledBatch, LabelledBatch]:
    pool = await create_pool(url, max_size=1)
    try:
        async with pool.acquire() as conn:
            world = await build_world(conn)
            return await make_batch(conn, world, serials=1), await make_batch(
                conn, world, serials=400
            )
    finally:
        await pool.close()


async def _figures(url: str, cached: LabelledBatch, fresh: LabelledBatch) -> tuple[int, int]:
    """Scan rows written for both batches, and the stored tally of the cached label."""
    pool = await create_pool(url, max_size=1)
    try:
        rows: int = await pool.fetchval(
            "SELECT count(*) FROM scans WHERE batch_id = ANY($1::uuid[])",
            [cached.batch_id, fresh.batch_id],
        )
        tally: int = await pool.fetchval(
            "SELECT scan_count FROM label_scan_tallies WHERE batch_id = $1 AND serial = $2",
            cached.batch_id,
            cached.serials[0],
        )
        return rows, tally
    finally:
        await pool.close()


def _metric(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and labels.items() <= sample.labels.items():
                total += sample.value
    return total


def test_scans_survive_a_ten_second_database_outage(tmp_path: Path) -> None:
    cluster = new_cluster()
    server: subprocess.Popen[bytes] | None = None
    try:
        url = asyncio.run(create_radura_database(cluster))
        cached, fresh = asyncio.run(_prepare(url))
        data_dir = tmp_path / "data"
        keyring = server_keyring(data_dir)
        port = free_port()
        log_path = tmp_path / "server.log"
        env = {
            **os.environ,
            "RADURA_DATABASE_URL": url,
            "RADURA_DATA_DIR": str(data_dir),
            "RADURA_RATE_LIMIT_PER_MINUTE": "0",
            "RADURA_SCAN_BUFFER_MAX_ROWS": str(BUFFER_MAX_ROWS),
            "RADURA_LOG_FORMAT": "json",
        }
        with log_path.open("wb") as log_file:
            server = subprocess.Popen(
                [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
                cwd=ROOT,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        base_url = f"http://127.0.0.1:{port}"
        wait_ready(base_url, server)
        cached_path = label_path(keyring, cached, cached.serials[0], short=True)
        fresh_paths = [label_path(keyring, fresh, serial, short=True) for serial in fresh.serials]

        async def load() -> tuple[Answers, Answers, float, float, str]:
            known, unknown = Answers(), Answers()
            stop = asyncio.Event()
            async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
                first = await client.get(cached_path, headers=JSON)
                assert first.json()["verdict"] == "genuine"

                async def scan_known() -> None:
                    while not stop.is_set():
                        known.add(await client.get(cached_path, headers=JSON))
                        await asyncio.sleep(0.005)

                async def scan_unknown() -> None:
                    # a serial never scanned before each time: never in any cache
                    for path in fresh_paths:
                        if stop.is_set():
                            return
                        unknown.add(await client.get(path, headers=JSON))
                        await asyncio.sleep(0.05)

                loops = [asyncio.create_task(scan_known()), asyncio.create_task(scan_unknown())]
                await asyncio.sleep(1.5)
                await asyncio.to_thread(cluster.stop, "fast")
                stopped = time.monotonic()
                await asyncio.sleep(OUTAGE_S)
                await asyncio.to_thread(cluster.start)
                restarted = time.monotonic()
                # until an uncached label is answered again, then a little longer
                while not unknown.during(restarted, time.monotonic()).count(200):
                    assert time.monotonic() - restarted < 15, "verification never recovered"
                    await asyncio.sleep(0.1)
                await asyncio.sleep(1.5)
                stop.set()
                await asyncio.gather(*loops)
                # the buffer is written by itself within a second or so of the database's return
                # (allowed 30 s: a CI machine running other suites may be slow to reconnect)
                metrics = ""
                for _ in range(300):
                    metrics = (await client.get("/metrics")).text
                    if _metric(metrics, "radura_scan_buffer_rows") == 0:
                        break
                    await asyncio.sleep(0.1)
            return known, unknown, stopped, restarted, metrics

        known, unknown, stopped, restarted, metrics = asyncio.run(load())
        outage_known = known.during(stopped, restarted)
        outage_unknown = [
            (status, retry) for at, status, retry in unknown.statuses if stopped <= at <= restarted
        ]
        print(
            f"during the outage: {len(outage_known)} cached scans answered "
            f"{sorted(set(outage_known))}, uncached {sorted({s for s, _ in outage_unknown})}"
        )
        # nothing crashed: a cached label is always answered, and genuine
        assert set(s for _, s, _ in known.statuses) == {200}, sorted(set(known.statuses))
        assert len(outage_known) > 100
        # an uncached one gets a clean 503 with Retry-After while the database is away
        assert 500 not in [s for _, s, _ in unknown.statuses]
        assert outage_unknown and {s for s, _ in outage_unknown} <= {200, 503}
        assert any(s == 503 for s, _ in outage_unknown)
        assert all(retry is not None and int(retry) > 0 for s, retry in outage_unknown if s == 503)
        assert unknown.statuses[-1][1] == 200

        # the buffer held at most its bound; the rest was counted, and everything else written
        dropped = _metric(metrics, "radura_scans_dropped_total", reason="buffer_full")
        assert _metric(metrics, "radura_scan_buffer_rows") == 0
        assert dropped > 0
        answered = known.count(200) + 1 + unknown.count(200)  # + the first scan of the cached one
        rows, tally = asyncio.run(_figures(url, cached, fresh))
        print(f"{answered} scans answered, {rows} written, {dropped:.0f} dropped past the bound")
        assert rows + dropped == answered
        assert rows >= BUFFER_MAX_ROWS
        # the tallies are kept whole even for the rows let go: the scan count stays right
        assert tally == known.count(200) + 1
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        discard(cluster)
    # one outage, one line each: not a line per scan or per failed flush
    events = log_path.read_text()
    for event in ("scan_log_database_unavailable", "scan_log_buffer_full"):
        assert events.count(f'"event":"{event}"') == 1, event
    assert '"event":"verify_read_failed"' not in events
    # the 503s are logged once per ten seconds, not once each
    assert 1 <= events.count('"event":"database_unavailable"') <= 3
    assert events.count('"event":"scan_log_writing_resumed"') >= 1
