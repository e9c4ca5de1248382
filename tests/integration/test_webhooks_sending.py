"""What the worker does at delivery time: the address is checked again, the checked address is
the one connected to, and `scan.suspect` is sent once when a serial first looks cloned."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio

from service.webhooks.keys import SecretBox, new_secret
from service.webhooks.settings import get_webhook_settings
from service.webhooks.worker import DeliveryWorker
from tests.integration.verify_fixtures import label_path, make_batch, server_keyring
from tests.integration.webhook_steps import register_endpoint, until_received, verified
from tests.integration.world import World
from tests.webhook_receiver import running_receiver

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest_asyncio.fixture(loop_scope="session")
async def box() -> SecretBox:
    return SecretBox(os.urandom(32))


@asynccontextmanager
async def _worker(box: SecretBox, *, allow_private: bool) -> AsyncIterator[DeliveryWorker]:
    worker = DeliveryWorker(
        dataclasses.replace(get_webhook_settings(), allow_private=allow_private)
    )
    worker.open(box)  # sends on demand; claims nothing from the shared outbox
    yield worker
    await worker.stop()


def _row(url: str, box: SecretBox) -> dict[str, object]:
    _shown, raw = new_secret()
    return {
        "url": url,
        "payload": {"type": "batch.released", "data": {"batch_id": str(uuid.uuid4())}},
        "message_id": uuid.uuid4(),
        "secret_sealed": box.seal(raw),
    }


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_delivery_refuses_a_private_address_in_production(box: SecretBox, host: str):
    with running_receiver() as receiver:
        async with _worker(box, allow_private=False) as worker:
            outcome = await worker.send(_row(f"https://{host}:{receiver.port}/hooks", box))
            assert outcome.http_status is None and outcome.error is not None
            assert outcome.error.startswith("refused:") and "not a public address" in outcome.error
            http = await worker.send(_row(f"http://{host}:{receiver.port}/hooks", box))
            assert http.error is not None and http.error.startswith("refused:")
        assert receiver.received == []


async def test_delivery_connects_to_the_checked_address_with_the_names_host_header(
    box: SecretBox,
):
    with running_receiver() as receiver:
        async with _worker(box, allow_private=True) as worker:
            # `localhost` may resolve to ::1 first; the receiver listens on 127.0.0.1 only
            outcome = await worker.send(_row(f"http://localhost:{receiver.port}/hooks", box))
        assert outcome.http_status == 204, outcome
        [received] = receiver.received
        assert received.headers["host"] == f"localhost:{receiver.port}"


async def test_a_serial_first_seen_from_too_many_clients_is_announced_once(
    client, pool: asyncpg.Pool, world: World, data_dir: Path, settings
) -> None:
    keyring = server_keyring(data_dir)
    with running_receiver() as receiver:
        endpoint = await register_endpoint(client, world.producer, receiver.url, ["scan.suspect"])
        async with pool.acquire() as conn:
            batch = await make_batch(conn, world)
        path = label_path(keyring, batch, batch.serials[0])
        flush = client.app.state.verifier.scan_log.flush
        for phone in range(settings.clone_threshold + 3):
            await client.get(
                path,
                headers={
                    "Accept": "application/json",
                    "User-Agent": f"Phone {phone}",
                    "X-Client-Address": f"198.51.{phone}.7",
                },
            )
            client.blocking_portal.call(flush)  # one flush per scan: the crossing is seen once
        [received] = await until_received(receiver, str(batch.batch_id), 1)
        await asyncio.sleep(1)
        payload = verified(endpoint["secret"], received)
        assert payload["type"] == "scan.suspect"
        assert payload["data"]["serial"] == batch.serials[0]
        assert payload["data"]["distinct_clients"] == settings.clone_threshold + 1
        assert (
            len(
                [
                    r
                    for r in receiver.received
                    if json.loads(r.body)["data"]["batch_id"] == str(batch.batch_id)
                ]
            )
            == 1
        )


async def test_a_secret_sealed_under_another_key_fails_the_attempt_not_the_worker(
    box: SecretBox,
):
    with running_receiver() as receiver:
        async with _worker(box, allow_private=True) as worker:
            outcome = await worker.send(_row(receiver.url, SecretBox(os.urandom(32))))
        assert outcome.http_status is None
        assert outcome.error is not None and "RADURA_WEBHOOK_KEY" in outcome.error
        assert receiver.received == []


async def test_a_receiver_slower_than_the_timeout_fails_the_attempt(box: SecretBox):
    with running_receiver() as receiver:
        async with _worker(box, allow_private=True) as worker:
            receiver.delay_s = worker.settings.timeout_s + 1
            outcome = await worker.send(_row(receiver.url, box))
        assert outcome.http_status is None
        assert outcome.error == f"no answer within {worker.settings.timeout_s:g} s"
