"""Bulk serial issue rate: what `POST /api/v1/batches/{id}/labels` does for 100 000 serials.

Runs the endpoint's own code path (`service.batches.labelling.serials.insert_serials` in one
transaction: draw unique random serials, COPY them in, count the batch's total) on a real
PostgreSQL (embedded in a temporary folder, or RADURA_DATABASE_URL), against a baseline measured
in the same run: a bare COPY of the same number of pre-made rows into a table of the same
shape (columns, primary key, foreign key to batches).

    python tests/perf/bench_serials.py [--count 100000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import asyncpg

from labels.codes import random_code
from service.batches.labelling.serials import insert_serials
from service.core.db import create_pool
from service.core.migrate import apply_migrations
from tests.integration.verify_fixtures import make_batch
from tests.integration.world import build_world


async def _measure(dsn: str, count: int, rounds: int) -> tuple[list[float], list[float]]:
    migrator = await asyncpg.connect(dsn)
    await apply_migrations(migrator)
    await migrator.close()
    pool = await create_pool(dsn, max_size=1)  # with the service's jsonb codec
    try:
        conn = await pool.acquire()
        world = await build_world(conn)
        ours, bare = [], []
        # same columns, key and foreign key as label_serials: the floor PostgreSQL itself sets
        # (a plain table, dropped at the end: a temporary one cannot hold that foreign key)
        await conn.execute(
            "CREATE TABLE bare_serials (LIKE label_serials INCLUDING ALL,"
            " FOREIGN KEY (batch_id) REFERENCES batches (id))"
        )
        for _ in range(rounds):
            batch = await make_batch(conn, world, serials=0)
            started = time.perf_counter()
            async with conn.transaction():
                await insert_serials(conn, batch.batch_id, count)
            ours.append(count / (time.perf_counter() - started))

            rows = [(batch.batch_id, random_code()) for _ in range(count)]
            started = time.perf_counter()
            async with conn.transaction():
                await conn.copy_records_to_table(
                    "bare_serials", records=rows, columns=["batch_id", "serial"]
                )
            bare.append(count / (time.perf_counter() - started))
            await conn.execute("TRUNCATE bare_serials")
        return ours, bare
    finally:
        await conn.execute("DROP TABLE IF EXISTS bare_serials")
        await pool.release(conn)
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    dsn = os.environ.get("RADURA_DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="radura-serials-") as tmp:
        server = None
        if not dsn:
            import pgserver

            server = pgserver.get_server(Path(tmp) / "pg", cleanup_mode="delete")
            dsn = server.get_uri()
        ours, bare = asyncio.run(_measure(dsn, args.count, args.rounds))
        if server is not None:
            server.cleanup()
    where = "RADURA_DATABASE_URL" if os.environ.get("RADURA_DATABASE_URL") else "embedded"
    print(f"{args.count} serials per issue, median of {args.rounds} rounds, database: {where}")
    print(
        f"issue serials (random draw + COPY + total)  {statistics.median(ours):>10,.0f} serials/s"
    )
    print(
        f"baseline: bare COPY of pre-made rows        {statistics.median(bare):>10,.0f} serials/s"
    )
    print(f"ratio: {statistics.median(ours) / statistics.median(bare):.0%} of the bare COPY")


if __name__ == "__main__":
    main()
