"""PostgreSQL access: the embedded server, the pool and its codecs, the request connection."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Generator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import msgspec
import structlog
from litestar.datastructures import State
from litestar.di import NamedDependency

log = structlog.get_logger()

_json_encoder = msgspec.json.Encoder()
_json_decoder = msgspec.json.Decoder()


# how a handler asks for its request's connection: `db: Db`
Db = NamedDependency[asyncpg.Connection]


def _encode_json(value: Any) -> str:
    # asyncpg's text codec wants str; msgspec encodes Structs, dates and UUIDs natively
    return _json_encoder.encode(value).decode()


def _decode_json(text: str) -> Any:
    return _json_decoder.decode(text)


async def _init_connection(conn: asyncpg.Connection) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name, encoder=_encode_json, decoder=_decode_json, schema="pg_catalog"
        )


# A database that stops answering (a stopped or hung server, a cut network) costs a request at
# most about this long: each statement, each wait for a pooled connection (a new connection's
# handshake included) gives up after it, and the request answers 503 with Retry-After (the
# TimeoutError handler) instead of hanging. A request's statements take milliseconds; bulk work
# that may take longer passes its own `timeout=` or uses a pool with a longer one.
COMMAND_TIMEOUT_S = 3.0
POOL_ACQUIRE_TIMEOUT_S = 3.0
# resetting a connection on its way back to the pool: one round trip
POOL_RELEASE_TIMEOUT_S = 1.0

# what a block that used a connection may fail with when the server does not answer: the
# connection is in an unknown state, so it is closed at once instead of reset (a reset would
# wait on the same server for the release timeout)
_CONNECTION_LOST = (
    TimeoutError,
    OSError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    asyncpg.PostgresConnectionError,
)


class _Acquired:
    """`pool.acquire()`'s context, closing the connection instead of resetting it when the block
    failed because the database did not answer, or was cancelled."""

    def __init__(self, acquiring: Any) -> None:
        self._acquiring = acquiring
        self._conn: asyncpg.Connection | None = None

    async def __aenter__(self) -> asyncpg.Connection:
        self._conn = await self._acquiring.__aenter__()
        return self._conn

    async def __aexit__(self, kind: type[BaseException] | None, *rest: Any) -> None:
        if (
            kind is not None
            and issubclass(kind, (*_CONNECTION_LOST, asyncio.CancelledError))
            and self._conn is not None
            and not self._conn.is_closed()
        ):
            self._conn.terminate()  # release then hands the holder back without a round trip
        await self._acquiring.__aexit__(kind, *rest)

    def __await__(self) -> Generator[Any, None, asyncpg.Connection]:
        return self._acquiring.__await__()


class Pool(asyncpg.Pool):
    """asyncpg's pool, bounded in time: every acquire (its own `fetch`/`execute` helpers'
    included) waits at most POOL_ACQUIRE_TIMEOUT_S and every release POOL_RELEASE_TIMEOUT_S,
    unless the caller says otherwise."""

    def acquire(self, *, timeout: float | None = None) -> Any:
        return _Acquired(
            super().acquire(timeout=POOL_ACQUIRE_TIMEOUT_S if timeout is None else timeout)
        )

    async def release(
        self,
        connection: Any,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - asyncpg's own signature
    ) -> None:
        await super().release(
            connection, timeout=POOL_RELEASE_TIMEOUT_S if timeout is None else timeout
        )


async def create_pool(
    dsn: str,
    *,
    max_size: int = 10,
    min_size: int = 1,
    command_timeout_s: float | None = None,
) -> Pool:
    """A pool of `max_size` connections with the service's codecs; statements time out after
    `command_timeout_s` (COMMAND_TIMEOUT_S unless given: background work may allow more)."""
    pool = Pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        max_queries=50_000,
        init=_init_connection,
        # a connection idle this long is closed, so a restarted server is re-dialled promptly
        max_inactive_connection_lifetime=60,
        command_timeout=command_timeout_s or COMMAND_TIMEOUT_S,
        loop=None,
        connection_class=asyncpg.Connection,
        record_class=asyncpg.Record,
    )
    await pool
    return pool


def start_embedded_postgres(data_dir: Path, *, keep_running: bool = False) -> str:
    """Start (or reuse) the embedded PostgreSQL under `data_dir/pg` and return its DSN.

    pgserver keeps a reference count per data folder and stops the server when the last
    process that started it exits, so a second `radura serve` on the same data reuses it.
    `keep_running` leaves it up after this process exits (for `radura db url`).
    """
    import warnings

    # pgserver asks platformdirs for a runtime dir, which warns on machines without XDG_RUNTIME_DIR
    warnings.filterwarnings("ignore", module="platformdirs")
    import pgserver  # imported late: only the embedded mode needs it

    pgdata = data_dir / "pg"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode=None if keep_running else "stop")
    dsn: str = server.get_uri()
    log.info("embedded_postgres_ready", pgdata=str(pgdata))
    return dsn


@asynccontextmanager
async def connection(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    """A connection of `pool` for the block, or TimeoutError (a 503 with Retry-After) when none
    frees up in time, instead of queueing behind a busy pool for minutes."""
    async with pool.acquire(timeout=POOL_ACQUIRE_TIMEOUT_S) as conn:
        yield conn


async def provide_db(state: State) -> AsyncGenerator[asyncpg.Connection, None]:
    """One pooled connection per request; the handler owns any transaction on it.

    When the handler failed, a failure to hand the connection back (the database stopped
    answering meanwhile) is not raised over the handler's own error: Litestar would turn the
    pair into a 500. Without one, it is the request's own (a TimeoutError: a 503)."""
    held = connection(state.pool)
    conn = await held.__aenter__()
    try:
        yield conn
    except BaseException as error:
        with contextlib.suppress(Exception):
            await held.__aexit__(type(error), error, error.__traceback__)
        raise
    await held.__aexit__(None, None, None)


