"""The render gate: a few renders per process, one per organization, small sheets in a lane of
their own, a stop at shutdown."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from service.batches.labelling.serials import MAX_SERIALS_PER_BATCH, serial_limit
from service.core.errors import Unavailable
from service.labels_api.render_gate import RenderCancelled, RenderGate

ORG_A, ORG_B, ORG_C, ORG_D = (uuid.uuid4() for _ in range(4))
ROLL = 10_000  # labels: a day's thermal roll


async def test_one_render_per_organization_and_a_short_queue_per_process() -> None:
    gate = RenderGate(running=1, waiting=2, per_organization=1)
    release = asyncio.Event()
    order: list[uuid.UUID] = []

    async def render(org: uuid.UUID) -> None:
        async with gate.slot(org, ROLL):
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
    async with gate.slot(ORG_A, ROLL):  # everything was given back
        pass


async def test_a_small_sheet_never_waits_behind_big_renders() -> None:
    gate = RenderGate(running=1, waiting=2, per_organization=1, small_sheet_labels=240)
    release = asyncio.Event()
    running: list[tuple[uuid.UUID, int]] = []

    async def render(org: uuid.UUID, labels: int) -> None:
        async with gate.slot(org, labels):
            running.append((org, labels))
            await release.wait()

    # the large lane is full: one roll renders, two wait
    big = [asyncio.create_task(render(org, ROLL)) for org in (ORG_A, ORG_B, ORG_C)]
    await asyncio.sleep(0)
    with pytest.raises(Unavailable) as full:
        await render(ORG_D, ROLL)
    assert full.value.code == "render_queue_full"
    # a page of 24, from the organization whose roll renders too, starts at once
    small = asyncio.create_task(render(ORG_A, 24))
    await asyncio.sleep(0)
    assert running == [(ORG_A, ROLL), (ORG_A, 24)]
    # the small lane keeps its own limits: one per organization
    with pytest.raises(Unavailable) as same_org:
        await render(ORG_A, 240)
    assert same_org.value.code == "render_limit_organization"
    release.set()
    await asyncio.gather(*big, small)
    assert sorted(labels for _, labels in running) == [24, ROLL, ROLL, ROLL]


async def test_a_stopping_gate_ends_renders_between_labels_and_admits_none() -> None:
    gate = RenderGate()
    labels = gate.checked(range(10))
    assert next(labels) == 0
    gate.stop()
    with pytest.raises(RenderCancelled):
        next(labels)
    with pytest.raises(Unavailable) as stopping:
        async with gate.slot(ORG_A, 24):
            pass
    assert stopping.value.code == "server_stopping"


def test_the_serial_cap_is_the_quantity_plus_a_tenth_and_a_million_at_most() -> None:
    assert serial_limit(10, "pcs") == 11
    assert serial_limit(120, "pcs") == 132
    assert serial_limit(5, "pcs") == 6  # a tenth rounded up: one spare
    assert serial_limit(2_000_000, "pcs") == MAX_SERIALS_PER_BATCH
    assert serial_limit(12.5, "kg") == MAX_SERIALS_PER_BATCH
