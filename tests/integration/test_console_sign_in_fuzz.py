"""Hypothesis over the shell's own forms (sign-in, invite, language): no input yields a 5xx."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.console import Browser
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None
)

field_values = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        ["", " ", "\x00", "a\x00b", "é" * 300, "x" * 5000, "%00", "../../etc", "@", "a@b.c"]
    ),
    st.lists(st.text(max_size=10), min_size=2, max_size=3),  # a repeated field
)
form = st.dictionaries(
    st.sampled_from(["email", "password", "password_confirm", "lang", "next", "other"]),
    field_values,
    max_size=5,
)


@SETTINGS
@given(path=st.sampled_from(["/app/login", "/app/invite/{token}", "/app/language"]), data=form)
async def test_no_form_post_answers_a_server_error(client, world: World, path, data):
    browser = Browser(client, address="10.99.0.1")
    url = path.format(token="nope")
    answer = await browser.submit(url, data, form_page="/app/login")
    assert answer.status_code < 500, (url, data, answer.text[:500])
    assert answer.headers["content-type"].startswith("text/html") or answer.status_code == 303


@SETTINGS
@given(query=st.text(max_size=80), token=st.text(min_size=1, max_size=80))
async def test_no_console_address_answers_a_server_error(client, query, token):
    browser = Browser(client)
    for answer in (
        await browser.get("/app/login", params={"next": query}),
        await browser.get("/app/invite/" + quote(token, safe="")),
        await browser.get("/app/" + quote(token, safe="/")),
    ):
        assert answer.status_code < 500, answer.text[:500]
