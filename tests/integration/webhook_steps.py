"""Steps shared by the webhook tests: register an endpoint, wait for what a receiver gets."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from standardwebhooks.webhooks import Webhook

from tests.integration.world import Actor
from tests.webhook_receiver import Received, Receiver

EVENTS = ["batch.released", "batch.recalled", "batch.rejected", "scan.suspect"]


async def register_endpoint(  # type: ignore[no-untyped-def]
    client, actor: Actor, url: str, events: list[str] | None = None
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/webhooks", json={"url": url, "events": events or EVENTS}, headers=actor.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def of_batch(receiver: Receiver, batch_id: str, event_type: str | None = None) -> list[Received]:
    return [
        r
        for r in list(receiver.received)
        if json.loads(r.body)["data"]["batch_id"] == batch_id
        and (event_type is None or json.loads(r.body)["type"] == event_type)
    ]


async def until_received(
    receiver: Receiver, batch_id: str, count: int, within_s: float = 15
) -> list[Received]:
    started = time.monotonic()
    while time.monotonic() - started < within_s:
        got = of_batch(receiver, batch_id)
        if len(got) >= count:
            return got
        await asyncio.sleep(0.05)
    raise AssertionError(f"{len(of_batch(receiver, batch_id))} of {count} webhooks arrived")


def verified(secret: str, received: Received) -> dict[str, Any]:
    """The payload, checked with the Standard Webhooks reference library (raises if forged)."""
    payload: dict[str, Any] = Webhook(secret).verify(received.body, received.headers)
    return payload
