"""Time to a 503 under a stopped database: every process of a PostgreSQL cluster of this run's
own stopped with SIGSTOP (connections stay open, nothing answers: a hung server, not a crashed
one), against one `radura serve` worker (granian) that was serving it. Each round asks, at once,
for an API read, an API write, a console page (signed in), an uncached scan and `/ready`, and
notes how long each took to answer and with what; then the cluster gets SIGCONT and the time
until `/ready` is 200 again is noted.

Needs PostgreSQL's server binaries (Debian's postgresql-15 or pgserver's). Target (issue 25):
503 with Retry-After within 5 s, never a 500; `/ready` within 2 s.

    python tests/perf/bench_database_hang.py [--rounds 5] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import httpx

from tests.integration.console import TEST_PASSWORD, give_password
from tests.integration.verify_fixtures import LabelledBatch, label_path, make_batch, server_keyring
from tests.integration.world import World, build_world
from tests.live_server import live_server
from tests.perf._hardening import migrated_pool, server_env
from tests.pg_cluster import Cluster, create_radura_database, discard, new_cluster

TARGET_S = 5.0
READY_TARGET_S = 2.0
_CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def _seed(dsn: str, serials: int) -> tuple[World, LabelledBatch, str]:
    pool = await migrated_pool(dsn)
    try:
        async with pool.acquire() as conn:
            world = await build_world(conn)
            batch = await make_batch(conn, world, serials=serials)
            return world, batch, await give_password(conn, world.producer.id)
    finally:
        await pool.close()


async def _timed(
    client: httpx.AsyncClient, what: str, method: str, path: str, **kwargs: object
) -> tuple[str, float, int, str | None]:
    started = time.perf_counter()
    response = await client.request(method, path, **kwargs)  # type: ignore[arg-type]
    return (
        what,
        time.perf_counter() - started,
        response.status_code,
        response.headers.get("retry-after"),
    )


async def _rounds(
    base_url: str,
    cluster: Cluster,
    world: World,
    batch: LabelledBatch,
    email: str,
    scans: list[str],
    rounds: int,
    concurrency: int,
) -> tuple[dict[str, list[tuple[float, int, str | None]]], list[float]]:
    api = world.producer.headers
    answers: dict[str, list[tuple[float, int, str | None]]] = defaultdict(list)
    back_after: list[float] = []
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=120) as client,
        httpx.AsyncClient(base_url=base_url, timeout=120) as browser,
    ):
        form = await browser.get("/app/login")
        token = _CSRF_FIELD.search(form.text)
        assert token
        signed_in = await browser.post(
            "/app/login",
            data={"email": email, "password": TEST_PASSWORD, "_csrf_token": token.group(1)},
        )
        assert signed_in.status_code == 303, signed_in.text[:200]
        json = {"Accept": "application/json"}
        issue = f"/api/v1/batches/{batch.batch_id}/labels"
        kinds = [
            lambda scan: _timed(client, "API read", "GET", "/api/v1/batches", headers=api),
            lambda scan: _timed(client, "API write", "POST", issue, headers=api, json={"count": 1}),
            lambda scan: _timed(browser, "console page", "GET", "/app/batches"),
            lambda scan: _timed(client, "scan (uncached)", "GET", scan, headers=json),
            lambda scan: _timed(client, "/ready", "GET", "/ready"),
        ]
        for round_ in range(rounds):
            # a busy server's pool holds open connections when the database stops
            await asyncio.gather(
                *(client.get("/api/v1/batches", headers=api) for _ in range(concurrency))
            )
            with cluster.hung():
                requests = [
                    kinds[n % len(kinds)](scans[(round_ * concurrency + n) % len(scans)])
                    for n in range(concurrency)
                ]
                for what, seconds, status, retry in await asyncio.gather(*requests):
                    answers[what].append((seconds, status, retry))
            resumed = time.perf_counter()
            while (await client.get("/ready")).status_code != 200:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            back_after.append(time.perf_counter() - resumed)
    return answers, back_after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    scans_needed = args.rounds * args.concurrency

    cluster = new_cluster()
    try:
        dsn = asyncio.run(create_radura_database(cluster))
        world, batch, email = asyncio.run(_seed(dsn, scans_needed))
        with tempfile.TemporaryDirectory() as data_dir:
            keyring = server_keyring(Path(data_dir))
            scans = [label_path(keyring, batch, s, short=True) for s in batch.serials]
            with live_server(server_env(dsn, data_dir)) as base_url:
                answers, back_after = asyncio.run(
                    _rounds(
                        base_url,
                        cluster,
                        world,
                        batch,
                        email,
                        scans,
                        args.rounds,
                        args.concurrency,
                    )
                )
    finally:
        discard(cluster)

    print(
        f"time to answer with every PostgreSQL process stopped (SIGSTOP), {args.rounds} rounds "
        f"of {args.concurrency} requests at once; one radura serve worker"
    )
    print(f"{'request':<20}{'n':>4}{'median s':>10}{'max s':>8}  answers")
    worst = 0.0
    fives = 0
    for what, rows in answers.items():
        seconds = [s for s, _, _ in rows]
        statuses: dict[str, int] = defaultdict(int)
        for _, status, retry in rows:
            statuses[f"{status}" + (" +Retry-After" if retry else "")] += 1
            fives += status == 500
        worst = max(worst, *seconds) if what != "/ready" else worst
        shown = ", ".join(f"{n}× {s}" for s, n in sorted(statuses.items()))
        print(
            f"{what:<20}{len(rows):>4}{statistics.median(seconds):>10.2f}{max(seconds):>8.2f}"
            f"  {shown}"
        )
    ready = max(s for s, _, _ in answers["/ready"])
    print(f"ready again {statistics.median(back_after):.2f} s (median) after SIGCONT")
    verdict = "ok" if worst <= TARGET_S and ready <= READY_TARGET_S and not fives else "OVER TARGET"
    print(
        f"slowest answer {worst:.2f} s (target ≤ {TARGET_S:.0f} s), /ready {ready:.2f} s "
        f"(target ≤ {READY_TARGET_S:.0f} s), {fives} × 500: {verdict}"
    )


if __name__ == "__main__":
    main()
