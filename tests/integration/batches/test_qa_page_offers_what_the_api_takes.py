"""A QA officer's batch page offers exactly the actions the API then takes from that officer: for
a batch in every status (and a treated one recorded by the officer, and a non-conforming one),
every action the page offers is accepted when posted to the API, on a copy of the batch in the
same state, and every action the page leaves out is refused by the API (the batch unchanged).
The page and the API are compared by their outcomes, not by reading the action table."""

from __future__ import annotations

import re
from typing import Any

import asyncpg
import httpx
import pytest
from litestar.testing import AsyncTestClient

from service.batches.actions import ACTIONS
from tests.integration.batch_steps import (
    batch_in,
    chicken,
    create_product,
    receipt_body,
    receive,
    register,
    treat,
    treatment_body,
)
from tests.integration.batches.shipments.shipment_steps import create_customer, shipment_body
from tests.integration.console import signed_in
from tests.integration.world import World

# a batch in each state a QA officer meets, and what the officer has to do with it: every
# status, and two treated ones the officer may not release (its own treatment; a dose below the
# product's minimum)
STATES = {
    "registered": {"receive"},
    "received": {"treat"},
    "treated": {"release", "reject"},
    "treated-by-this-officer": set(),
    "treated-nonconforming": {"reject"},
    "released": set(),
    "rejected": set(),
    "cancelled": set(),
    "recalled": set(),
}
# the link each action has on the batch page, or its form's target
MARKS = {
    "receive": 'href="{batch}/receipt"',
    "treat": 'href="{batch}/treatment"',
    "release": 'href="{batch}/release"',
    "reject": 'href="{batch}/reject"',
    "cancel": 'href="{batch}/cancel"',
    "recall": 'href="{batch}/recall"',
    "labels": 'action="{batch}/labels"',
    "ship": 'action="{batch}/shipments"',
}


def offered_on(page: str, batch_id: str) -> set[str]:
    """The actions the batch page offers, by the link or form each one has."""
    assert set(MARKS) == set(ACTIONS), "an action without its mark here"
    batch = f"/app/batches/{batch_id}"
    return {name for name, mark in MARKS.items() if mark.format(batch=batch) in page}


async def _batch_in(client: AsyncTestClient[Any], world: World, state: str, product: str) -> str:
    if state == "treated-by-this-officer":
        batch_id = (await register(client, world, product))["id"]
        await receive(client, world, batch_id)
        await treat(client, world, batch_id, by=world.qa)
        return batch_id
    if state == "treated-nonconforming":
        batch_id = (await register(client, world, product))["id"]
        await receive(client, world, batch_id)
        await treat(client, world, batch_id, 1.2, 2.4)  # D_min below the product's 1.5 kGy
        return batch_id
    return await batch_in(client, world, state, product)


async def _post(
    client: AsyncTestClient[Any], world: World, batch_id: str, action: str, customer: str
) -> httpx.Response:
    """The API call of `action`, as the QA officer, with a body the API would take."""
    calls: dict[str, tuple[str, dict[str, Any] | None]] = {
        "receive": ("receipt", receipt_body()),
        "treat": ("treatment", treatment_body(world)),
        "release": ("release", None),
        "reject": ("reject", {"reason": "Dosimeter AM-2 terbaca rendah"}),
        "cancel": ("cancel", None),
        "recall": ("recall", {"reason": "Kemasan bocor"}),
        "labels": ("labels", {"count": 2}),
        "ship": ("shipments", shipment_body(customer)),
    }
    path, body = calls[action]
    return await client.post(
        f"/api/v1/batches/{batch_id}/{path}", json=body, headers=world.qa.headers
    )


async def _status(client: AsyncTestClient[Any], world: World, batch_id: str) -> str:
    answer = await client.get(f"/api/v1/batches/{batch_id}", headers=world.qa.headers)
    assert answer.status_code == 200, answer.text
    status: str = answer.json()["status"]
    return status


@pytest.mark.parametrize("state", list(STATES))
async def test_the_qa_officers_page_offers_what_the_api_takes_and_nothing_else(
    client: AsyncTestClient[Any], pool: asyncpg.Pool, world: World, state: str
) -> None:
    product = (await create_product(client, world.producer, chicken()))["id"]
    customer = (await create_customer(client, world.producer))["id"]
    qa = await signed_in(client, pool, world.qa.id)
    batch_id = await _batch_in(client, world, state, product)
    page = await qa.get(f"/app/batches/{batch_id}")
    assert page.status_code == 200, page.text
    offered = offered_on(page.text, batch_id)
    assert offered == STATES[state]  # the officer's work is there, and nothing else

    # what the page leaves out, the API refuses, and the batch stays as it was
    before = await _status(client, world, batch_id)
    for action in sorted(set(ACTIONS) - offered):
        refused = await _post(client, world, batch_id, action, customer)
        assert 400 <= refused.status_code < 500, (state, action, refused.text)
    assert await _status(client, world, batch_id) == before

    # what the page offers, the API takes: each on a batch of its own in the same state, after
    # the action's own page opened for the officer (no 403 once a reason is typed)
    for action in sorted(offered):
        copy = await _batch_in(client, world, state, product)
        link = re.search(r'href="([^"]+)"', MARKS[action].format(batch=f"/app/batches/{copy}"))
        assert link is not None
        form_page = await qa.get(link[1])
        assert form_page.status_code == 200, (action, form_page.status_code)
        taken = await _post(client, world, copy, action, customer)
        assert taken.status_code in (200, 201), (state, action, taken.text)
        assert await _status(client, world, copy) == (ACTIONS[action].to_status or state)
