"""A database that hangs (every PostgreSQL process stopped with SIGSTOP: connections stay open,
nothing answers) against a real server: the API, the console and verification answer 503 with
Retry-After within seconds, never a 500 and never after the client's patience; `/ready` says
unready at once; and when the database answers again, so does the service."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from service.core.db import create_pool
from tests.integration.console import give_password
from tests.integration.verify_fixtures import LabelledBatch, make_batch, page_path, server_keyring
from tests.integration.world import World, build_world
from tests.live_server import live_server, server_env
from tests.pg_cluster import Cluster, create_radura_database, discard, new_cluster

pytestmark = pytest.mark.slow

# generous: the service's own bound is some 3 s (its statement and pool timeouts), a loaded
# machine may add to it; a hung request without them took 15-35 s
ANSWER_WITHIN_S = 12.0
READY_WITHIN_S = 6.0
JSON = {"Accept": "application/json"}
_CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


@dataclass
class Setup:
    world: World
    batch: LabelledBatch
    email: str
    password: str


async def _prepare(url: str) -> Setup:
    from tests.integration.console import TEST_PASSWORD

    pool = await create_pool(url, max_size=1)
    try:
        async with pool.acquire() as conn:
            world = await build_world(conn)
            batch = await make_batch(conn, world, serials=4)
            email = await give_password(conn, world.producer.id)
        return Setup(world, batch, email, TEST_PASSWORD)
    finally:
        await pool.close()


async def _sign_in(client: httpx.AsyncClient, email: str, password: str) -> None:
    form = await client.get("/app/login")
    match = _CSRF_FIELD.search(form.text)
    assert match, form.text[:300]
    answer = await client.post(
        "/app/login",
        data={"email": email, "password": password, "_csrf_token": match.group(1)},
    )
    assert answer.status_code == 303, answer.text[:300]


@dataclass
class Answer:
    what: str
    status: int
    retry_after: str | None
    seconds: float
    html: bool


async def _timed(client: httpx.AsyncClient, what: str, method: str, path: str, **kw) -> Answer:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    response = await client.request(method, path, **kw)
    await response.aread()
    return Answer(
        what,
        response.status_code,
        response.headers.get("retry-after"),
        time.monotonic() - started,
        response.headers.get("content-type", "").startswith("text/html"),
    )


async def _requests_while_hung(
    base_url: str, cluster: Cluster, setup: Setup, data_dir: Path
) -> tuple[list[Answer], Answer, Answer]:
    world, batch = setup.world, setup.batch
    keyring = server_keyring(data_dir)
    api = world.producer.headers
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=60) as client,
        httpx.AsyncClient(base_url=base_url, timeout=60) as browser,
    ):
        await _sign_in(browser, setup.email, setup.password)
        # warm: the pool holds a few open connections, as a busy server's does
        warm = await asyncio.gather(
            *(client.get(f"/api/v1/batches/{batch.batch_id}", headers=api) for _ in range(4)),
            browser.get("/app/"),
        )
        assert [r.status_code for r in warm] == [200] * 5, [r.text[:200] for r in warm]
        csrf = _CSRF_FIELD.search((await browser.get("/app/login")).text)
        assert csrf
        with cluster.hung():
            answers = await asyncio.gather(
                _timed(client, "ready", "GET", "/ready"),
                _timed(client, "batch", "GET", f"/api/v1/batches/{batch.batch_id}", headers=api),
                _timed(client, "batches", "GET", "/api/v1/batches", headers=api),
                _timed(
                    client,
                    "issue serials",
                    "POST",
                    f"/api/v1/batches/{batch.batch_id}/labels",
                    headers=api,
                    json={"count": 2},
                ),
                _timed(client, "export", "GET", "/api/v1/exports/batches.csv", headers=api),
                _timed(
                    client,
                    "labels.csv",
                    "GET",
                    f"/api/v1/batches/{batch.batch_id}/labels.csv",
                    headers=api,
                ),
                _timed(client, "epcis", "GET", "/api/v1/epcis/events", headers=api),
                _timed(
                    client,
                    "scan",
                    "GET",
                    page_path(keyring, batch, batch.serials[3]),
                    headers=JSON,
                ),
                _timed(browser, "console page", "GET", "/app/batches"),
                _timed(
                    browser,
                    "console sign-in",
                    "POST",
                    "/app/login",
                    data={
                        "email": setup.email,
                        "password": "not-the-password",
                        "_csrf_token": csrf.group(1),
                    },
                ),
            )
            # a second round, once the first has used up the pool's open connections
            again = await _timed(client, "batch again", "GET", "/api/v1/batches", headers=api)
            ready = await _timed(client, "ready again", "GET", "/ready")
        return [*answers, again], ready, await _recovered(client, api)


async def _recovered(client: httpx.AsyncClient, api: dict[str, str]) -> Answer:
    deadline = time.monotonic() + 30
    while True:
        ready = await _timed(client, "ready after", "GET", "/ready")
        if ready.status == 200 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    assert ready.status == 200, "the service never became ready again"
    return await _timed(client, "batches after", "GET", "/api/v1/batches", headers=api)


def test_a_hung_database_is_a_fast_503_never_a_500(tmp_path: Path) -> None:
    cluster = new_cluster()
    try:
        url = asyncio.run(create_radura_database(cluster))
        setup = asyncio.run(_prepare(url))
        data_dir = tmp_path / "data"
        with live_server(server_env(url, data_dir)) as base_url:
            answers, ready, after = asyncio.run(
                _requests_while_hung(base_url, cluster, setup, data_dir)
            )
    finally:
        discard(cluster)
    for answer in answers:
        print(f"{answer.what}: {answer.status} in {answer.seconds:.1f} s")
    ready_at_once = next(a for a in answers if a.what == "ready")
    assert ready_at_once.status == 503 and ready_at_once.seconds < READY_WITHIN_S, ready_at_once
    answers.remove(ready_at_once)
    for answer in answers:
        # nothing breaks: a 503 that says when to come back, within seconds
        assert answer.status == 503, answer
        assert answer.retry_after is not None and int(answer.retry_after) > 0, answer
        assert answer.seconds < ANSWER_WITHIN_S, answer
    console = [a for a in answers if a.what.startswith("console")]
    assert console and all(a.html for a in console), console
    assert ready.status == 503 and ready.seconds < READY_WITHIN_S, ready
    assert after.status == 200, after
