"""Scans while long downloads run: the latency of public scans (JSON, one at a time) with the
server idle, then while 4 clients read a batch's 100 000-serial `labels.csv` as fast as they
can (two organizations, two readers each: what the download gate admits for them), against one
`radura serve` worker (granian) on a real PostgreSQL (embedded in a temporary folder, or
RADURA_DATABASE_URL's server).

The readers are `curl` processes, so the measuring client's own work is the same in both
phases. Target (issue 25): scan p95 during the downloads at most 50 ms above idle.

    python tests/perf/bench_download_load.py [--serials 100000] [--readers 4] [--idle-s 15]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import httpx

from service.batches.labelling.serials import insert_serials
from tests.integration.verify_fixtures import LabelledBatch, make_batch, server_keyring
from tests.integration.world import World, build_world
from tests.live_server import live_server
from tests.perf._hardening import (
    HEADER,
    Timings,
    any_of,
    database,
    for_seconds,
    migrated_pool,
    server_env,
    timed_loop,
)

TARGET_ABOVE_IDLE_MS = 50.0
SCANNED_SERIALS = 200


async def _seed(dsn: str, serials: int) -> tuple[World, LabelledBatch, LabelledBatch]:
    pool = await migrated_pool(dsn)
    try:
        async with pool.acquire() as conn:
            world = await build_world(conn)
            big = await make_batch(conn, world, serials=0)
            async with conn.transaction():
                await insert_serials(conn, big.batch_id, serials)
            scanned = await make_batch(conn, world, serials=SCANNED_SERIALS)
            return world, big, scanned
    finally:
        await pool.close()


def _reader(base_url: str, path: str, token: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{size_download} %{time_total}",
         "-H", f"Authorization: Bearer {token}", base_url + path],
        stdout=subprocess.PIPE,
    )  # fmt: skip


async def _measure(
    base_url: str, scans: list[str], world: World, big: LabelledBatch, readers: int, idle_s: float
) -> tuple[Timings, Timings, list[str], float]:
    json = {"Accept": "application/json"}
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        for path in scans:  # every label verified once: the idle phase is not the first scans
            await client.get(path, headers=json)
        idle = Timings()
        await timed_loop(client, scans, json, for_seconds(idle_s), idle)
        tokens = [world.producer.token, world.regulator.token] * (readers // 2 + 1)
        csv = f"/api/v1/batches/{big.batch_id}/labels.csv"
        started = time.monotonic()
        processes = [_reader(base_url, csv, tokens[n]) for n in range(readers)]
        loaded = Timings()
        await timed_loop(
            client,
            scans,
            json,
            any_of(lambda: all(p.poll() is not None for p in processes), for_seconds(600)),
            loaded,
        )
        took_s = time.monotonic() - started
        outcomes = [(p.communicate()[0] or b"").decode() for p in processes]
        return idle, loaded, outcomes, took_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serials", type=int, default=100_000)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--idle-s", type=float, default=15.0)
    args = parser.parse_args()

    dsn, cleanup = database()
    try:
        world, big, scanned = asyncio.run(_seed(dsn, args.serials))
        with tempfile.TemporaryDirectory() as data_dir:
            keyring = server_keyring(Path(data_dir))  # the server signs and verifies with it
            from tests.integration.verify_fixtures import label_path

            scans = [label_path(keyring, scanned, s, short=True) for s in scanned.serials]
            with live_server(server_env(dsn, data_dir)) as base_url:
                idle, loaded, outcomes, took_s = asyncio.run(
                    _measure(base_url, scans, world, big, args.readers, args.idle_s)
                )
    finally:
        cleanup()

    print(
        f"scans (JSON, one at a time) idle, then while {args.readers} clients read a "
        f"{args.serials}-serial labels.csv; one radura serve worker"
    )
    print(HEADER)
    print(idle.line("scans, idle"))
    print(loaded.line(f"scans, {args.readers} CSV readers"))
    for n, outcome in enumerate(outcomes):
        status, size, seconds = [*outcome.split(), "?", "?", "?"][:3]
        print(f"  reader {n + 1}: HTTP {status}, {size} bytes in {seconds} s")
    print(f"  all readers done after {took_s:.1f} s")
    above = loaded.percentile(95) - idle.percentile(95)
    verdict = "ok" if above <= TARGET_ABOVE_IDLE_MS else "OVER TARGET"
    print(
        f"p95 during the downloads: {above:+.1f} ms from idle "
        f"(target ≤ {TARGET_ABOVE_IDLE_MS:.0f} ms above): {verdict}"
    )


if __name__ == "__main__":
    main()
