"""The console's sign-in over plain HTTP with a cookie jar: CSRF, sessions, timeouts, cookie
flags, throttling, headers, language and error pages."""

from __future__ import annotations

import re
import secrets
from http.cookies import SimpleCookie

import pytest

from service.core.client_networks import network_hash
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


def _refused(answer, email: str, *words: str) -> None:  # type: ignore[no-untyped-def]
    """A sign-in beyond a budget: 429 with Retry-After (at most the 15-minute window), and the
    sign-in form again, the email kept, the message on it."""
    assert answer.status_code == 429, answer.text
    assert 0 < int(answer.headers["retry-after"]) <= 15 * 60
    assert '<form method="post" action="/app/login' in answer.text
    assert f'value="{email}"' in answer.text and 'id="email-error"' in answer.text
    for word in words:
        assert word in answer.text, answer.text


def _network(prefix: str = "10") -> str:
    """A /24 of its own for one test: `10.x.y.` (add the host number)."""
    return f"{prefix}.{secrets.randbelow(256)}.{secrets.randbelow(256)}."


async def _failed_earlier(pool, failures: list[tuple[str, str]]) -> None:  # type: ignore[no-untyped-def]
    """Failures (email, client address) recorded a moment ago, to fill most of a budget without
    checking a hundred passwords; the last ones of each test go through the form."""
    async with pool.acquire() as conn:
        rows = [(email, await network_hash(conn, host)) for email, host in failures]
        await conn.executemany(
            "INSERT INTO sign_in_failures (email, network) VALUES ($1, $2)", rows
        )


async def test_five_failures_block_one_account_on_one_network_only(client, pool, world):
    email = await give_password(pool, world.producer.id)
    network = _network()
    typist = Browser(client, network + "7")
    for _ in range(5):
        wrong = await typist.sign_in(email, "not-the-password")
        assert wrong.status_code == 400
        assert "Email atau kata sandi tidak benar" in wrong.text
    # the right password no longer helps from any address of that /24 ...
    for browser in (typist, Browser(client, network + "200")):
        _refused(
            await browser.sign_in(email),
            email,
            "Terlalu banyak percobaan masuk yang gagal untuk email ini dari jaringan Anda",
            "15 menit",
        )
        assert SESSION_COOKIE not in browser.http.cookies
    # ... but the same account from another network, and another account on that network, may
    assert (await Browser(client, _network() + "7").sign_in(email)).status_code == 303
    neighbour = await give_password(pool, world.regulator.id)
    assert (await Browser(client, network + "8").sign_in(neighbour)).status_code == 303
    # a quarter of an hour later the email may try again from there too
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE sign_in_failures SET failed_at = failed_at - interval '15 minutes'"
            " WHERE email = $1",
            email,
        )
    assert (await typist.sign_in(email)).status_code == 303


async def test_an_ipv6_slash_64_is_one_network(client, pool, world):
    email = await give_password(pool, world.producer.id)
    prefix = f"2001:db8:{secrets.randbelow(65536):x}:{secrets.randbelow(65536):x}:"
    for n in range(5):  # a phone takes a new address of its /64 for every try
        answer = await Browser(client, f"{prefix}{n + 1:x}::{n + 7:x}").sign_in(email, "salah-lagi")
        assert answer.status_code == 400
    _refused(await Browser(client, prefix + "ffff::1").sign_in(email), email, "jaringan Anda")
    next_slash_64 = f"2001:db8:1:{secrets.randbelow(65536):x}::1"
    assert (await Browser(client, next_slash_64).sign_in(email)).status_code == 303


async def test_fifty_failures_over_all_networks_spare_a_network_that_signed_in(client, pool, world):
    email = await give_password(pool, world.producer.id)
    home = Browser(client, _network() + "7")
    assert (await home.sign_in(email)).status_code == 303  # the owner, a day earlier
    # strangers everywhere, one try each: 47 recorded, 3 through the form, within budget
    await _failed_earlier(pool, [(email, _network("172") + "1") for _ in range(47)])
    for _ in range(3):
        answer = await Browser(client, _network() + "9").sign_in(email, "tebak-tebakan")
        assert answer.status_code == 400, answer.text
    # the 51st try, from one more network, is refused before its password is checked
    _refused(
        await Browser(client, _network() + "9").sign_in(email),
        email,
        "Terlalu banyak percobaan masuk yang gagal untuk email ini dari banyak jaringan",
        "dari jaringan tempat Anda pernah masuk",
    )
    # the owner at home signs in all the same
    home.http.cookies.clear()
    assert (await home.sign_in(email)).status_code == 303
    # a network last signed in from more than 30 days ago is exempt no more
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE sign_in_networks SET signed_in_at = now() - interval '31 days'"
            " WHERE user_id = $1",
            world.producer.id,
        )
    home.http.cookies.clear()
    _refused(await home.sign_in(email), email, "dari banyak jaringan")


async def test_a_hundred_failures_block_one_network_for_every_account(client, pool, world):
    network = _network()
    await _failed_earlier(
        pool, [(f"tamu-{secrets.token_hex(4)}@example.id", network + "3") for _ in range(97)]
    )
    guesser = Browser(client, network + "4")
    for n in range(3):  # the 98th to 100th failures, each for an email of its own
        assert (await guesser.sign_in(f"guess{n}@example.id", "password1234")).status_code == 400
    email = await give_password(pool, world.producer.id)
    cafe = Browser(client, network + "250")
    switched = await cafe.submit(
        "/app/language", {"lang": "en", "next": "/app/login"}, form_page="/app/login"
    )
    assert switched.status_code == 303
    _refused(
        await cafe.sign_in(email),
        email,
        "Too many failed sign-ins from your network. Try again in 15 minutes.",
    )
    # the same account from any other network is not punished for them
    assert (await Browser(client, _network() + "4").sign_in(email)).status_code == 303


async def test_failures_keep_no_client_address(client, pool, world):
    email = await give_password(pool, world.producer.id)
    address = _network() + "77"
    assert (await Browser(client, address).sign_in(email, "salah")).status_code == 400
    assert (await Browser(client, address).sign_in(email)).status_code == 303
    async with pool.acquire() as conn:
        failure = await conn.fetchrow("SELECT * FROM sign_in_failures WHERE email = $1", email)
        known = await conn.fetchrow(
            "SELECT * FROM sign_in_networks WHERE user_id = $1", world.producer.id
        )
    assert failure is None  # forgiven by the sign-in from the same network
    assert known is not None and len(known["network"]) == 16
    assert address.encode() not in known["network"]
    assert known["network"] == await _hash_of(pool, address.rsplit(".", 1)[0] + ".1")


async def _hash_of(pool, host: str) -> bytes:  # type: ignore[no-untyped-def]
    async with pool.acquire() as conn:
        return await network_hash(conn, host)


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
