"""LISTEN for changes on a dedicated connection; reconnect when it drops.

One connection serves every in-process cache kept fresh by NOTIFY (label views, API tokens), each
on its own channel. A cache is trusted only while this connection is up: between a drop and the
reconnect a recall or a revoke could be missed, so the caches are emptied and bypassed until
LISTEN is in place again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any, Protocol

import asyncpg
import structlog

log = structlog.get_logger()

APPLICATION_NAME = "radura-verify-listener"
# A silently dead TCP connection (a cut network, no RST) is found by this ping.
PING_INTERVAL_S = 1.0
PING_TIMEOUT_S = 2.0
RECONNECT_DELAYS_S = (0.05, 0.2, 0.5, 1.0, 2.0)


class NotifiedCache(Protocol):
    """A cache that drops entries on a notification and is trusted only while LISTEN is up."""

    def on_notify(self, payload: str) -> None: ...
    def distrust(self) -> None: ...
    def trust(self, *, after_outage: bool) -> None: ...


class ChangeListener:
    """Keeps one LISTEN connection to the primary and hands each channel's notifications to its
    cache in `caches` (channel → cache)."""

    def __init__(self, dsn: str, caches: Mapping[str, NotifiedCache]) -> None:
        self._dsn = dsn
        self._caches = dict(caches)
        self._task: asyncio.Task[None] | None = None
        self._connection: asyncpg.Connection | None = None
        self._lost = asyncio.Event()
        self._connected_before = False
        self.connected = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="verify-change-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._close()

    def _on_notification(self, _conn: Any, _pid: int, channel: str, payload: str) -> None:
        self._caches[channel].on_notify(payload)

    def _distrust(self) -> None:
        for cache in self._caches.values():
            cache.distrust()

    def _on_termination(self, _conn: Any) -> None:
        self._distrust()
        self._lost.set()

    async def _connect(self) -> None:
        conn = await asyncpg.connect(
            self._dsn, server_settings={"application_name": APPLICATION_NAME}, timeout=5
        )
        conn.add_termination_listener(self._on_termination)
        for channel in self._caches:
            await conn.add_listener(channel, self._on_notification)
        self._connection = conn
        self._lost.clear()
        # LISTEN is in place before a cache is trusted: no change can fall in between
        for cache in self._caches.values():
            cache.trust(after_outage=self._connected_before)
        self._connected_before = True
        self.connected.set()
        log.info("verify_listener_connected")

    async def _close(self) -> None:
        conn, self._connection = self._connection, None
        self.connected.clear()
        if conn is not None and not conn.is_closed():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), timeout=2)

    async def _watch(self) -> None:
        """Return when the connection is lost, found by asyncpg or by a failed ping."""
        assert self._connection is not None
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lost.wait(), timeout=PING_INTERVAL_S)
            if self._lost.is_set() or self._connection.is_closed():
                return
            try:
                await self._connection.fetchval("SELECT 1", timeout=PING_TIMEOUT_S)
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
                return

    async def _run(self) -> None:
        attempt = 0
        while True:
            try:
                await self._connect()
                attempt = 0
                await self._watch()
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("verify_listener_failed", error=type(exc).__name__)
            self._distrust()
            await self._close()
            log.warning("verify_listener_lost")
            await asyncio.sleep(RECONNECT_DELAYS_S[min(attempt, len(RECONNECT_DELAYS_S) - 1)])
            attempt += 1
