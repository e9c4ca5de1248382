"""The product form's purpose list follows the category: only the purposes BPOM 3/2018 Annex I
allows for it, read from the same `food_category_purposes` rows the API validates with; with
htmx the list comes back alone as the category changes; without JavaScript a wrong pair is
still refused on the purpose field, the choice kept."""

from __future__ import annotations

import re
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.integration.batches.products.test_console_products import CHICKEN_FORM, field_error
from tests.integration.console import Browser, signed_in
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")


def purpose_options(page: str) -> list[str]:
    select = re.search(r'<select id="purpose" name="purpose".*?</select>', page, re.S)
    assert select, "no purpose list"
    return [v for v in re.findall(r'<option value="([^"]*)"', select.group(0)) if v]


async def allowed(pool: asyncpg.Pool, category: str) -> set[str]:
    rows = await pool.fetch(
        "SELECT purpose FROM food_category_purposes WHERE category = $1", category
    )
    return {r["purpose"] for r in rows}


@pytest.fixture
async def producer(client: AsyncTestClient, pool: asyncpg.Pool, world: World) -> Any:
    return await signed_in(client, pool, world.producer.id)


async def test_the_htmx_fragment_lists_only_the_categorys_purposes(
    producer: Browser, pool: asyncpg.Pool
) -> None:
    everything = purpose_options((await producer.get("/app/products/new")).text)
    for category in ("meat_poultry", "fish_seafood", "spices_herbs"):
        answer = await producer.get(
            "/app/products/purposes",
            params={"category": category, "purpose": "sprout_inhibition"},
            headers={"HX-Request": "true"},
        )
        assert answer.status_code == 200
        fragment = answer.text
        assert fragment.lstrip().startswith('<div id="purpose-field"') and "<html" not in fragment
        listed = purpose_options(fragment)
        assert set(listed) == await allowed(pool, category)
        assert len(listed) < len(everything)
        # a purpose the new category does not allow is not kept on a category change
        assert 'value="sprout_inhibition"' not in fragment
        assert "Hanya tujuan yang diizinkan BPOM" in fragment
    # no category (or one that does not exist): every purpose, and the hint to choose first
    for params in ({}, {"category": "no_such_category"}):
        fragment = (await producer.get("/app/products/purposes", params=params)).text
        assert purpose_options(fragment) == everything
        assert "Pilih kategori pangan dulu" in fragment


async def test_the_form_after_a_submit_lists_the_categorys_purposes_and_keeps_a_refused_one(
    producer: Browser, pool: asyncpg.Pool
) -> None:
    preview = await producer.submit("/app/products/new", CHICKEN_FORM | {"action": "preview"})
    assert set(purpose_options(preview.text)) == await allowed(pool, "meat_poultry")
    # without JavaScript the list cannot follow a new category: the save refuses the pair
    wrong = CHICKEN_FORM | {"category": "fish_seafood", "purpose": "sprout_inhibition"}
    assert "sprout_inhibition" not in await allowed(pool, "fish_seafood")
    answer = await producer.submit("/app/products/new", wrong)
    assert answer.status_code == 422
    assert "BPOM 3/2018" in field_error(answer.text, "purpose")
    listed = purpose_options(answer.text)
    assert "sprout_inhibition" in listed  # the choice stays beside its error
    assert set(listed) - {"sprout_inhibition"} == await allowed(pool, "fish_seafood")
    assert re.search(r'<option value="sprout_inhibition" selected', answer.text)


async def test_the_purpose_list_is_for_producers_only(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    operator = await signed_in(client, pool, world.operator.id)
    answer = await operator.get("/app/products/purposes", params={"category": "meat_poultry"})
    assert answer.status_code == 403
