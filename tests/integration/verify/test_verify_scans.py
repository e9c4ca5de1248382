"""The scan log: every verification of a known code is recorded (fingerprint, never an IP),
flushed in the background and at shutdown; the scans API; the clone rule."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from labels.codes import random_code
from tests.integration.verify_fixtures import (
    LabelledBatch,
    from_client_address,
    label_path,
    make_batch,
    server_keyring,
    tamper,
)
from tests.integration.world import World

JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def keyring(data_dir: Path):  # type: ignore[no-untyped-def]
    return server_keyring(data_dir)


async def _batch(pool: asyncpg.Pool, world: World, **kwargs) -> LabelledBatch:  # type: ignore[no-untyped-def]
    async with pool.acquire() as conn:
        return await make_batch(conn, world, **kwargs)


async def _flush(client: AsyncTestClient) -> None:
    # the app lives on the test client's own event loop (a portal thread): run it there
    client.blocking_portal.call(client.app.state.verifier.scan_log.flush)


@asynccontextmanager
async def _fresh_app(settings, **changes) -> AsyncIterator[AsyncTestClient]:  # type: ignore[no-untyped-def]
    """Another app on the same database: a second process as far as caches go."""
    from service.app import create_app

    app = from_client_address(create_app(dataclasses.replace(settings, **changes)))
    async with AsyncTestClient(app=app) as client:
        yield client


def _phone(number: int) -> dict[str, str]:
    """A phone of its own on a network of its own (198.51.N.0/24)."""
    return {"User-Agent": f"Phone {number}", "X-Client-Address": f"198.51.{number}.7"}


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()


async def _scans(pool: asyncpg.Pool, batch: LabelledBatch) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT * FROM scans WHERE batch_id = $1 ORDER BY scanned_at", batch.batch_id
    )


async def test_every_verification_of_a_known_code_is_logged(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring
) -> None:
    batch = await _batch(pool, world)
    path = label_path(keyring, batch, batch.serials[0])
    await client.get(path, headers=JSON)
    await client.get(path)  # the page counts too
    await client.get(tamper(path), headers=JSON)  # a forged copy of this batch's label
    await client.get(label_path(keyring, batch, short=True), headers=JSON)
    unknown = tamper(label_path(keyring, batch, short=True)).replace(batch.code, random_code())
    await client.get(unknown, headers=JSON)  # names no batch: nothing to log against
    await client.get(path, headers={"Accept": "application/linkset+json"})  # not a scan
    await _flush(client)
    rows = await _scans(pool, batch)
    assert [(r["serial"], r["verdict"]) for r in rows] == [
        (batch.serials[0], "genuine"),
        (batch.serials[0], "genuine"),
        (batch.serials[0], "invalid"),
        (None, "genuine"),
    ]
    assert {len(r["fingerprint"]) for r in rows} == {16}
    assert len({r["fingerprint"] for r in rows}) == 1  # one client
    columns = await pool.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'scans'"
    )
    assert {c["column_name"] for c in columns} == {
        "scanned_at",
        "batch_id",
        "serial",
        "verdict",
        "fingerprint",
    }
    second = await client.get(path, headers=JSON)
    assert second.json()["scans"]["count"] == 3
    assert second.json()["scans"]["first_at"] is not None


async def test_fingerprint_key_is_one_shared_secret(pool: asyncpg.Pool) -> None:
    from service.verify.fingerprint import load_fingerprint_key

    async with pool.acquire() as first, pool.acquire() as second:
        keys = await asyncio.gather(load_fingerprint_key(first), load_fingerprint_key(second))
    assert keys[0] == keys[1] and len(keys[0]) == 32
    stored = await pool.fetchval(
        "SELECT value FROM server_secrets WHERE name = 'scan_fingerprint_key'"
    )
    assert stored == keys[0]


async def test_graceful_shutdown_writes_every_buffered_scan(
    settings, pool: asyncpg.Pool, world: World, keyring
) -> None:
    batch = await _batch(pool, world, serials=20)
    paths = [label_path(keyring, batch, serial) for serial in batch.serials] * 15
    async with _fresh_app(settings) as other:
        # stop the timer so everything is still in memory when the app stops
        scan_log = other.app.state.verifier.scan_log
        assert scan_log._task is not None
        other.blocking_portal.call(_cancel, scan_log._task)
        responses = await asyncio.gather(*(other.get(p, headers=JSON) for p in paths))
        assert {r.status_code for r in responses} == {200}
        assert len(scan_log) == len(paths)
    # the app has stopped: its lifespan flushed before closing the pool
    assert len(await _scans(pool, batch)) == len(paths) == 300
    tallies = await pool.fetch(
        "SELECT serial, scan_count FROM label_scan_tallies WHERE batch_id = $1", batch.batch_id
    )
    assert sorted(t["scan_count"] for t in tallies) == [15] * 20


async def test_scans_are_flushed_within_a_second(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring
) -> None:
    batch = await _batch(pool, world)
    await client.get(label_path(keyring, batch, batch.serials[0]), headers=JSON)
    for _ in range(20):
        if await _scans(pool, batch):
            break
        await asyncio.sleep(0.05)
    assert len(await _scans(pool, batch)) == 1


async def test_clone_rule_flags_a_serial_seen_from_too_many_clients(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring, settings
) -> None:
    assert settings.clone_threshold == 5
    batch = await _batch(pool, world)
    path = label_path(keyring, batch, batch.serials[0])
    verdicts = []
    for phone in range(7):
        response = await client.get(path, headers={**JSON, **_phone(phone)})
        verdicts.append(response.json()["verdict"])
    assert verdicts == ["genuine"] * 5 + ["suspect"] * 2
    page = await client.get(path, headers=_phone(0))
    assert "<span>Mencurigakan</span>" in page.text
    # one phone scanning its own pack again and again is not a clone
    other = label_path(keyring, batch, batch.serials[1])
    for _ in range(10):
        response = await client.get(other, headers={**JSON, "User-Agent": "Same phone"})
    assert response.json()["verdict"] == "genuine"
    # link previews of a shared label count as no client, however many apps fetch it
    for bot in (
        "WhatsApp/2.23",
        "facebookexternalhit/1.1",
        "TelegramBot",
        "Slackbot",
        "Twitterbot",
    ):
        response = await client.get(other, headers={**JSON, "User-Agent": bot})
    assert response.json()["verdict"] == "genuine"
    # a batch-level label is on every pack: many clients are expected
    batch_label = label_path(keyring, batch)
    for phone in range(8):
        response = await client.get(batch_label, headers={**JSON, **_phone(phone)})
    assert response.json()["verdict"] == "genuine"


async def test_clone_rule_is_read_from_the_database_by_another_process(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring, settings
) -> None:
    batch = await _batch(pool, world)
    path = label_path(keyring, batch, batch.serials[0])
    for phone in range(6):
        await client.get(path, headers={**JSON, **_phone(phone)})
    await _flush(client)
    distinct = await pool.fetchval(
        "SELECT count(*) FROM label_fingerprints WHERE batch_id = $1 AND serial = $2",
        batch.batch_id,
        batch.serials[0],
    )
    assert distinct == 6
    async with _fresh_app(settings) as other:
        response = await other.get(path, headers={**JSON, **_phone(0)})
        assert response.json()["verdict"] == "suspect"
        assert response.json()["scans"]["count"] == 7


@pytest.mark.parametrize(("status", "verdict"), [("recalled", "recalled"), ("expired", "expired")])
async def test_recall_and_expiry_outrank_a_clone(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring, status: str, verdict: str
) -> None:
    batch = await _batch(pool, world, status=status, recall_reason="Uji presedensi")
    path = label_path(keyring, batch, batch.serials[0])
    for phone in range(8):
        response = await client.get(path, headers={**JSON, **_phone(phone)})
    assert response.json()["verdict"] == verdict


async def test_scans_api_counts_per_day_and_verdict(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring
) -> None:
    batch = await _batch(pool, world)
    path = label_path(keyring, batch, batch.serials[0])
    for phone in range(7):
        await client.get(path, headers={**JSON, **_phone(phone)})
    await client.get(tamper(path), headers=JSON)
    await _flush(client)
    url = f"/api/v1/batches/{batch.batch_id}/scans"
    for actor in (world.producer, world.regulator, world.admin):
        response = await client.get(url, headers=actor.headers)
        assert response.status_code == 200, (actor.role, response.text)
        body = response.json()
        assert body["total"] == 8
        assert body["by_verdict"] == {
            "genuine": 5,
            "expired": 0,
            "recalled": 0,
            "suspect": 2,
            "invalid": 1,
        }
        assert body["distinct_serials"] == 1
        assert body["suspect_serials"] == 1
        (day,) = body["days"]
        assert (day["total"], day["genuine"], day["suspect"], day["invalid"]) == (8, 5, 2, 1)
        assert day["distinct_clients"] == 8  # seven phones and the tampering client
    assert (await client.get(url, headers=world.other_producer.headers)).status_code == 404
    assert (await client.get(url, headers=world.operator.headers)).status_code == 403
    assert (await client.get(url, headers=world.qa.headers)).status_code == 403
    assert (await client.get(url)).status_code == 401
    unknown = "/api/v1/batches/00000000-0000-4000-8000-000000000000/scans"
    assert (await client.get(unknown, headers=world.regulator.headers)).status_code == 404
    tomorrow_on = await client.get(url + "?from=2999-01-01", headers=world.producer.headers)
    assert tomorrow_on.json()["total"] == 0


async def test_one_network_never_makes_a_label_suspect_by_itself(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring
) -> None:
    batch = await _batch(pool, world)
    path = label_path(keyring, batch, batch.serials[0])
    # one phone claiming six browsers, and its neighbours on the same /24 and the same /48
    for agent in range(6):
        headers = {**JSON, "User-Agent": f"Agent {agent}", "X-Client-Address": "203.0.113.7"}
        response = await client.get(path, headers=headers)
        assert response.json()["verdict"] == "genuine"
    for host in ("203.0.113.8", "203.0.113.250"):
        response = await client.get(path, headers={**JSON, "X-Client-Address": host})
        assert response.json()["verdict"] == "genuine"
    six_v6 = [f"2001:db8:77:{n:x}::1" for n in range(6)]  # six /64s of one /48
    for host in six_v6:
        response = await client.get(path, headers={**JSON, "X-Client-Address": host})
        assert response.json()["verdict"] == "genuine"
    # the one IPv4 network and the one IPv6 network are two clients; four more make six
    for host in ("192.0.2.1", "198.18.0.1", "2001:db8:78::1", "2001:db8:79::1"):
        response = await client.get(path, headers={**JSON, "X-Client-Address": host})
    assert response.json()["verdict"] == "suspect"
    await _flush(client)
    distinct = await pool.fetchval(
        "SELECT count(*) FROM label_fingerprints WHERE batch_id = $1 AND serial = $2",
        batch.batch_id,
        batch.serials[0],
    )
    assert distinct == 6


async def test_a_link_preview_is_recorded_and_never_counts_as_a_client(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring
) -> None:
    batch = await _batch(pool, world)
    path = label_path(keyring, batch, batch.serials[0])
    for phone in range(5):
        response = await client.get(path, headers={**JSON, **_phone(phone)})
        assert response.json()["verdict"] == "genuine"
    # one of them shares the link: WhatsApp fetches it from a sixth network to preview it
    whatsapp = {"User-Agent": "WhatsApp/2.23.20.0 A", "X-Client-Address": "157.240.1.1"}
    response = await client.get(path, headers={**JSON, **whatsapp})
    assert response.json()["verdict"] == "genuine"
    assert response.json()["scans"]["count"] == 6  # a scan all the same
    await _flush(client)
    clients = await pool.fetchval(
        "SELECT count(*) FROM label_fingerprints WHERE batch_id = $1 AND serial = $2",
        batch.batch_id,
        batch.serials[0],
    )
    assert clients == 5
    assert len(await _scans(pool, batch)) == 6  # the preview is in the scan log
    # a sixth real network is one client too many
    response = await client.get(path, headers={**JSON, **_phone(5)})
    assert response.json()["verdict"] == "suspect"


async def test_a_client_last_seen_31_days_ago_no_longer_counts(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring
) -> None:
    batch = await _batch(pool, world)
    serial = batch.serials[0]
    # four clients yesterday and one 31 days ago, written as the scan log would have
    await pool.executemany(
        """INSERT INTO label_fingerprints (batch_id, serial, fingerprint, first_seen, last_seen)
           VALUES ($1, $2, $3, now() - $4::interval, now() - $4::interval)""",
        [(batch.batch_id, serial, bytes([n]) * 16, timedelta(days=1)) for n in range(4)]
        + [(batch.batch_id, serial, b"\xee" * 16, timedelta(days=31))],
    )
    path = label_path(keyring, batch, serial)
    # four recent clients and this one are five: within the threshold (the old one made six)
    response = await client.get(path, headers={**JSON, **_phone(0)})
    assert response.json()["verdict"] == "genuine"
    response = await client.get(path, headers={**JSON, **_phone(1)})
    assert response.json()["verdict"] == "suspect"
