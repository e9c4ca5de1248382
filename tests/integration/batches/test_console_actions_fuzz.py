"""Hypothesis over the batch page's action forms (cancel, recall, serial issue) and the one-time
keys of the registration and serial forms: any fields, posted with a valid CSRF token against a
batch in any status, another producer's batch or no batch at all, answer a page or a redirect,
never a 500; a batch the producer may not see is a 404 whatever the form holds."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import asyncpg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient

from schemas.batches import today_in_jakarta
from tests.integration.batch_steps import batch_in, chicken, create_product
from tests.integration.console import Browser, signed_in
from tests.integration.test_console_fuzz import form_text
from tests.integration.world import World

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None
)
OWN_STATUSES = ("registered", "received", "released", "rejected", "cancelled", "recalled")
ACTIONS = ("cancel", "recall", "labels")
# a count small enough that an accepted one issues quickly
fields = st.dictionaries(
    st.sampled_from(["reason", "count", "idempotency_key", "action", "_method"]),
    st.one_of(form_text, st.integers(-5, 60).map(str)),
    max_size=3,
)


async def _setting(client: AsyncTestClient[Any], pool: asyncpg.Pool, world: World) -> dict:  # type: ignore[type-arg]
    """A signed-in producer, a batch of theirs in each status, a neighbour's released batch;
    made once per test and kept across Hypothesis's examples."""
    if "_actions_fuzz" not in world.__dict__:
        product = (await create_product(client, world.producer, chicken()))["id"]
        other_product = (await create_product(client, world.other_producer, chicken()))["id"]
        world.__dict__["_actions_fuzz"] = {
            "browser": await signed_in(client, pool, world.producer.id),
            "product": product,
            "own": {s: await batch_in(client, world, s, product) for s in OWN_STATUSES},
            "foreign": [await batch_in_other(client, world, other_product), str(uuid4())],
        }
    setting: dict = world.__dict__["_actions_fuzz"]  # type: ignore[type-arg]
    return setting


async def batch_in_other(client: AsyncTestClient[Any], world: World, product_id: str) -> str:
    """A batch of the neighbouring producer, registered through the API."""
    body = {
        "product_id": product_id,
        "facility_id": str(world.facility),
        "lot": f"NB-{uuid4().hex[:8]}",
        "production_date": today_in_jakarta().isoformat(),
        "quantity": 5,
        "unit": "pcs",
    }
    answer = await client.post("/api/v1/batches", json=body, headers=world.other_producer.headers)
    assert answer.status_code == 201, answer.text
    batch_id: str = answer.json()["id"]
    return batch_id


async def _post(browser: Browser, path: str, data: dict[str, str]) -> int:
    token = await browser.csrf_token("/app/batches/new")
    answer = await browser.http.post(path, data={**data, "_csrf_token": token})
    assert answer.status_code < 500, (path, data, answer.text[:500])
    return answer.status_code


@given(data=st.data())
@SETTINGS
async def test_action_forms_on_any_batch_never_answer_500(client, pool, world: World, data):  # type: ignore[no-untyped-def]
    setting = await _setting(client, pool, world)
    action = data.draw(st.sampled_from(ACTIONS))
    status = data.draw(st.sampled_from(OWN_STATUSES))
    form = data.draw(fields)
    code = await _post(setting["browser"], f"/app/batches/{setting['own'][status]}/{action}", form)
    assert code in (200, 303, 400, 403, 404, 409, 422), code


@given(data=st.data())
@SETTINGS
async def test_action_forms_on_a_batch_not_ours_answer_404(client, pool, world: World, data):  # type: ignore[no-untyped-def]
    setting = await _setting(client, pool, world)
    batch_id = data.draw(st.sampled_from(setting["foreign"]))
    action = data.draw(st.sampled_from(ACTIONS))
    form = data.draw(fields)
    assert await _post(setting["browser"], f"/app/batches/{batch_id}/{action}", form) == 404


@given(key=form_text, count=st.integers(1, 3).map(str))
@SETTINGS
async def test_one_time_keys_of_any_shape_never_answer_500(client, pool, world: World, key, count):  # type: ignore[no-untyped-def]
    setting = await _setting(client, pool, world)
    browser: Browser = setting["browser"]
    released = setting["own"]["released"]
    registration = {
        "product_id": setting["product"],
        "facility_id": str(world.facility),
        "lot": f"KEY-{uuid4().hex[:8]}",
        "production_date": today_in_jakarta().isoformat(),
        "quantity": "10",
        "unit": "pcs",
        "idempotency_key": key,
    }
    assert await _post(browser, "/app/batches/new", registration) in (303, 400, 422)
    labels = {"count": count, "idempotency_key": key}
    assert await _post(browser, f"/app/batches/{released}/labels", labels) in (303, 400, 409, 422)
