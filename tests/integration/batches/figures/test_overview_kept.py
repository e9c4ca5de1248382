"""The regulator's overview is counted once and kept while nothing it counts changes (for at
most 10 s): any write to batches (or treatments, products, organizations) has it counted again
at once."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from schemas.batches import today_in_jakarta
from service.batches.figures import overview as overview_module
from service.batches.figures.overview import overview
from service.core.auth import AuthUser
from tests.integration.verify_fixtures import make_batch
from tests.integration.world import World


class _Counting:
    """A connection that counts the queries sent through it."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn
        self.queries = 0

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._conn, name)

        async def counted(*args: Any) -> Any:
            self.queries += 1
            return await method(*args)

        return counted


def _facility_total(figures: overview_module.Overview, world: World) -> int:
    return next((f.total for f in figures.facilities if f.facility_id == world.facility), 0)


async def _count(conn: asyncpg.Connection, user: AuthUser) -> tuple[Any, int]:
    counting = _Counting(conn)
    figures = await overview(counting, user, today=today_in_jakarta())  # type: ignore[arg-type]
    return figures, counting.queries


async def test_the_overview_is_kept_until_a_write_changes_what_it_counts(
    pool: asyncpg.Pool, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    regulator = AuthUser(world.regulator.id, "Inspektur", "regulator", world.regulator_org)
    async with pool.acquire() as conn:
        await make_batch(conn, world)
        first, _ = await _count(conn, regulator)
        kept, queries = await _count(conn, regulator)
        assert queries == 1  # the change number, nothing counted
        assert kept == first
        # a new batch: counted again at once, the batch in its facility's month
        await make_batch(conn, world)
        recounted, queries = await _count(conn, regulator)
        assert queries > 1
        assert _facility_total(recounted, world) == _facility_total(first, world) + 1
        # a recall written by anyone (here straight in SQL) shows too
        batch = await make_batch(conn, world)
        _, queries = await _count(conn, regulator)
        await conn.execute(
            "UPDATE batches SET status = 'recalled', recalled_at = now(), "
            "recall_reason = 'Kemasan bocor' WHERE id = $1",
            batch.batch_id,
        )
        recalled, queries = await _count(conn, regulator)
        assert queries > 1
        assert batch.batch_id in {line.id for line in recalled.recalls.latest}
        # and an overview is never older than KEEP_S
        monkeypatch.setattr(overview_module, "KEEP_S", 0.0)
        _, queries = await _count(conn, regulator)
        assert queries > 1
