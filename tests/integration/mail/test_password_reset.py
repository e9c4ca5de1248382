"""A forgotten password, end to end: ask on the console, read the link in the email the mail
server got, set a new password, sign in. The answer never says whether the email has an
account, the link works once, and the old sessions end."""

from __future__ import annotations

import asyncio
import hashlib
import re

import asyncpg
import pytest

from tests.integration.console import TEST_PASSWORD, Browser, give_password
from tests.integration.mail.conftest import Mail, running_worker
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")

_LINK = re.compile(r"https://radura\.test/app/password-reset/(\S+)")
NEW_PASSWORD = "sambal-matah-pedas-2031"


def _flash(page: str) -> str:
    match = re.search(r'<div class="flash flash-info"[^>]*>(.*?)</div>', page, re.S)
    assert match, page
    return match.group(1)


async def test_a_forgotten_password_is_reset_from_the_emailed_link(
    client, pool: asyncpg.Pool, world: World, mail_on: Mail
) -> None:
    email = await give_password(pool, world.producer.id)
    old_session = Browser(client)
    assert (await old_session.sign_in(email)).status_code == 303
    browser = Browser(client)
    sign_in_page = await browser.get("/app/login")
    assert 'href="/app/password-reset"' in sign_in_page.text
    async with running_worker(client, pool, mail_on.settings):
        asked = await browser.submit("/app/password-reset", {"email": email.upper()})
        assert asked.status_code == 303 and asked.headers["location"] == "/app/password-reset"
        told = _flash((await browser.get("/app/password-reset")).text)
        [mail] = await mail_on.sink.wait_for(1, lambda m: m["To"] == email)
        # the server's 250 comes before the worker records the notice as sent
        for _ in range(100):
            status = await pool.fetchval(
                "SELECT status FROM mail_notices WHERE user_id = $1 AND kind = 'password_reset'",
                world.producer.id,
            )
            if status == "sent":
                break
            await asyncio.sleep(0.05)
    assert mail["Subject"] == "Atur ulang kata sandi Radura Anda"
    link = _LINK.search(mail.get_content())
    assert link, mail.get_content()
    token = link.group(1)
    # the token is kept only as its hash, and the notice drops its sealed copy once sent
    stored = await pool.fetchval(
        "SELECT token_sha256 FROM password_resets WHERE user_id = $1", world.producer.id
    )
    assert stored == hashlib.sha256(token.encode()).digest()
    notice = await pool.fetchrow(
        "SELECT status, secret_sealed, params::text AS params FROM mail_notices"
        " WHERE user_id = $1 AND kind = 'password_reset'",
        world.producer.id,
    )
    assert notice["status"] == "sent" and notice["secret_sealed"] is None
    assert token not in notice["params"]

    # an unknown email gets the very same answer, and no email
    stranger = f"tidak.ada.{world.tag}@example.id"
    other = Browser(client)
    unknown = await other.submit("/app/password-reset", {"email": stranger})
    assert unknown.status_code == 303 and unknown.headers["location"] == "/app/password-reset"
    unknown_told = _flash((await other.get("/app/password-reset")).text)
    assert unknown_told.replace(stranger, "EMAIL") == told.replace(email.upper(), "EMAIL")
    assert mail_on.sink.messages_to(stranger) == []

    form = await browser.get(f"/app/password-reset/{token}")
    assert form.status_code == 200 and email in form.text
    weak = await browser.submit(
        f"/app/password-reset/{token}", {"password": "123", "password_confirm": "123"}
    )
    assert weak.status_code == 400  # the rules of an invite's password
    done = await browser.submit(
        f"/app/password-reset/{token}",
        {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert done.status_code == 303 and done.headers["location"] == "/app/login"
    # every session signed in with the old password has ended
    assert (await old_session.get("/app/")).status_code in (302, 303)
    # the link worked once
    again = await browser.get(f"/app/password-reset/{token}")
    assert again.status_code == 404 and "Minta tautan baru" in again.text
    reused = await browser.submit(
        f"/app/password-reset/{token}",
        {"password": "lain-lagi-kata-sandi-99", "password_confirm": "lain-lagi-kata-sandi-99"},
        form_page="/app/password-reset",
    )
    assert reused.status_code == 404
    assert (await Browser(client).sign_in(email, TEST_PASSWORD)).status_code == 400
    signed_in = await Browser(client).sign_in(email, NEW_PASSWORD)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/app/"


async def test_a_newer_link_ends_the_older_one(
    client, pool: asyncpg.Pool, world: World, mail_on: Mail
) -> None:
    email = await give_password(pool, world.producer.id)
    browser = Browser(client)
    async with running_worker(client, pool, mail_on.settings):
        for _ in range(2):
            assert (
                await browser.submit("/app/password-reset", {"email": email})
            ).status_code == 303
        mails = await mail_on.sink.wait_for(2, lambda m: m["To"] == email)
    first, second = (_LINK.search(m.get_content()).group(1) for m in mails)  # type: ignore[union-attr]
    assert (await browser.get(f"/app/password-reset/{first}")).status_code == 404
    assert (await browser.get(f"/app/password-reset/{second}")).status_code == 200


async def test_reset_requests_are_counted_like_sign_ins(
    client, pool: asyncpg.Pool, world: World, mail_on: Mail
) -> None:
    email = f"banjir.{world.tag}@example.id"  # known or not, the same budget
    browser = Browser(client)
    for _ in range(5):
        assert (await browser.submit("/app/password-reset", {"email": email})).status_code == 303
    refused = await browser.submit("/app/password-reset", {"email": email})
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert "Terlalu banyak permintaan atur ulang" in refused.text
    # from another network the same email may still ask
    elsewhere = Browser(client, address="192.0.2.77")
    assert (await elsewhere.submit("/app/password-reset", {"email": email})).status_code == 303


async def test_without_a_mail_server_the_page_says_to_ask_the_administrator(
    client, pool: asyncpg.Pool, world: World
) -> None:
    email = await give_password(pool, world.producer.id)
    browser = Browser(client)
    page = await browser.get("/app/password-reset")
    assert page.status_code == 200 and "tautan undangan baru" in page.text
    token = await browser.csrf_token("/app/password-reset")
    answer = await browser.http.post(
        "/app/password-reset", data={"email": email, "_csrf_token": token}
    )
    assert answer.status_code == 503
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM password_resets WHERE user_id = $1", world.producer.id
        )
        == 0
    )
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM mail_notices WHERE user_id = $1", world.producer.id
        )
        == 0
    )


async def test_a_malformed_email_is_named(client, mail_on: Mail) -> None:
    browser = Browser(client)
    answer = await browser.submit("/app/password-reset", {"email": "bukan email"})
    assert answer.status_code == 400 and 'id="email-error"' in answer.text
