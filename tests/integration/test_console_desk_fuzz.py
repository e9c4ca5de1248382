"""Hypothesis over the administrator's and the regulator's console forms: whatever is posted,
the answer is a page or a redirect, never a 500.

Each example takes a valid form and replaces some fields with any text (control characters,
huge or odd numbers, other scripts' digits, dates that do not exist) or drops them, and posts it
with a valid CSRF token against real rows."""

from __future__ import annotations

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient

from tests.integration.console import Browser, broken_form, post_form, signed_in
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None
)
form_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "", " ", "\x00", "\u202e", "1e999", "-0", "nan", "inf", "1,5,5", "٣", "１２",
            "2026-02-30", "9999-12-31", "0001-01-01", "00000000-0000-0000-0000-000000000000",
            "x" * 5000, "on", "true", "admin", "facility", "electron-beam", "8991234567890",
            "BAPETEN/IU/1/2024", "a@b.c",
        ]
    ),
)  # fmt: skip


def broken(form: dict[str, str]) -> st.SearchStrategy[dict[str, str]]:
    """The form with some fields replaced by any text and some dropped."""
    return broken_form(form, form_text)


async def _browser(client: AsyncTestClient, pool: asyncpg.Pool, world: World, role: str) -> Browser:
    """One signed-in browser per test and role, kept across Hypothesis's examples."""
    key = f"_desk_{role}"
    if key not in world.__dict__:
        actor = world.admin if role == "admin" else world.regulator
        world.__dict__[key] = await signed_in(client, pool, actor.id)
    browser: Browser = world.__dict__[key]
    return browser


@given(data=st.data())
@SETTINGS
async def test_admin_account_forms_never_answer_500(client, pool, world: World, data):  # type: ignore[no-untyped-def]
    admin = await _browser(client, pool, world, "admin")
    token = await admin.csrf_token("/app/admin/users/new")
    user = data.draw(
        broken({"name": "Rina", "role": "producer", "organization_id": str(world.producer_org),
                "email": "rina@example.id"})
    )  # fmt: skip
    await post_form(admin, token, "/app/admin/users/new", user)
    organization = data.draw(
        broken({"kind": "facility", "name": "Iradiator", "address": "Jl. A", "city": "Bogor",
                "province": "Jawa Barat", "country": "Indonesia", "phone": "+62 21 123456",
                "nib": "1234567890123", "licence_no": "BAPETEN/IU/9/2025",
                "licence_valid_until": "2027-06-30"})
    )  # fmt: skip
    await post_form(admin, token, "/app/admin/organizations/new", organization)
    irradiator = data.draw(
        broken({"facility_id": str(world.facility), "name": "Linac", "source_type": "x-ray",
                "activity_kci": "", "max_energy_mev": "5"})
    )  # fmt: skip
    await post_form(admin, token, "/app/admin/irradiators/new", irradiator)


@pytest.fixture
async def mango_rows(pool: asyncpg.Pool):  # type: ignore[no-untyped-def]
    """The table is shared by every test: its rows are put back as they were afterwards."""
    before = await pool.fetch("SELECT * FROM food_category_purposes WHERE category = 'mango'")
    yield
    for r in before:
        await pool.execute(
            """UPDATE food_category_purposes SET max_dose_kgy = $3, source = $4,
               confirmed = $5 WHERE category = $1 AND purpose = $2""",
            r["category"], r["purpose"], r["max_dose_kgy"], r["source"], r["confirmed"],
        )  # fmt: skip


@given(data=st.data())
@SETTINGS
async def test_food_category_form_never_answers_500(client, pool, world, mango_rows, data):  # type: ignore[no-untyped-def]
    admin = await _browser(client, pool, world, "admin")
    token = await admin.csrf_token("/app/admin/food-categories")
    row = data.draw(broken({"max_dose_kgy": "1", "source": "BPOM", "confirmed": "true"}))
    purpose = data.draw(st.sampled_from(["extend_shelf_life", "delay_ripening", "x" * 300]))
    await post_form(admin, token, f"/app/admin/food-categories/mango/{purpose}", row)


@given(q=form_text, status=form_text, cursor=form_text)
@SETTINGS
async def test_regulator_search_and_pages_never_answer_500(client, pool, world, q, status, cursor):  # type: ignore[no-untyped-def]
    regulator = await _browser(client, pool, world, "regulator")
    for path, params in (
        ("/app/batches", {"q": q, "status": status}),
        ("/app/batches", {"q": q, "cursor": cursor}),
        ("/app/admin/log", {"cursor": cursor}),
        ("/app/overview", {}),
    ):
        answer = await regulator.get(path, params=params)
        assert answer.status_code < 500, (path, params, answer.text[:300])