class DatabaseUnreachable(Exception):
    """The configured PostgreSQL cannot be reached or refuses us; the message is one line."""


# how long a command waits for the database before saying it cannot reach it
CONNECT_CHECK_TIMEOUT_S = 10.0


def _where(dsn: str) -> str:
    """host:port/database of a URL, without the user or password it may hold."""
    parts = urlsplit(dsn)
    host = parts.hostname or "localhost"
    return f"{host}:{parts.port or 5432}{parts.path or '/'}"


async def check_database(dsn: str, *, variable: str = "RADURA_DATABASE_URL") -> None:
    """Connect once and hang up, so a command fails with one clear line before it starts work."""
    try:
        conn = await asyncpg.connect(dsn, timeout=CONNECT_CHECK_TIMEOUT_S)
    except (
        OSError,
        TimeoutError,
        asyncpg.PostgresError,
        asyncpg.InterfaceError,
        ValueError,
    ) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise DatabaseUnreachable(
            f"{variable}: cannot connect to {_where(dsn)}: {reason}; start PostgreSQL there or "
            f"fix the URL (e.g. {variable}=postgresql://radura:secret@127.0.0.1:5432/radura), "
            "or unset it to use the embedded database"
        ) from None
    await conn.close()


def stop_embedded_postgres(data_dir: Path) -> tuple[bool, str]:
    """Stop the embedded PostgreSQL under `data_dir/pg` that `radura db url` left running.

    pgserver stops the server when its last user lets go: this process takes a handle and
    lets go at once, so a server still used by a running `radura serve` is left up. Returns
    whether no server is left running there, and a sentence saying what happened."""
    import warnings

    warnings.filterwarnings("ignore", module="platformdirs")
    import pgserver
    from pgserver.utils import PostmasterInfo

    pgdata = data_dir / "pg"
    info = PostmasterInfo.read_from_pgdata(pgdata) if pgdata.is_dir() else None
    if info is None or not info.is_running():
        return True, f"no embedded database is running in {pgdata}"
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    server.cleanup()
    info = PostmasterInfo.read_from_pgdata(pgdata)
    if info is not None and info.is_running():
        return False, f"the embedded database in {pgdata} is still used by another radura process"
    return True, f"stopped the embedded database in {pgdata}"
