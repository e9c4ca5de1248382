"""The release check page: the date a release will fix, the warning for a date already past with
its confirmation, the refusals in place of the form, who may open it, and the API's warnings."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

from schemas.batches import today_in_jakarta
from tests.integration.batch_steps import chicken, create_product, receive, register, treat
from tests.integration.batches.products.test_console_products import english
from tests.integration.console import Browser, signed_in
from tests.integration.world import World, _actor

PAST_WARNING = "This best-before date is already past."
CONFIRM_MESSAGE = "Tick this box to release the batch with a best-before date already past."


async def _browser(client: AsyncTestClient, pool: asyncpg.Pool, user_id: Any) -> Browser:
    browser = await signed_in(client, pool, user_id)
    await english(browser)
    return browser


async def _treated(
    client: AsyncTestClient, world: World, produced_days_ago: int = 2, **kw: Any
) -> str:
    """A chicken batch (5 days at 8 °C unirradiated) treated by the operator."""
    product = await create_product(client, world.producer, chicken())
    produced = (today_in_jakarta() - timedelta(days=produced_days_ago)).isoformat()
    batch_id: str = (await register(client, world, product["id"], production_date=produced))["id"]
    await receive(client, world, batch_id)
    await treat(client, world, batch_id, *kw.get("doses", (2.1, 2.6)), by=kw.get("by"))
    return batch_id


def _shown_date(page: str) -> str:
    match = re.search(r'id="release-best-before" data-date="([0-9-]+)"', page)
    assert match, "no best-before date on the page"
    return match.group(1)


async def _batch(client: AsyncTestClient, world: World, batch_id: str) -> dict[str, Any]:
    answer = await client.get(f"/api/v1/batches/{batch_id}", headers=world.producer.headers)
    body: dict[str, Any] = answer.json()
    return body


async def test_the_page_shows_the_date_the_release_then_stores(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    batch_id = await _treated(client, world)
    qa = await _browser(client, pool, world.qa.id)
    batch_page = await qa.get(f"/app/batches/{batch_id}")
    assert f'href="/app/batches/{batch_id}/release"' in batch_page.text
    assert f'action="/app/batches/{batch_id}/release"' not in batch_page.text  # no direct post
    check = await qa.get(f"/app/batches/{batch_id}/release")
    assert check.status_code == 200
    shown = _shown_date(check.text)
    assert PAST_WARNING not in check.text and 'name="confirm"' not in check.text
    assert "D_min" in check.text and "Conforming" in check.text and "radura-sl/3" in check.text
    assert (await _batch(client, world, batch_id))["status"] == "treated"  # nothing stored
    released = await qa.submit(f"/app/batches/{batch_id}/release", {})
    assert released.status_code == 303
    batch = await _batch(client, world, batch_id)
    assert batch["status"] == "released"
    assert batch["shelf_life"]["best_before"] == shown == batch["best_before"]
    assert date.fromisoformat(shown) >= today_in_jakarta()


async def test_a_past_date_needs_the_confirmation(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    # produced 60 days ago: chicken at about 2 kGy keeps far fewer days than that
    batch_id = await _treated(client, world, produced_days_ago=60)
    qa = await _browser(client, pool, world.qa.id)
    check = await qa.get(f"/app/batches/{batch_id}/release")
    assert check.status_code == 200
    shown = _shown_date(check.text)
    assert date.fromisoformat(shown) < today_in_jakarta()
    assert PAST_WARNING in check.text and 'name="confirm" value="1"' in check.text
    refused = await qa.submit(f"/app/batches/{batch_id}/release", {})
    assert refused.status_code == 422
    assert CONFIRM_MESSAGE in html.unescape(refused.text)
    assert 'id="confirm-error"' in refused.text
    assert (await _batch(client, world, batch_id))["status"] == "treated"
    wrong = await qa.submit(f"/app/batches/{batch_id}/release", {"confirm": "yes"})
    assert wrong.status_code == 422
    released = await qa.submit(f"/app/batches/{batch_id}/release", {"confirm": "1"})
    assert released.status_code == 303
    batch = await _batch(client, world, batch_id)
    assert batch["status"] == "released" and batch["shelf_life"]["best_before"] == shown


async def test_the_check_page_in_indonesian(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    batch_id = await _treated(client, world, produced_days_ago=60)
    qa = await signed_in(client, pool, world.qa.id)
    answer = await qa.submit("/app/language", {"lang": "id", "next": "/app/"}, form_page="/app/")
    assert answer.status_code == 303
    check = await qa.get(f"/app/batches/{batch_id}/release")
    text = html.unescape(check.text)
    assert "kedaluwarsa" in text and "Luluskan bets" in text


async def test_the_api_release_lists_its_warnings(client: AsyncTestClient, world: World) -> None:
    past = await _treated(client, world, produced_days_ago=60)
    answer = await client.post(f"/api/v1/batches/{past}/release", headers=world.qa.headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "released"
    assert [w["code"] for w in body["warnings"]] == ["best_before_passed"]
    assert body["shelf_life"]["best_before"] in body["warnings"][0]["message"]
    fresh = await _treated(client, world)
    answer = await client.post(f"/api/v1/batches/{fresh}/release", headers=world.qa.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["warnings"] == []


async def test_who_may_open_the_check_page(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    batch_id = await _treated(client, world, by=world.qa)
    recorder = await _browser(client, pool, world.qa.id)
    four_eyes = await recorder.get(f"/app/batches/{batch_id}/release")
    assert four_eyes.status_code == 403
    assert "must not be the one who recorded its treatment" in four_eyes.text
    async with pool.acquire() as conn:
        stranger = await _actor(conn, "qa", f"QA Lain {world.tag}", world.other_facility)
    other = await _browser(client, pool, stranger.id)
    assert (await other.get(f"/app/batches/{batch_id}/release")).status_code == 404
    operator = await _browser(client, pool, world.operator.id)
    assert (await operator.get(f"/app/batches/{batch_id}/release")).status_code == 403
    second = await _browser(client, pool, world.second_qa.id)
    assert (await second.get(f"/app/batches/{batch_id}/release")).status_code == 200


async def test_a_nonconforming_treatment_shows_the_refusal_and_no_form(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    batch_id = await _treated(client, world, doses=(1.2, 2.4))
    qa = await _browser(client, pool, world.qa.id)
    check = await qa.get(f"/app/batches/{batch_id}/release")
    assert check.status_code == 200
    text = html.unescape(check.text)
    assert "This batch cannot be released." in text
    assert "A batch whose treatment does not conform cannot be released; reject it." in text
    assert "D_min is below the product's validated minimum dose" in text
    assert f'action="/app/batches/{batch_id}/release"' not in check.text
    assert 'id="release-best-before"' not in check.text
    refused = await qa.submit(
        f"/app/batches/{batch_id}/release", {"confirm": "1"}, form_page=f"/app/batches/{batch_id}"
    )
    assert refused.status_code == 422
    assert (await _batch(client, world, batch_id))["status"] == "treated"
