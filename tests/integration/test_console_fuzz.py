"""Hypothesis over the producer's console forms: whatever a browser (or anything else) posts,
the answer is a page or a redirect, never a 500.

Each example takes a valid form and replaces some fields with any text (control characters,
huge or odd numbers, other scripts' digits, dates that do not exist) or drops them, and posts it
with a valid CSRF token against real rows."""

from __future__ import annotations

import asyncpg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient

from schemas.batches import today_in_jakarta
from tests.integration.batch_steps import batch_in, chicken, create_product
from tests.integration.batches.products.test_console_products import CHICKEN_FORM
from tests.integration.console import Browser, broken_form, post_form, signed_in
from tests.integration.world import World

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None
)
form_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "1e999",
            "-0",
            "nan",
            "inf",
            "1,5,5",
            "٣",
            "１２",
            "2026-02-30",
            "9999-12-31",
            "0001-01-01",
            "2026-01-05T10:30",
            "00000000-0000-0000-0000-000000000000",
            "x" * 5000,
            "P-IRT" + "9" * 15,
            "8991234567890",
        ]
    ),
)


def broken(form: dict[str, str]) -> st.SearchStrategy[dict[str, str]]:
    """The form with some fields replaced by any text and some dropped."""
    return broken_form(form, form_text)


async def _producer(client: AsyncTestClient, pool: asyncpg.Pool, world: World) -> Browser:
    """One signed-in browser per test, kept across Hypothesis's examples."""
    if "_console_producer" not in world.__dict__:
        world.__dict__["_console_producer"] = await signed_in(client, pool, world.producer.id)
    browser: Browser = world.__dict__["_console_producer"]
    return browser


@given(data=st.data())
@SETTINGS
async def test_product_form_and_preview_never_answer_500(client, pool, world: World, data):  # type: ignore[no-untyped-def]
    producer = await _producer(client, pool, world)
    token = await producer.csrf_token("/app/products/new")
    form = data.draw(broken(CHICKEN_FORM | {"gtin": "", "ph": "", "validated_shelf_life_days": ""}))
    assert await post_form(producer, token, "/app/products/preview", form) == 200
    assert (
        await post_form(producer, token, "/app/products/new", form | {"action": "preview"}) == 200
    )
    await post_form(producer, token, "/app/products/new", form)


@given(data=st.data())
@SETTINGS
async def test_batch_forms_never_answer_500(client, pool, world: World, data):  # type: ignore[no-untyped-def]
    producer = await _producer(client, pool, world)
    if "_fuzz_batch" not in world.__dict__:
        product = await create_product(client, world.producer, chicken())
        released = await batch_in(client, world, "released", product["id"])
        world.__dict__["_fuzz_batch"] = (product["id"], released)
    product_id, released = world.__dict__["_fuzz_batch"]
    token = await producer.csrf_token("/app/batches/new")
    registration = data.draw(
        broken(
            {
                "product_id": product_id,
                "facility_id": str(world.facility),
                "lot": "FZ-1",
                "production_date": today_in_jakarta().isoformat(),
                "quantity": "10",
                "unit": "pcs",
            }
        )
    )
    await post_form(producer, token, "/app/batches/new", registration)
    count = data.draw(form_text)
    await post_form(producer, token, f"/app/batches/{released}/labels", {"count": count[:6]})
    reason = data.draw(form_text)
    # a reason too short to be one is refused; a real recall would end the batch's run
    if len(reason.strip()) < 3:
        assert (
            await post_form(producer, token, f"/app/batches/{released}/recall", {"reason": reason})
            == 400
        )
