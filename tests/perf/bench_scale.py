"""Five years of data: the same figures on an empty database and on a seeded one, in one run.

Seeds (by COPY) 100 000 batches with their treatments, 2 000 000 issued serials and 20 000 000
scans across 60 monthly partitions (times `--scale`), written through `scans` so the daily
rollup's trigger counts them as the scan log's flushes would. Each batch is scanned in the three
months after its production month, like food on a shelf. Then measures, on the empty database
and on the seeded one:

- public verification under `wrk` (bench_verify's servers and load: the bare handler in the same
  round is the yardstick of the machine's load, so the check compares each database's share of
  it): the seeded figure must stay within 10 % of the empty one;
- the batch page's scan figures per page view (scan statistics with the chart's days, and the
  suspect serials: what the page reads), for a sample of batches; beside it, the direct count
  over the batch's scan history that the page read before the rollup, for scale;
- the dashboard of the producer that owns every batch;
- the CSV export of every batch, and of one month's production.

    python tests/perf/bench_scale.py [--scale 0.1] [--pages 200] [--duration 5] [--rounds 3]

Needs `wrk` (Debian: `apt-get install wrk`). The database is embedded in a temporary folder, or
the server at RADURA_DATABASE_URL (two databases are created there and dropped at the end).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID, uuid4

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import asyncpg

from tests.perf import bench_verify

FULL_BATCHES = 100_000
FULL_SERIALS = 2_000_000
FULL_SCANS = 20_000_000
MONTHS = 60
SCAN_MONTHS_PER_BATCH = 3
VERIFY_TOLERANCE = 0.10
VERDICT_WEIGHTS = {"genuine": 90, "expired": 5, "recalled": 1, "suspect": 2, "invalid": 2}
CLONE_THRESHOLD = 5
COPY_ROWS = 250_000
SEEDED = "seeded database"

# What the batch page read before the daily rollup: a pass over the batch's whole scan history.
HISTORY_PER_DAY = """
SELECT (scanned_at AT TIME ZONE 'Asia/Jakarta')::date AS day, verdict, count(*) AS n,
       count(DISTINCT fingerprint) AS clients, min(scanned_at), max(scanned_at)
