"""The facility's console pages over `--batches` batches sent to one facility: time per request
and size over the wire of the incoming queue, the QA queue and the treatment form (with its
dose figures), against a bare Litestar app rendering a Jinja template of the largest page's
size, measured in this run.

A fresh database (on RADURA_DATABASE_URL's server if set, else an embedded PostgreSQL) gets a
producer from tests/perf/console_seed.py whose batches all go to one facility (one in twenty
registered, one in twenty treated), a treatment for every batch treated or later, and a QA
officer who signs in through the real form. The app is served by granian; one client requests
each page back to back on a keep-alive connection (times at the client: an upper bound).

    python tests/perf/bench_console_facility.py [--batches 10000] [--requests 200]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import asyncpg
import httpx

from tests.live_server import free_port, live_server, wait_ready
from tests.perf._server import start, stop
from tests.perf.bench_console_desk import (
    LIMIT_KB,
    LIMIT_P95_MS,
    PASSWORD,
    _database,
    _measure,
    _sign_in,
)


async def _prepare(dsn: str, batches: int) -> tuple[str, str]:
    """Migrate, seed, give a QA officer a sign-in; returns (email, a received batch's id)."""
    from service.accounts.passwords import hash_password
    from service.core.db import create_pool
    from service.core.migrate import apply_migrations
    from tests.perf.console_seed import seed_producer

    conn = await asyncpg.connect(dsn)
    await apply_migrations(conn)
    await conn.execute("SELECT ensure_scan_partitions(2)")
    await conn.close()
    pool = await create_pool(dsn, max_size=1)
    async with pool.acquire() as conn:
        await seed_producer(conn, batches)  # another facility's batches, which the queues skip
        _, sample = await seed_producer(conn, batches)
        facility = await conn.fetchval("SELECT facility_id FROM batches WHERE id = $1", sample)
        email = f"bench-{secrets.token_hex(4)}@iradiator.example.id"
        qa_id = await conn.fetchval(
            """INSERT INTO users (name, role, organization_id, email, password_hash)
               VALUES ('Petugas QA', 'qa', $1, $2, $3) RETURNING id""",
            facility,
            email,
            hash_password(PASSWORD),
        )
        await conn.execute(
            """INSERT INTO irradiators (facility_id, name, source_type, activity_kci)
               SELECT DISTINCT facility_id, 'Bench Co-60', 'cobalt-60', 450 FROM batches"""
        )
        await conn.execute(
            """INSERT INTO treatments (batch_id, irradiator_id, run_id, started_at, ended_at,
                   dose_min_kgy, dose_max_kgy, dur, legal_max_dose_kgy, product_min_dose_kgy,
                   conforming, nonconformities, recorded_by, recorded_at)
               SELECT b.id, i.id, 'RUN-' || b.lot, b.created_at + interval '1 day',
                      b.created_at + interval '1 day 3 hours', 1.8, 2.6, 2.6 / 1.8, 3.0, 1.5,
                      true, '{}'::text[], $1, b.created_at + interval '1 day 4 hours'
               FROM batches b JOIN irradiators i ON i.facility_id = b.facility_id
               WHERE b.status IN ('treated', 'released', 'rejected', 'recalled')""",
            qa_id,  # the recorder of seeded rows; the queue shows the name either way
        )
        received = await conn.fetchval(
            """SELECT id FROM batches WHERE facility_id = $1 AND status = 'received'
               ORDER BY created_at LIMIT 1""",
            facility,
        )
        await conn.execute(
            """INSERT INTO receipts (batch_id, quantity_received, received_at, received_by)
               SELECT id, quantity, created_at + interval '1 hour', $2 FROM batches
               WHERE facility_id = $1 AND status = 'received'""",
            facility,
            qa_id,
        )
        await conn.execute("VACUUM ANALYZE")
    await pool.close()
    return email, str(received)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    dsn, cleanup = _database()
    try:
        email, received = asyncio.run(_prepare(dsn, args.batches))
        pages = {
            "incoming queue": "/app/incoming",
            "QA queue": "/app/review",
            "treatment form": f"/app/batches/{received}/treatment",
            # the same facility's batch list (50 rows), measured beside the queues
            "batch list (50 rows)": "/app/batches",
        }
        results: dict[str, dict[str, float]] = {}
        with tempfile.TemporaryDirectory() as data_dir:
            env = {
                "RADURA_DATABASE_URL": dsn,
                "RADURA_DATA_DIR": data_dir,
                "RADURA_RATE_LIMIT_PER_MINUTE": "0",
                "RADURA_LOG_FORMAT": "json",
            }
            with live_server(env) as url:
                headers = {"Accept-Encoding": "gzip"}
                with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
                    _sign_in(client, email)
                    for name, path in pages.items():
                        results[name] = _measure(client, path, args.requests)
        largest = max(r["html_kb"] for r in results.values())
        port = free_port()
        bare = start(
            [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--port",
             str(port), "tests.perf.bench_console_desk:create_bare_app"],
            {"BENCH_PAGE_BYTES": str(int(largest * 1024))},
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base, bare)
            with httpx.Client(base_url=base, headers={"Accept-Encoding": "gzip"}) as client:
                results["baseline: bare Litestar template"] = _measure(
                    client, "/bare", args.requests
                )
        finally:
            stop(bare)
    finally:
        cleanup()

    print(
        f"facility's console pages, {args.batches} batches for the facility (and as many for "
        f"another), {args.requests} sequential requests each after 20 warm-up requests"
    )
    print(f"{'page':<40}{'p50 ms':>8}{'p95 ms':>8}{'HTML kB':>9}{'wire kB':>9}  verdict")
    for name, r in results.items():
        ok = r["p95"] <= LIMIT_P95_MS and r["wire_kb"] <= LIMIT_KB
        verdict = "" if name.startswith("baseline") else ("ok" if ok else "OVER LIMIT")
        print(
            f"{name:<40}{r['p50']:>8.1f}{r['p95']:>8.1f}{r['html_kb']:>9.1f}"
            f"{r['wire_kb']:>9.1f}  {verdict}"
        )
    print(f"limits: p95 ≤ {LIMIT_P95_MS:.0f} ms, ≤ {LIMIT_KB:.0f} kB over the wire (SPEC §10)")


if __name__ == "__main__":
    main()
