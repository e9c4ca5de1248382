"""Memory of one 10 000-label PDF: the server worker's peak growth, what it keeps afterwards, and
how soon the first bytes arrive, against a 24-label sheet measured in the same run.

A live `granian` worker on a real PostgreSQL (embedded in a temporary folder, or
RADURA_DATABASE_URL) serves `GET /api/v1/batches/{id}/labels.pdf` for a batch of 10 000 issued
serials on the thermal 58×40 roll (one sticker per page, the smallest that holds one). The
worker's resident set is sampled every 20 ms from /proc (Linux); the roll is rendered twice.
Targets: peak growth ≤ 200 MB; the growth given back once the response is sent (≤ 50 MB kept,
the allocator's fragmentation) and nothing more kept after a second roll (≤ 10 MB).

    python tests/perf/bench_pdf_memory.py [--serials 10000] [--layout thermal-58x40]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.perf._server import free_port, start, stop, wait_until_ok

TARGET_PEAK_GROWTH_MB = 200.0
# "Given back": what the worker still holds after a roll is the allocator's fragmentation and
# the renderer's small caches (well under the peak), and a second roll adds nothing to it.
TARGET_KEPT_MB = 50.0
TARGET_KEPT_AGAIN_MB = 10.0


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def worker_pid(server_pid: int) -> int:
    """The one granian worker process under the server."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("no worker process")


@dataclass
class Figures:
    name: str
    labels: int
    seconds: float
    first_byte_s: float
    size_mb: float
    peak_growth_mb: float
    kept_mb: float


class Sampler:
    """The peak resident set of `pid` while it runs."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = rss_mb(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(0.02)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def fetch_pdf(base_url: str, path: str, headers: dict[str, str]) -> tuple[float, float, int]:
    """(seconds, seconds to the first byte, bytes) of one streamed download."""
    started = time.perf_counter()
    first_byte = 0.0
    size = 0
    with (
        httpx.Client(base_url=base_url, timeout=600) as client,
        client.stream("GET", path, headers=headers) as response,
    ):
        assert response.status_code == 200, response.read()[:300]
        for chunk in response.iter_bytes():
            if not size:
                first_byte = time.perf_counter() - started
            size += len(chunk)
    return time.perf_counter() - started, first_byte, size


def measure_one(
    name: str, pid: int, base_url: str, path: str, headers: dict[str, str], labels: int
) -> Figures:
    before = rss_mb(pid)
    with Sampler(pid) as sampler:
        seconds, first_byte_s, size = fetch_pdf(base_url, path, headers)
    time.sleep(2)  # the worker has sent everything; whatever it still holds, it keeps
    return Figures(
        name,
        labels,
        seconds,
        first_byte_s,
        size / 1e6,
        sampler.peak - before,
        rss_mb(pid) - before,
    )


async def seed(dsn: str, serials: int) -> tuple[str, dict[str, str]]:
    """A released batch with `serials` issued serials; its PDF path and a producer's headers."""
    from service.core.db import create_pool
    from service.core.migrate import apply_migrations
    from tests.integration.verify_fixtures import make_batch
    from tests.integration.world import build_world

    pool = await create_pool(dsn, max_size=1)
    try:
        async with pool.acquire() as conn:
            await apply_migrations(conn)
            await conn.execute("SELECT ensure_scan_partitions(2)")
            world = await build_world(conn)
            batch = await make_batch(conn, world, serials=0, with_gtin=True)
            await conn.execute(
                """INSERT INTO label_serials (batch_id, serial)
                   SELECT $1::uuid, upper(substr(md5(i::text || $1::text), 1, 10))
                   FROM generate_series(1, $2) AS i""",
                batch.batch_id,
                serials,
            )
    finally:
        await pool.close()
    return f"/api/v1/batches/{batch.batch_id}/labels.pdf", world.producer.headers


def run(args: argparse.Namespace, dsn: str, data_dir: Path) -> bool:
    pdf_path, headers = asyncio.run(seed(dsn, args.serials))
    port = free_port()
    env = {
        "RADURA_DATABASE_URL": dsn,
        "RADURA_DATA_DIR": str(data_dir),
        "RADURA_RATE_LIMIT_PER_MINUTE": "0",
        "RADURA_LOG_FORMAT": "json",
    }
    server = start(
        [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "asgi",
            "--factory",
            "--port",
            str(port),
            "--workers",
            "1",
            "service.app:create_app",
        ],
        env,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ok(base_url + "/ready")
        pid = worker_pid(server.pid)
        idle_mb = rss_mb(pid)
        # warm up: fonts, forms and the first QR code are loaded once per process
        fetch_pdf(base_url, f"{pdf_path}?layout={args.layout}&count=1", headers)
        baseline = measure_one(
            "24 labels (baseline)",
            pid,
            base_url,
            f"{pdf_path}?layout={args.layout}&count=24",
            headers,
            24,
        )
        before_big_mb = rss_mb(pid)
        big, again = (
            measure_one(
                f"{args.serials} labels{suffix}",
                pid,
                base_url,
                f"{pdf_path}?layout={args.layout}&from=0&count={args.serials}",
                headers,
                args.serials,
            )
            for suffix in ("", " again")
        )
        kept_after_both_mb = rss_mb(pid) - before_big_mb
    finally:
        stop(server)
    print(f"granian, 1 worker; layout {args.layout}; worker idle RSS {idle_mb:.0f} MB")
    print(f"{'':26}  seconds 1st byte s  PDF MB  peak +MB  kept +MB")
    for f in (baseline, big, again):
        print(
            f"{f.name:26} {f.seconds:8.1f} {f.first_byte_s:10.2f} {f.size_mb:7.1f} "
            f"{f.peak_growth_mb:9.0f} {f.kept_mb:9.0f}"
        )
    print(f"kept after both rolls: {kept_after_both_mb:.0f} MB")
    ok = (
        max(big.peak_growth_mb, again.peak_growth_mb) <= TARGET_PEAK_GROWTH_MB
        and big.kept_mb <= TARGET_KEPT_MB
        and again.kept_mb <= TARGET_KEPT_AGAIN_MB
    )
    print(
        f"target: peak growth <= {TARGET_PEAK_GROWTH_MB:.0f} MB, <= {TARGET_KEPT_MB:.0f} MB kept "
        f"after a roll and <= {TARGET_KEPT_AGAIN_MB:.0f} MB more after another: "
        f"{'met' if ok else 'NOT MET'}"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--serials", type=int, default=10_000)
    parser.add_argument("--layout", default="thermal-58x40")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="radura-bench-") as tmp:
        data_dir = Path(tmp)
        dsn = os.environ.get("RADURA_DATABASE_URL")
        server = None
        if not dsn:
            import pgserver

            server = pgserver.get_server(data_dir / "pg", cleanup_mode="stop")
            dsn = server.get_uri()
            print("database: embedded PostgreSQL (pgserver) in a temporary folder")
        try:
            ok = run(args, dsn, data_dir)
        finally:
            if server is not None:
                server.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
