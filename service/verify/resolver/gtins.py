"""The GTINs Radura labels, held in every process so the resolver tells an unknown GTIN (404) from
one of ours (307) without reading the database (SPEC §6.1).

The set only grows in normal use: a product's GTIN never changes (a different one is a new
product), and products are never deleted. A new product's GTIN arrives by NOTIFY on `CHANNEL` (an
insert trigger, `migrations/0150_gtin_notify.sql`), so every process knows it within a second;
anything else that touches a GTIN (psql updating or deleting one) sends `*`, and the set is read
anew. Like the label views, the set is trusted only while the change listener is connected: it is
read again each time LISTEN is (re)established, and until then an unknown GTIN is not refused —
the resolver redirects it as it did before, and the label's page answers for it.
"""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
import structlog

log = structlog.get_logger()

CHANNEL = "radura_gtin_change"
ALL_GTINS = "SELECT gtin FROM products WHERE gtin IS NOT NULL"
RETRY_DELAY_S = 1.0


class KnownGtins:
    """A `NotifiedCache` (service/core/listener.py) of every product's GTIN-14."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._gtins: set[str] = set()
        # GTINs notified while the whole set is being read: kept whatever the read finds
        self._arrived: set[str] = set()
        # bumped by every distrust: a read begun before it is not trusted after it
        self._generation = 0
        self._reading: asyncio.Task[None] | None = None
        # set while the set is trusted (read whole since LISTEN was last established)
        self.trusted = asyncio.Event()

    def __len__(self) -> int:
        return len(self._gtins)

    def knows(self, gtin14: str) -> bool | None:
        """True: one of ours; False: not ours (trusted answer); None: cannot say from memory."""
        if gtin14 in self._gtins:
            return True
        return False if self.trusted.is_set() else None

    def on_notify(self, payload: str) -> None:
        """A new product's GTIN, or `*` when a GTIN may have changed or gone."""
        if payload == "*":
            self._read_all()
        elif payload:
            self._gtins.add(payload.strip())
            self._arrived.add(payload.strip())

    def distrust(self) -> None:
        self.trusted.clear()
        self._generation += 1

    def trust(self, *, after_outage: bool) -> None:
        """LISTEN is in place: read the whole set; it is trusted once read."""
        self._read_all()

    def _read_all(self) -> None:
        if self._reading is not None:
            self._reading.cancel()
        self._reading = asyncio.create_task(self._read(self._generation), name="known-gtins")

    async def _read(self, generation: int) -> None:
        # A product inserted while this read runs is either in its snapshot or NOTIFYs after
        # LISTEN was set up, so the union of both misses nothing.
        self._arrived = set()
        while generation == self._generation:
            try:
                rows = await self._pool.fetch(ALL_GTINS, timeout=10)
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("known_gtins_read_failed", error=type(exc).__name__)
                await asyncio.sleep(RETRY_DELAY_S)
                continue
            if generation != self._generation:
                return
            self._gtins = {row["gtin"] for row in rows} | self._arrived
            self.trusted.set()
            return

    async def close(self) -> None:
        self.distrust()
        if self._reading is not None:
            self._reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reading
