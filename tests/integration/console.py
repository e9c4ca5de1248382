"""A cookie-jar HTTP client for the console, and signing a test user in through the real form."""

from __future__ import annotations

import re
import secrets
from typing import Any
from uuid import UUID

import asyncpg
import httpx
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient
from litestar.testing.transport import TestClientTransport

from service.accounts.passwords import hash_password

BASE_URL = "https://radura.test"  # the tests' RADURA_PUBLIC_BASE_URL: cookies are Secure
_CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')
# one hash for every test user: argon2 is slow on purpose
TEST_PASSWORD = "kopi-tubruk-" + secrets.token_hex(4)
_TEST_PASSWORD_HASH = hash_password(TEST_PASSWORD)


class _FromAddress(TestClientTransport[AsyncTestClient[Any]]):
    """The app under test (its event loop and pool), seen from a client address of our own, so
    the sign-in throttle of one test never counts another test's failures."""

    def __init__(self, client: AsyncTestClient[Any], address: str) -> None:
        super().__init__(client, raise_server_exceptions=False)
        self.address = address

    def parse_request(self, request: httpx.Request) -> dict[str, Any]:
        scope = super().parse_request(request)
        scope["client"] = (self.address, 50000)
        return scope


class Browser:
    """What a browser does without JavaScript: its own cookie jar, forms with their CSRF field."""

    def __init__(self, client: AsyncTestClient[Any], address: str | None = None) -> None:
        address = address or f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.7"
        self.address = address
        self.http = httpx.AsyncClient(
            transport=_FromAddress(client, address),  # type: ignore[arg-type]
            base_url=BASE_URL,
        )

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.get(path, **kwargs)

    async def csrf_token(self, path: str = "/app/login") -> str:
        page = await self.http.get(path)
        match = _CSRF_FIELD.search(page.text)
        assert match, f"no CSRF field on {path} ({page.status_code})"
        return match.group(1)

    async def submit(
        self, path: str, data: dict[str, Any], *, form_page: str | None = None
    ) -> httpx.Response:
        """POST a form the way a browser does after showing `form_page` (default: `path`); a
        list value is a repeated field."""
        token = await self.csrf_token(form_page or path)
        return await self.http.post(path, data={**data, "_csrf_token": token})

    async def sign_in(self, email: str, password: str = TEST_PASSWORD) -> httpx.Response:
        return await self.submit("/app/login", {"email": email, "password": password})


async def give_password(
    conn: asyncpg.Connection | asyncpg.Pool, user_id: UUID, email: str | None = None
) -> str:
    """Give a user an email (unique unless given) and the tests' password; returns the email."""
    email = email or f"user-{secrets.token_hex(5)}@example.id"
    await conn.execute(
        "UPDATE users SET email = $2, password_hash = $3 WHERE id = $1",
        user_id,
        email,
        _TEST_PASSWORD_HASH,
    )
    return email


async def signed_in(client: AsyncTestClient[Any], pool: asyncpg.Pool, user_id: UUID) -> Browser:
    """A browser signed in as the user (through the real sign-in form)."""
    email = await give_password(pool, user_id)
    browser = Browser(client)
    answer = await browser.sign_in(email)
    assert answer.status_code == 303, answer.text
    return browser


@st.composite
def broken_form(
    draw: st.DrawFn, form: dict[str, str], text: st.SearchStrategy[str]
) -> dict[str, str]:
    """The form with some fields replaced by any of `text` and some dropped."""
    fields = sorted(form)
    changed = draw(st.lists(st.sampled_from(fields), min_size=1, max_size=4, unique=True))
    dropped = draw(st.lists(st.sampled_from(fields), max_size=2, unique=True))
    result = {k: v for k, v in form.items() if k not in dropped}
    for name in changed:
        result[name] = draw(text)
    return result


async def post_form(browser: Browser, token: str, path: str, data: dict[str, str]) -> int:
    """POST a form with the CSRF token; whatever it holds, the answer is never a 500."""
    answer = await browser.http.post(path, data={**data, "_csrf_token": token})
    assert answer.status_code < 500, (path, data, answer.text[:500])
    return answer.status_code
