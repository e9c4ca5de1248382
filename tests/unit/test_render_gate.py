"""The render gate: a few renders per process, one per organization, a stop at shutdown."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from service.core.errors import Unavailable
from service.labels_api.render_gate import RenderCancelled, RenderGate
from service.labels_api.serials import MAX_SERIALS_PER_BATCH, serial_limit

ORG_A, ORG_B, ORG_C, ORG_D = (uuid.uuid4() for _ in range(4))


async def test_one_render_per_organization_and_a_short_queue_per_process() -> None:
    gate = RenderGate(running=1, waiting=2, per_organization=1)
    release = asyncio.Event()
    order: list[uuid.UUID] = []

    async def render(org: uuid.UUID) -> None:
        async with gate.slot(org):
            order.append(org)
            await release.wait()

    first = asyncio.create_task(render(ORG_A))
    await asyncio.sleep(0)
    with pytest.raises(Unavailable) as same_org:
        await render(ORG_A)
    assert same_org.value.code == "render_limit_organization"
    assert same_org.value.status_code == 503 and same_org.value.retry_after_s >= 1
    queued = [asyncio.create_task(render(org)) for org in (ORG_B, ORG_C)]
    await asyncio.sleep(0)
    with pytest.raises(Unavailable) as full:
        await render(ORG_D)
    assert full.value.code == "render_queue_full"
    assert order == [ORG_A]  # one runs, two wait
    release.set()
    await asyncio.gather(first, *queued)
    assert order == [ORG_A, ORG_B, ORG_C]
    async with gate.slot(ORG_A):  # everything was given back
        pass


async def test_a_stopping_gate_ends_renders_between_labels_and_admits_none() -> None:
    gate = RenderGate()
    labels = gate.checked(range(10))
    assert next(labels) == 0
    gate.stop()
    with pytest.raises(RenderCancelled):
        next(labels)
    with pytest.raises(Unavailable) as stopping:
        async with gate.slot(ORG_A):
            pass
    assert stopping.value.code == "server_stopping"


def test_the_serial_cap_is_the_quantity_plus_a_tenth_and_a_million_at_most() -> None:
    assert serial_limit(10, "pcs") == 11
    assert serial_limit(120, "pcs") == 132
    assert serial_limit(5, "pcs") == 6  # a tenth rounded up: one spare
    assert serial_limit(2_000_000, "pcs") == MAX_SERIALS_PER_BATCH
    assert serial_limit(12.5, "kg") == MAX_SERIALS_PER_BATCH
