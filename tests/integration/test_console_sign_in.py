"""The console's sign-in over plain HTTP with a cookie jar: CSRF, sessions, timeouts, cookie
flags, throttling, headers, language and error pages."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

import pytest

from tests.integration.console import Browser, give_password, signed_in
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")

SESSION_COOKIE = "radura_session"


def _set_cookie(response, name: str) -> dict[str, str | bool]:  # type: ignore[no-untyped-def]
    """The attributes of the Set-Cookie header for `name` (flags as True)."""
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(name + "="):
            cookie = SimpleCookie()
            cookie.load(header)
            morsel = cookie[name]
            flags = {k: morsel[k] for k in morsel if morsel[k]}
            return {"value": morsel.value, **flags}
    raise AssertionError(f"no Set-Cookie for {name}: {response.headers.get_list('set-cookie')}")


async def test_every_console_page_carries_strict_headers(client, pool, world):
    browser = await signed_in(client, pool, world.producer.id)
    for path in ("/app/login", "/app/account", "/app/no-such-page", "/app/invite/unknown"):
        answer = await browser.get(path)
        csp = answer.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "same-origin"
        assert answer.headers["cache-control"] == "no-store"
        assert "<script>" not in answer.text and "style=" not in answer.text
    static = await browser.get("/app/static/htmx.min.js")
    assert static.status_code == 200 and "htmx" in static.text[:200]
    assert static.headers["x-content-type-options"] == "nosniff"


async def test_a_form_without_its_csrf_token_is_refused(client, pool, world: World):
    email = await give_password(pool, world.producer.id)
    browser = Browser(client)
    await browser.get("/app/login")  # the CSRF cookie is set, but the form field is missing
    refused = await browser.http.post(
        "/app/login", data={"email": email, "password": "kopi-tubruk-x"}
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "Muat ulang halaman" in refused.text  # the reason, in Bahasa Indonesia
    forged = await browser.http.post(
        "/app/login", data={"email": email, "password": "x", "_csrf_token": "0" * 128}
    )
    assert forged.status_code == 403
    assert SESSION_COOKIE not in browser.http.cookies

    # and a signed-in user's POST without it does nothing either
    signed = await signed_in(client, pool, world.producer.id)
    assert (await signed.http.post("/app/logout")).status_code == 403
    assert (await signed.get("/app/account")).status_code == 200


async def test_signed_out_visitors_are_sent_to_sign_in_and_brought_back(client, pool, world):
    browser = Browser(client)
    answer = await browser.get("/app/account?tab=1")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/app/login?next=%2Fapp%2Faccount%3Ftab%3D1"

    email = await give_password(pool, world.producer.id)
    login = await browser.get(answer.headers["location"])
    token = re.search(r'name="_csrf_token" value="([^"]+)"', login.text)[1]  # type: ignore[index]
    action = re.search(r'<form method="post" action="([^"]+)"', login.text)[1]  # type: ignore[index]
    signed = await browser.http.post(
        action.replace("&amp;", "&"),
        data={"email": email.upper(), "password": (await _password()), "_csrf_token": token},
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/app/account?tab=1"
    page = await browser.get("/app/account")
    assert page.status_code == 200 and world.producer.name in page.text


async def _password() -> str:
    from tests.integration.console import TEST_PASSWORD

    return TEST_PASSWORD


@pytest.mark.parametrize("target", ["//evil.example/app", "https://evil.example/app", "/api/v1/me"])
async def test_sign_in_never_sends_the_user_to_another_site(client, pool, world, target):
    email = await give_password(pool, world.producer.id)
    browser = Browser(client)
    answer = await browser.submit(
        f"/app/login?next={target}",
        {"email": email, "password": await _password()},
        form_page="/app/login",
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/app/"


async def test_session_cookie_flags_and_a_new_id_at_sign_in(client, pool, world):
    browser = Browser(client)
    # a language choice before signing in makes a session of its own
    switched = await browser.submit(
        "/app/language", {"lang": "en", "next": "/app/login"}, form_page="/app/login"
    )
    before = _set_cookie(switched, SESSION_COOKIE)
    email = await give_password(pool, world.producer.id)
    signed = await browser.sign_in(email)
    after = _set_cookie(signed, SESSION_COOKIE)
    assert after["value"] != before["value"]  # an id planted before sign-in is worthless after
    assert after["httponly"] is True and after["secure"] is True
    assert str(after["samesite"]).lower() == "lax" and after["path"] == "/"
    assert int(after["max-age"]) == 12 * 3600
    csrf = _set_cookie(await Browser(client).get("/app/login"), "radura_csrf")
    assert csrf["httponly"] is True and csrf["secure"] is True
    # the language chosen before signing in is kept
    assert '<html lang="en">' in (await browser.get("/app/account")).text
    async with pool.acquire() as conn:
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM console_sessions WHERE id = $1", before["value"]
            )
            == 0
        )


async def test_sign_out_ends_the_session_for_good(client, pool, world):
    browser = await signed_in(client, pool, world.producer.id)
    old_cookie = browser.http.cookies[SESSION_COOKIE]
    answer = await browser.submit("/app/logout", {}, form_page="/app/account")
    assert answer.status_code == 303 and answer.headers["location"] == "/app/login"
    assert "Anda sudah keluar" in (await browser.get("/app/login")).text  # the flash, once
    assert "Anda sudah keluar" not in (await browser.get("/app/login")).text
    # the old cookie, replayed by someone who kept it, opens nothing
    thief = Browser(client)
    thief.http.cookies.set(SESSION_COOKIE, old_cookie, domain="radura.test")
    assert (await thief.get("/app/account")).status_code == 303
    assert (await thief.get("/api/v1/me")).status_code == 401


async def test_idle_and_absolute_timeouts(client, pool, world):
    idle = await signed_in(client, pool, world.producer.id)
    old = await signed_in(client, pool, world.producer.id)
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE console_sessions SET expires_at = now() - interval '1 second' WHERE id = $1",
            idle.http.cookies[SESSION_COOKIE],
        )
        # still within its idle time, but signed in more than 7 days ago
        await conn.execute(
            "UPDATE console_sessions SET created_at = now() - interval '7 days 1 minute'"
            " WHERE id = $1",
            old.http.cookies[SESSION_COOKIE],
        )
    assert (await idle.get("/app/account")).status_code == 303
    assert (await old.get("/app/account")).status_code == 303

    # a request renews the idle time, never beyond 7 days after sign-in
    fresh = await signed_in(client, pool, world.producer.id)
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE console_sessions SET created_at = now() - interval '6 days 23 hours',"
            " expires_at = now() + interval '1 minute' WHERE id = $1",
            fresh.http.cookies[SESSION_COOKIE],
        )
    assert (await fresh.get("/app/account")).status_code == 200
    async with pool.acquire() as conn:
        left = await conn.fetchval(
            "SELECT expires_at - now() FROM console_sessions WHERE id = $1",
            fresh.http.cookies[SESSION_COOKIE],
        )
    assert 50 * 60 < left.total_seconds() <= 60 * 60


async def test_throttled_after_five_failed_sign_ins_for_one_email(client, pool, world):
    email = await give_password(pool, world.producer.id)
    attacker = Browser(client)
    for _ in range(5):
        wrong = await attacker.sign_in(email, "not-the-password")
        assert wrong.status_code == 400
        assert "Email atau kata sandi tidak benar" in wrong.text
    # the right password no longer helps, from this client or any other
    for browser in (attacker, Browser(client)):
        refused = await browser.sign_in(email)
        assert refused.status_code == 429
        assert "Terlalu banyak percobaan masuk yang gagal" in refused.text
        assert "15 menit" in refused.text
        assert SESSION_COOKIE not in browser.http.cookies
    # a quarter of an hour later the email may try again
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE sign_in_failures SET failed_at = failed_at - interval '15 minutes'"
            " WHERE email = $1",
            email,
        )
    assert (await attacker.sign_in(email)).status_code == 303


async def test_throttled_after_five_failed_sign_ins_from_one_client(client, pool, world):
    email = await give_password(pool, world.producer.id)
    guesser = Browser(client)
    for n in range(5):
        assert (await guesser.sign_in(f"guess{n}@example.id", "password1234")).status_code == 400
    assert (await guesser.sign_in(email)).status_code == 429
    # the same person from elsewhere is not punished for this client's guesses
    assert (await Browser(client).sign_in(email)).status_code == 303


async def test_empty_and_wrong_sign_in_forms_keep_the_email(client, pool, world):
    browser = Browser(client)
    empty = await browser.submit("/app/login", {"email": "", "password": ""})
    assert empty.status_code == 400
    assert 'href="#email"' in empty.text and 'aria-describedby="email-error"' in empty.text
    assert "Masukkan kata sandi Anda" in empty.text
    wrong = await browser.sign_in("Nobody@Example.id", "whatever-it-is")
    assert wrong.status_code == 400 and 'value="Nobody@Example.id"' in wrong.text


async def test_disabled_users_cannot_sign_in(client, pool, world):
    email = await give_password(pool, world.producer.id)
    async with pool.acquire() as conn:
        await conn.execute("UPDATE users SET disabled_at = now() WHERE id = $1", world.producer.id)
    assert (await Browser(client).sign_in(email)).status_code == 400


async def test_language_switch_is_remembered_and_error_pages_speak_it(client, pool, world):
    browser = await signed_in(client, pool, world.producer.id)
    missing = await browser.get("/app/no-such-page")
    assert missing.status_code == 404 and "Halaman tidak ditemukan" in missing.text
    assert '<p class="status-code">Kesalahan 404</p>' in missing.text  # not "Galat"
    assert world.producer.name in missing.text  # the user's own menu, on the error page too
    # signed out, an unknown console address asks to sign in first: nothing is revealed
    assert (await Browser(client).get("/app/no-such-page")).status_code == 303
    switched = await browser.submit(
        "/app/language", {"lang": "en", "next": "/app/login"}, form_page="/app/login"
    )
    assert switched.status_code == 303 and switched.headers["location"] == "/app/login"
    login = await browser.get("/app/login")
    assert '<html lang="en">' in login.text and "Sign in to Radura" in login.text
    assert "Page not found" in (await browser.get("/app/no-such-page")).text
    # an unknown language changes nothing; an outside `next` goes home
    back = await browser.submit(
        "/app/language", {"lang": "xx", "next": "https://evil.example"}, form_page="/app/login"
    )
    assert back.headers["location"] == "/app/"
    assert '<html lang="en">' in (await browser.get("/app/login")).text


async def test_the_session_reads_the_api_but_never_writes_through_it(client, pool, world):
    browser = await signed_in(client, pool, world.producer.id)
    me = await browser.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["id"] == str(world.producer.id)
    # the API's own role rules apply to the session's user
    assert (await browser.get("/api/v1/organizations")).status_code == 403
    write = await browser.http.post(
        "/api/v1/products", json={"name": "x"}, headers={"x-csrftoken": "anything"}
    )
    assert write.status_code == 401
    # a bearer token, when sent, is what counts
    other = await browser.get("/api/v1/me", headers=world.regulator.headers)
    assert other.json()["id"] == str(world.regulator.id)


async def test_account_page_and_sign_out_elsewhere(client, pool, world):
    phone = await signed_in(client, pool, world.producer.id)
    laptop = Browser(client)
    email = await pool.fetchval("SELECT email FROM users WHERE id = $1", world.producer.id)
    assert (await laptop.sign_in(email)).status_code == 303
    account = await phone.get("/app/account")
    assert email in account.text and "Produsen" in account.text
    done = await phone.submit("/app/account/sign-out-elsewhere", {}, form_page="/app/account")
    assert done.status_code == 303
    assert "1 perangkat lain" in (await phone.get("/app/account")).text
    assert (await laptop.get("/app/account")).status_code == 303
    assert (await phone.get("/app/account")).status_code == 200


async def test_page_views_that_change_nothing_write_nothing(client, pool, world):
    browser = await signed_in(client, pool, world.producer.id)
    session_id = browser.http.cookies[SESSION_COOKIE]
    assert (await browser.get("/app/account")).status_code == 200

    async def row_version() -> str:
        return str(
            await pool.fetchval("SELECT xmin FROM console_sessions WHERE id = $1", session_id)
        )

    before = await row_version()
    for _ in range(3):
        answer = await browser.get("/app/account")
        assert answer.status_code == 200
        assert SESSION_COOKIE in answer.headers["set-cookie"]  # the cookie's lifetime renews
    assert await row_version() == before


async def test_a_live_preview_after_the_session_ended_loads_the_sign_in_page(client):
    answer = await Browser(client).get("/app/account", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert answer.headers["hx-redirect"] == "/app/login?next=%2Fapp%2Faccount"


@pytest.mark.parametrize("email", ["siti", "a\x00b@example.id", "siti@exa\tmple.id"])
async def test_an_email_that_cannot_be_one_is_named_on_the_form(client, email):
    answer = await Browser(client).submit("/app/login", {"email": email, "password": "x" * 12})
    assert answer.status_code == 400
    assert 'id="email-error"' in answer.text
    assert "Masukkan alamat email seperti siti@example.id" in answer.text
