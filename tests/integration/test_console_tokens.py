"""The console page of a user's own API tokens: made there, shown once, used by the API, revoked
there; someone else's token is not found; a bad name or day is refused next to its field."""

from __future__ import annotations

import re
from datetime import date, timedelta

import asyncpg
from litestar.testing import AsyncTestClient

from service.accounts.token_pages import expiry_of
from tests.integration.console import signed_in
from tests.integration.world import World

PAGE = "/app/account/tokens"
TOKEN_FIELD = re.compile(r'id="token" type="text" readonly value="([^"]+)"')


async def test_a_token_made_on_the_page_works_until_revoked_there(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    browser = await signed_in(client, pool, world.producer.id)
    made = await browser.submit(PAGE, {"name": "Kasir toko Serpong", "expires_on": ""})
    assert made.status_code == 201, made.text
    match = TOKEN_FIELD.search(made.text)
    assert match, made.text
    bearer = {"Authorization": f"Bearer {match.group(1)}"}
    mine = await client.get("/api/v1/tokens", headers=bearer)
    assert mine.status_code == 200
    line = next(t for t in mine.json() if t["name"] == "Kasir toko Serpong")
    assert line["user_id"] == str(world.producer.id)

    # the token is shown once: the list shows its name, never the token again
    listed = await browser.get(PAGE)
    assert "Kasir toko Serpong" in listed.text and match.group(1) not in listed.text

    revoked = await browser.submit(f"{PAGE}/{line['id']}/revoke", {}, form_page=PAGE)
    assert revoked.status_code == 303
    assert (await client.get("/api/v1/tokens", headers=bearer)).status_code == 401
    assert "dicabut" in (await browser.get(PAGE)).text


async def test_someone_elses_token_is_not_found_even_for_an_admin(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    theirs = await client.post(
        "/api/v1/tokens", json={"name": "Laporan harian"}, headers=world.other_producer.headers
    )
    assert theirs.status_code == 201
    for who in (world.producer, world.admin):
        browser = await signed_in(client, pool, who.id)
        answer = await browser.submit(f"{PAGE}/{theirs.json()['id']}/revoke", {}, form_page=PAGE)
        assert answer.status_code == 404
        assert "Laporan harian" not in (await browser.get(PAGE)).text
    still = {"Authorization": f"Bearer {theirs.json()['token']}"}
    assert (await client.get("/api/v1/tokens", headers=still)).status_code == 200


async def test_a_bad_name_or_day_is_named_next_to_its_field(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    browser = await signed_in(client, pool, world.qa.id)
    for form, field in (
        ({"name": "", "expires_on": ""}, "name"),
        ({"name": "Skrip QA", "expires_on": "2020-01-01"}, "expires_on"),
        ({"name": "Skrip QA", "expires_on": "31/12/2030"}, "expires_on"),
        ({"name": "Skrip\u200bQA", "expires_on": ""}, "name"),
    ):
        answer = await browser.submit(PAGE, form)
        assert answer.status_code == 400, (form, answer.status_code)
        assert f'id="{field}-error"' in answer.text, form
        assert 'readonly value="' not in answer.text  # nothing was made
    # without the form's CSRF field nothing is made either
    bare = await browser.http.post(PAGE, data={"name": "Tanpa CSRF"})
    assert bare.status_code == 403


def test_the_last_valid_day_ends_at_midnight_in_jakarta() -> None:
    today = date(2026, 12, 7)
    assert expiry_of("", today) is None
    end = expiry_of("2026-12-07", today)
    assert end is not None and end.isoformat() == "2026-12-07T17:00:00+00:00"
    assert expiry_of(str(today + timedelta(days=30)), today) is not None