FROM scans WHERE batch_id = $1
GROUP BY GROUPING SETS ((1, 2), (1))
"""


@dataclass
class Seeded:
    batches: int
    serials: int
    scans: int
    seconds: dict[str, float]


@dataclass
class Latency:
    p50_ms: float
    p99_ms: float
    mean_ms: float


@dataclass
class Reads:
    pages: dict[str, Latency]
    export_all_s: float
    export_rows: int
    export_month_ms: float


def month_start(months_back: int, today: date) -> datetime:
    index = today.year * 12 + today.month - 1 - months_back
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def serial_of(batch_index: int, serial_index: int) -> str:
    """A made-up 10-character serial, unique per batch, that bulk rows can name again."""
    return f"S{batch_index:06d}{serial_index:03d}"


async def _connect(dsn: str) -> asyncpg.Connection:
    from service.core.db import _init_connection

    conn = await asyncpg.connect(dsn)
    await _init_connection(conn)
    return conn


async def make_partitions(conn: asyncpg.Connection, today: date) -> None:
    """The past months' partitions, as the partition upkeep would have made them over the
    years (it makes this month and the next two)."""
    for back in range(1, MONTHS):
        lower, upper = month_start(back, today), month_start(back - 1, today)
        await conn.execute(
            f"CREATE TABLE IF NOT EXISTS scans_{lower:%Y_%m} PARTITION OF scans "
            f"FOR VALUES FROM ('{lower.isoformat()}') TO ('{upper.isoformat()}')"
        )


async def seed(dsn: str, scale: float) -> Seeded:
    """Batches, treatments, serials and scans by COPY; tallies by one INSERT … SELECT."""
    from tests.integration.verify_fixtures import _product
    from tests.integration.world import build_world

    rng = random.Random(2026)
    today = datetime.now(UTC).date()
    batch_count = max(int(FULL_BATCHES * scale), MONTHS)
    serials_per_batch = max(FULL_SERIALS // FULL_BATCHES, 1)
    scan_count = int(FULL_SCANS * scale)
    seconds: dict[str, float] = {}
    conn = await _connect(dsn)
    try:
        world = await build_world(conn)
        await make_partitions(conn, today)
        products = [await _product(conn, world, f"Produk {n}", None) for n in range(50)]

        started = time.perf_counter()
        batch_ids = [uuid4() for _ in range(batch_count)]
        # batch i is produced in month `production_month[i]` months back, oldest first
        production_month = [MONTHS - 1 - (i * MONTHS // batch_count) for i in range(batch_count)]

        def batch_rows() -> Iterator[tuple[Any, ...]]:
            for i, batch_id in enumerate(batch_ids):
                produced = month_start(production_month[i], today) + timedelta(
                    days=rng.randrange(20)
                )
                released = produced + timedelta(days=3)
                yield (
                    batch_id, f"B{i:09d}", products[i % len(products)], world.producer_org,
                    world.facility, f"L{i}", produced.date(), 100.0, "pcs", "released",
                    world.producer.id, produced, released, released.date() + timedelta(days=90),
                    world.qa.id, released,
                )  # fmt: skip

        await conn.copy_records_to_table(
            "batches",
            records=batch_rows(),
            columns=[
                "id", "code", "product_id", "producer_id", "facility_id", "lot",
                "production_date", "quantity", "unit", "status", "created_by", "created_at",
                "updated_at", "best_before", "released_by", "released_at",
            ],
        )  # fmt: skip

        def treatment_rows() -> Iterator[tuple[Any, ...]]:
            for i, batch_id in enumerate(batch_ids):
                ended = month_start(production_month[i], today) + timedelta(days=21)
                yield (
                    batch_id, world.irradiator, f"RUN-{i}", ended - timedelta(hours=2), ended,
                    1, 2.5, 2.9, 1.16, 3.0, 1.5, True, world.operator.id,
                )  # fmt: skip

        await conn.copy_records_to_table(
            "treatments",
            records=treatment_rows(),
            columns=[
                "batch_id", "irradiator_id", "run_id", "started_at", "ended_at", "passes",
                "dose_min_kgy", "dose_max_kgy", "dur", "legal_max_dose_kgy",
                "product_min_dose_kgy", "conforming", "recorded_by",
            ],
        )  # fmt: skip
        seconds["batches and treatments"] = time.perf_counter() - started

        started = time.perf_counter()
        serial_count = batch_count * serials_per_batch
        await conn.copy_records_to_table(
            "label_serials",
            records=(
                (batch_id, serial_of(i, j))
                for i, batch_id in enumerate(batch_ids)
                for j in range(serials_per_batch)
            ),
            columns=["batch_id", "serial"],
        )
        seconds["serials"] = time.perf_counter() - started

        started = time.perf_counter()
        verdicts = list(VERDICT_WEIGHTS)
        weights = list(VERDICT_WEIGHTS.values())
        now = datetime.now(UTC)
        per_month = scan_count // MONTHS
        batches_per_month = batch_count / MONTHS
        for back in range(MONTHS - 1, -1, -1):
            lower = month_start(back, today)
            span_s = ((month_start(back - 1, today) if back else now) - lower).total_seconds()
            # batches produced in this month or the two before it
            produced_from = MONTHS - 1 - back - (SCAN_MONTHS_PER_BATCH - 1)
            first = max(int(produced_from * batches_per_month), 0)
            last = min(int((MONTHS - back) * batches_per_month), batch_count) - 1
            rows = []
            for verdict in rng.choices(verdicts, weights, k=per_month):
                i = rng.randint(first, last)
                at = lower + timedelta(seconds=rng.random() * span_s)
                serial = serial_of(i, rng.randrange(serials_per_batch))
                rows.append((at, batch_ids[i], serial, verdict, rng.randbytes(16)))
            for offset in range(0, len(rows), COPY_ROWS):
                await conn.copy_records_to_table(
                    "scans",
                    records=rows[offset : offset + COPY_ROWS],
                    columns=["scanned_at", "batch_id", "serial", "verdict", "fingerprint"],
                )
        seconds["scans (with the daily rollup)"] = time.perf_counter() - started

        started = time.perf_counter()
        await conn.execute(
            """INSERT INTO label_scan_tallies
                   (batch_id, serial, scan_count, first_at, last_at, producer_id, facility_id)
               SELECT batch_id, serial, count(*), min(scanned_at), max(scanned_at), $1, $2
               FROM scans WHERE verdict <> 'invalid' GROUP BY batch_id, serial""",
            world.producer_org,
            world.facility,
        )
        seconds["tallies"] = time.perf_counter() - started
        started = time.perf_counter()
        await conn.execute("VACUUM ANALYZE")
        seconds["vacuum analyze"] = time.perf_counter() - started
    finally:
        await conn.close()
    return Seeded(batch_count, serial_count, per_month * MONTHS, seconds)


async def _timed(work: Callable[[], Awaitable[object]], repeat: int) -> Latency:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        await work()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return Latency(
        statistics.median(samples),
        samples[min(int(len(samples) * 0.99), len(samples) - 1)],
        statistics.fmean(samples),
    )


async def measure_reads(dsn: str, pages: int) -> Reads:
    """Page-view latencies over a sample of the producer's batches, the dashboard, the export."""
    from schemas.batches import today_in_jakarta
    from service.batches.export import batches_csv as export
    from service.batches.figures.dashboard import dashboard
    from service.core.auth import AuthUser
    from service.core.db import _init_connection
    from service.core.download_gate import DownloadGate
    from service.verify import queries as scan_queries
    from service.verify.scans.stats import batch_scans

    conn = await _connect(dsn)
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2, init=_init_connection)
    try:
        owner = await conn.fetchrow(
            """SELECT u.id, u.name, u.role, u.organization_id FROM batches b
               JOIN users u ON u.organization_id = b.producer_id AND u.role = 'producer'
               GROUP BY u.id ORDER BY count(*) DESC LIMIT 1"""
        )
        producer = AuthUser(**dict(owner))
        regulator = AuthUser(uuid4(), "BPOM", "regulator", None)
        # the batches most scanned in the last 30 days: the page's chart is full for them
        sample: list[UUID] = [
            r["batch_id"]
            for r in await conn.fetch(
                """SELECT batch_id FROM scan_days WHERE day > current_date - 30
                   GROUP BY batch_id ORDER BY sum(genuine) DESC LIMIT $1""",
                pages,
            )
        ] or [
            r["id"]
            for r in await conn.fetch(
                "SELECT id FROM batches WHERE producer_id = $1 LIMIT $2",
                producer.organization_id,
                pages,
            )
        ]
        batches = iter(sample * (pages // max(len(sample), 1) + 1))

        async def batch_page() -> None:
            batch_id = next(batches)
            await batch_scans(conn, batch_id, clone_threshold=CLONE_THRESHOLD)
            await scan_queries.suspect_serials(conn, batch_id, CLONE_THRESHOLD, limit=20)

        history = iter(sample * (pages // max(len(sample), 1) + 1))

        async def scan_history() -> None:
            await conn.fetch(HISTORY_PER_DAY, next(history))

        async def dashboard_view() -> None:
            await dashboard(
                conn, producer, clone_threshold=CLONE_THRESHOLD, today=today_in_jakarta()
            )

        async def csv_chunks(
            pool: asyncpg.Pool, user: AuthUser, date_from: date | None, date_to: date | None
        ) -> AsyncIterator[str]:
            """What GET /api/v1/exports/batches.csv sends, as the endpoint makes it."""
            gate = DownloadGate()
            ticket = gate.admit(uuid4())
            try:
                pages = export.pages_of(
                    await export.export_batch_ids(pool, user, date_from, date_to)
                )
                first = await export.export_rows(pool, pages[0] if pages else [])
                async for chunk in export.csv_chunks(gate, ticket, pool, pages, first):
                    yield chunk
            finally:
                ticket.release()

        figures = {
            "batch page scan figures (rollup)": await _timed(batch_page, pages),
            "same days by a pass over the scan history": await _timed(scan_history, pages),
            "dashboard (producer of every batch)": await _timed(dashboard_view, 20),
        }

        started = time.perf_counter()
        rows = 0
        async for chunk in csv_chunks(pool, regulator, None, None):
            rows += chunk.count("\r\n")
        export_all_s = time.perf_counter() - started
        month = await conn.fetchval("SELECT max(production_date) - 30 FROM batches")
        month_figures = await _timed(
            lambda: _drain(csv_chunks(pool, producer, month, month + timedelta(days=30))), 5
        )
    finally:
        await pool.close()
        await conn.close()
    return Reads(figures, export_all_s, rows - 1, month_figures.p50_ms)


async def _drain(chunks: Any) -> None:
    async for _ in chunks:
        pass


def with_database(dsn: str, name: str) -> str:
    return urlunsplit(urlsplit(dsn)._replace(path="/" + name))


async def create_databases(dsn: str, names: list[str]) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for name in names:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def drop_databases(dsn: str, names: list[str]) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for name in names:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def report(
    args: argparse.Namespace,
    seeded: Seeded,
    verify: list[bench_verify.Figures],
    empty: Reads,
    full: Reads,
) -> bool:
    print(
        f"\nseeded at scale {args.scale}: {seeded.batches:,} batches, {seeded.serials:,} serials, "
        f"{seeded.scans:,} scans over {MONTHS} monthly partitions; the empty database has "
        f"{MONTHS} batches and no scans"
    )
    for step, seconds in seeded.seconds.items():
        print(f"  {step:<32} {seconds:>8.1f} s")
    print(
        f"\nverification: granian {args.workers} worker(s) per database; wrk -t{args.threads} "
        f"-c{args.connections} -d{args.duration}s, median of {args.rounds} rounds alternating "
        f"between the servers; {os.cpu_count()} CPUs"
    )
    print(f"{'':<40} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for f in verify:
        print(
            f"{f.name:<40} {f.requests_per_s:>9.0f} {f.p50_ms:>8.2f} {f.p99_ms:>8.2f}"
            + (f"   ({f.errors})" if f.errors else "")
        )
    print(f"\n{'reads per view (ms)':<44} {'empty p50/p99':>16} {'seeded p50/p99':>16}")
    for name in empty.pages:
        e, f = empty.pages[name], full.pages[name]
        print(f"{name:<44} {e.p50_ms:>7.2f}/{e.p99_ms:<8.2f} {f.p50_ms:>7.2f}/{f.p99_ms:<8.2f}")
    print(
        f"{'CSV export, every batch':<44} {empty.export_all_s * 1000:>7.0f} ms "
        f"({empty.export_rows} rows); seeded {full.export_all_s:.2f} s "
        f"({full.export_rows:,} rows, {full.export_rows / full.export_all_s:,.0f} rows/s)"
    )
    print(
        f"{'CSV export, one month of one producer':<44} {empty.export_month_ms:>7.2f} ms"
        f"{'':<10} {full.export_month_ms:>7.2f} ms"
    )
    by_name = {f.name: f for f in verify}
    empty_rps = by_name["verify GS1 label, JSON"].requests_per_s
    full_rps = by_name[f"verify GS1 label, JSON, {SEEDED}"].requests_per_s
    change = full_rps / empty_rps - 1
    ok = change >= -VERIFY_TOLERANCE
    print(
        f"\ntarget: verification JSON on the seeded database within {VERIFY_TOLERANCE:.0%} of "
        f"the empty one: {'MET' if ok else 'NOT MET'} (empty {empty_rps:.0f} req/s, seeded "
        f"{full_rps:.0f} req/s, {change:+.1%})"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = five years in full")
    parser.add_argument("--pages", type=int, default=200, help="batch page views measured")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not 0 < args.scale <= 1:
        parser.error("--scale must be above 0 and at most 1")
    if shutil.which("wrk") is None:
        print("wrk is not installed. Install it (Debian/Ubuntu): sudo apt-get install -y wrk")
        return 2
    names = ["radura_scale_empty", "radura_scale_seeded"]
    with tempfile.TemporaryDirectory(prefix="radura-bench-") as tmp:
        data_dir = Path(tmp)
        server_dsn = os.environ.get("RADURA_DATABASE_URL")
        server = None
        if not server_dsn:
            import pgserver

            server = pgserver.get_server(data_dir / "pg", cleanup_mode="stop")
            server_dsn = server.get_uri()
            print("database: embedded PostgreSQL (pgserver) in a temporary folder")
        else:
            print("database: the server at RADURA_DATABASE_URL (two scratch databases)")
        try:
            asyncio.run(create_databases(server_dsn, names))
            empty_dsn, full_dsn = (with_database(server_dsn, name) for name in names)
            for dsn in (empty_dsn, full_dsn):
                asyncio.run(bench_verify.migrate(dsn))
            asyncio.run(seed(empty_dsn, 0.0))
            print("reading the empty database …", flush=True)
            empty = asyncio.run(measure_reads(empty_dsn, args.pages))
            print(f"seeding at scale {args.scale} …", flush=True)
            seeded = asyncio.run(seed(full_dsn, args.scale))
            print("reading the seeded database …", flush=True)
            full = asyncio.run(measure_reads(full_dsn, args.pages))
            print("verifying on both, in alternating rounds …", flush=True)
            verify = bench_verify.measure(args, empty_dsn, data_dir, {SEEDED: full_dsn})
            ok = report(args, seeded, verify, empty, full)
        finally:
            asyncio.run(drop_databases(server_dsn, names))
            if server is not None:
                server.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
