"""Server-side console sessions: Litestar's session middleware over a PostgreSQL store.

Timeouts (SPEC §10): a session ends after 12 h without a request (the store's expiry, renewed on
every access) and 7 days after sign-in whatever happens (the row's age), and at once at sign-out
or when its user is disabled (rows are deleted; the user id is derived from the session's JSON).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import asyncpg
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.stores.base import Store
from litestar.types import Empty, Message, ScopeSession
from litestar.utils.dataclass import extract_dataclass_items

IDLE_TIMEOUT = timedelta(hours=12)
ABSOLUTE_TIMEOUT = timedelta(days=7)
COOKIE_NAME = "radura_session"
STORE_NAME = "console_sessions"
USER_KEY = "user_id"
_RENEWED_ID = "radura_renewed_session_id"
_LOADED = "radura_loaded_session"


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class PostgresSessionStore(Store):
    """Litestar's key/value `Store` contract on the `console_sessions` table.

    The pool is bound at start-up (`bind`), as it is opened in the app's lifespan."""

    def __init__(self, absolute_lifetime: timedelta = ABSOLUTE_TIMEOUT) -> None:
        self.absolute_lifetime = absolute_lifetime
        self._pool: asyncpg.Pool | None = None

    def bind(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @property
    def pool(self) -> asyncpg.Pool:
        assert self._pool is not None, "the session store is bound in the app's lifespan"
        return self._pool

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        text = value.decode() if isinstance(value, bytes) else value
        lifetime = _seconds(expires_in) if expires_in is not None else None
        await self.pool.execute(
            """INSERT INTO console_sessions (id, data, expires_at)
               VALUES ($1, $2::text::jsonb,
                       now() + make_interval(secs => coalesce($3::float8, $4::float8)))
               ON CONFLICT (id) DO UPDATE SET data = excluded.data,
                   -- a row that had expired starts again, holding only what this request wrote
                   created_at = CASE WHEN console_sessions.expires_at <= now() THEN now()
                                     ELSE console_sessions.created_at END,
                   expires_at = CASE WHEN console_sessions.expires_at <= now()
                                     THEN excluded.expires_at
                                     ELSE least(excluded.expires_at, console_sessions.created_at
                                                + make_interval(secs => $4::float8)) END""",
            key,
            text,
            lifetime,
            self.absolute_lifetime.total_seconds(),
        )

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        # One statement reads and renews; an idle or too old session is simply not found. The
        # expiry is written at most once a minute per session, not on every page view.
        data: str | None = await self.pool.fetchval(
            """WITH live AS (
                   SELECT id, data, created_at, expires_at FROM console_sessions
                   WHERE id = $1 AND expires_at > now()
                     AND created_at > now() - make_interval(secs => $3::float8)),
               renewed AS (
                   UPDATE console_sessions s
                   SET expires_at = least(now() + make_interval(secs => $2::float8),
                                          s.created_at + make_interval(secs => $3::float8))
                   FROM live WHERE s.id = live.id AND $2::float8 IS NOT NULL
                     AND live.expires_at
                         < now() + make_interval(secs => $2::float8) - interval '1 minute')
               SELECT data::text FROM live""",
            key,
            _seconds(renew_for) if renew_for is not None else None,
            self.absolute_lifetime.total_seconds(),
        )
        return data.encode() if data is not None else None

    async def delete(self, key: str) -> None:
        await self.pool.execute("DELETE FROM console_sessions WHERE id = $1", key)

    async def delete_all(self) -> None:
        await self.pool.execute("DELETE FROM console_sessions")

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        seconds: float | None = await self.pool.fetchval(
            """SELECT extract(epoch FROM expires_at - now()) FROM console_sessions
               WHERE id = $1 AND expires_at > now()""",
            key,
        )
        return int(seconds) if seconds is not None else None


async def end_other_sessions(connection: ASGIConnection[Any, Any, Any, Any], user_id: Any) -> int:
    """End every session of the user but this request's; returns how many ended."""
    store = connection.app.stores.get(STORE_NAME)
    assert isinstance(store, PostgresSessionStore)
    status: str = await store.pool.execute(
        "DELETE FROM console_sessions WHERE user_id = $1 AND id <> $2",
        user_id,
        connection.cookies.get(COOKIE_NAME, ""),
    )
    return int(status.split()[-1])


async def delete_expired_sessions(conn: asyncpg.Connection | asyncpg.Pool) -> None:
    await conn.execute("DELETE FROM console_sessions WHERE expires_at < now()")


class ConsoleSessionBackend(ServerSideSessionBackend):
    """Litestar's server-side backend with three changes: a visitor with nothing in the session
    gets no row and no cookie; the id can be replaced at sign-in (no session fixation); and a
    request that changed nothing writes nothing (reading the row already renewed its expiry)."""

    async def load_from_connection(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> dict[str, Any]:
        data = await super().load_from_connection(connection)
        connection.scope["state"][_LOADED] = self.serialize_data(data) if data else None
        return data

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        renewed = connection.scope["state"].get(_RENEWED_ID)
        return renewed if renewed else super().get_session_id(connection)

    async def store_in_message(
        self,
        scope_session: ScopeSession,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        if scope_session is not Empty and not scope_session:
            if not connection.cookies.get(self.config.key):
                return
            scope_session = Empty  # emptied: delete the row and the cookie
        elif (
            scope_session is not Empty
            and not connection.scope["state"].get(_RENEWED_ID)
            and connection.scope["state"].get(_LOADED) == self.serialize_data(scope_session)
        ):
            # unchanged: only the cookie's own lifetime is renewed
            cookie_params = dict(
                extract_dataclass_items(
                    self.config, exclude_none=True, include=Cookie.__dict__.keys()
                )
            )
            cookie = Cookie(
                value=self.get_session_id(connection), key=self.config.key, **cookie_params
            )
            MutableScopeHeaders.from_message(message).add("Set-Cookie", cookie.to_header(header=""))
            return
        await super().store_in_message(scope_session, message, connection)


class ConsoleSessionConfig(ServerSideSessionConfig):
    _backend_class = ConsoleSessionBackend


async def renew_session_id(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Drop the session's old row and give the (kept) session data a fresh id and a fresh start;
    called at sign-in so an id planted before it is worthless after it."""
    store = connection.app.stores.get(STORE_NAME)
    if old_id := connection.cookies.get(COOKIE_NAME):
        await store.delete(old_id)
    connection.scope["state"][_RENEWED_ID] = secrets.token_urlsafe(32)


def session_config(*, secure: bool, exclude: list[str]) -> ConsoleSessionConfig:
    return ConsoleSessionConfig(
        key=COOKIE_NAME,
        store=STORE_NAME,
        max_age=int(IDLE_TIMEOUT.total_seconds()),
        renew_on_access=True,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
        exclude=exclude,
    )
