"""GET /metrics: Prometheus text that moves with the traffic, readable only from the allow-list."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.verify_fixtures import (
    from_address,
    from_client_address,
    label_path,
    make_batch,
    raw_get,
    server_keyring,
    tamper,
)
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")

JSON = {"Accept": "application/json"}
# the route template a scan is counted under, whatever code it names
SHORT_LABEL_ROUTE = "/v/{label_path}"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def _scrape(client: AsyncTestClient, address: str = "127.0.0.1") -> Samples:
    response = await client.get("/metrics", headers=from_address(address))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def _value(samples: Samples, name: str, **labels: str) -> float:
    """A sample's value, or the sum over the series that carry `labels` (0 when none does)."""
    wanted = set(labels.items())
    return sum(
        value for (sample, have), value in samples.items() if sample == name and wanted <= have
    )


async def test_metrics_move_with_verifications(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, data_dir: Path
) -> None:
    keyring = server_keyring(data_dir)
    async with pool.acquire() as conn:
        batch = await make_batch(conn, world, serials=2)
        recalled = await make_batch(conn, world, status="recalled", recall_reason="Uji")
    before = await _scrape(client)

    genuine = label_path(keyring, batch, batch.serials[0], short=True)
    for _ in range(3):
        assert (await client.get(genuine, headers=JSON)).status_code == 200
    assert (await client.get(tamper(genuine), headers=JSON)).status_code == 404
    recall_path = label_path(keyring, recalled, recalled.serials[0], short=True)
    assert (await client.get(recall_path, headers=JSON)).json()["verdict"] == "recalled"
    client.blocking_portal.call(client.app.state.verifier.scan_log.flush)
    after = await _scrape(client)

    def moved(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert moved("radura_verifications_total", verdict="genuine") == 3
    assert moved("radura_verifications_total", verdict="invalid") == 1
    assert moved("radura_verifications_total", verdict="recalled") == 1
    # one series per route, not per scanned code: 5 scans, one label set
    assert moved("radura_http_requests_total", path=SHORT_LABEL_ROUTE, status_code="200") == 4
    assert moved("radura_http_requests_total", path=SHORT_LABEL_ROUTE, status_code="404") == 1
    assert moved("radura_http_request_duration_seconds_count", path=SHORT_LABEL_ROUTE) == 5
    paths = {dict(labels).get("path") for name, labels in after if name.startswith("radura_http")}
    assert not any(batch.code in (path or "") for path in paths)
    # scrapes are not counted
    assert _value(after, "radura_http_requests_total", path="/metrics") == 0
    assert moved("radura_scan_flush_seconds_count") >= 1
    assert ("radura_scan_buffer_rows", frozenset()) in after
    for name in ("main", "verify"):
        assert _value(after, "radura_db_pool_connections", pool=name, state="max") >= 1
        assert _value(after, "radura_db_pool_connections", pool=name, state="size") >= 1
    # read from the webhook outbox at scrape time (no endpoint here: nothing waits)
    assert ("radura_webhook_outbox_depth", frozenset()) in after


async def test_pool_use_counts_a_lent_connection(client: AsyncTestClient) -> None:
    async def in_use_settles_at(expected: int) -> float:
        """The gauge, scraped until it reads `expected` or two seconds pass: the app's own
        workers (outbox, mail, scan writer) borrow a connection for a moment now and then."""
        deadline = time.monotonic() + 2.0
        while True:
            samples = await _scrape(client)
            value = _value(samples, "radura_db_pool_connections", pool="main", state="in_use")
            if value == expected or time.monotonic() > deadline:
                return value
            await asyncio.sleep(0.05)

    # a connection of the app's main pool, taken on the app's own event loop
    app_pool = client.app.state.pool
    conn = client.blocking_portal.call(app_pool.acquire)
    try:
        held = await in_use_settles_at(1)
    finally:
        client.blocking_portal.call(app_pool.release, conn)
    # were the scrape itself to take a connection of the main pool, this could never read 0
    released = await in_use_settles_at(0)
    assert (held, released) == (1, 0)


async def test_metrics_answer_only_the_allowed_addresses(client: AsyncTestClient) -> None:
    for address in ("127.0.0.1", "127.3.2.1", "::1", "::ffff:127.0.0.1"):
        assert (await client.get("/metrics", headers=from_address(address))).status_code == 200
    for address in ("203.0.113.9", "10.0.0.1", "2001:db8::1", "not-an-address"):
        response = await client.get("/metrics", headers=from_address(address))
        # the same answer as a path that does not exist: nothing tells a stranger it is here
        assert response.status_code == 404, address
        assert "radura_" not in response.text
    # without X-Client-Address the test client's own address is not an IP at all
    assert (await client.get("/metrics")).status_code == 404


async def test_the_scan_routes_count_themselves_with_every_status(
    settings, pool: asyncpg.Pool, world: World, data_dir: Path
) -> None:
    """The label routes and the resolver's GET pass no metrics middleware; what they answer,
    what they refuse (400) and what the rate limit refuses before them (429) is still counted
    under their route, timed."""
    import dataclasses

    from service.app import create_app

    keyring = server_keyring(data_dir)
    async with pool.acquire() as conn:
        batch = await make_batch(conn, world)
    gs1 = label_path(keyring, batch, batch.serials[0])  # /01/…, the printed form
    page = "/label" + gs1
    # three requests a minute for the test client (the raw request below comes from elsewhere)
    limited = dataclasses.replace(settings, rate_limit_per_minute=3)
    async with AsyncTestClient(app=from_client_address(create_app(limited))) as client:
        before = await _scrape(client)
        hop = await client.get(gs1, headers=JSON, follow_redirects=False)
        assert hop.status_code == 307
        assert (await client.get(page, headers=JSON)).status_code == 200
        # a language tag with a raw byte: refused by the handler with a 400 (a ValidationException)
        path_part, _, query = page.partition("?")
        status, _ = await raw_get(client, path_part, query.encode() + "&lang=é".encode())
        assert status == 400
        assert (await client.get(page, headers=JSON)).status_code == 200
        assert (await client.get(page, headers=JSON)).status_code == 429
        after = await _scrape(client)

    def moved(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    route = "/label/01/{label_path}"
    assert moved("radura_http_requests_total", path="/01/{label_path}", status_code="307") == 1
    assert moved("radura_http_requests_total", path=route, status_code="200") == 2
    assert moved("radura_http_requests_total", path=route, status_code="400") == 1
    assert moved("radura_http_requests_total", path=route, status_code="429") == 1
    assert moved("radura_http_request_duration_seconds_count", path=route, method="GET") == 4
    assert moved("radura_http_request_duration_seconds_sum", path=route) > 0
