"""The migration runner on real, fresh databases."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import asyncpg
import pytest

from service.core.migrate import (
    MIGRATIONS_DIR,
    MigrationError,
    apply_migrations,
    discover,
    pending_migrations,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_fresh_database_migrates_then_second_run_is_a_no_op(fresh_dsn: str):
    conn = await asyncpg.connect(fresh_dsn)
    try:
        first = await apply_migrations(conn)
        assert first == [m.name for m in discover()]
        assert await conn.fetchval("SELECT count(*) FROM food_categories") == 11
        assert await pending_migrations(conn) == []
        assert await apply_migrations(conn) == []
        recorded = await conn.fetchval("SELECT count(*) FROM schema_migrations")
        assert recorded == len(first)
    finally:
        await conn.close()


async def test_edited_applied_file_is_refused(fresh_dsn: str, tmp_path: Path):
    shutil.copytree(MIGRATIONS_DIR, tmp_path / "m")
    conn = await asyncpg.connect(fresh_dsn)
    try:
        await apply_migrations(conn, tmp_path / "m")
        edited = tmp_path / "m" / "0002_food_categories.sql"
        edited.write_text(edited.read_text() + "\n-- a harmless-looking edit\n")
        with pytest.raises(MigrationError, match=r"0002_food_categories\.sql was changed after"):
            await apply_migrations(conn, tmp_path / "m")
        with pytest.raises(MigrationError, match="changed after it was applied"):
            await pending_migrations(conn, tmp_path / "m")
    finally:
        await conn.close()


async def test_failing_migration_leaves_nothing_behind(fresh_dsn: str, tmp_path: Path):
    directory = tmp_path / "m"
    directory.mkdir()
    (directory / "0001_good.sql").write_text("CREATE TABLE good (id int);")
    (directory / "0002_bad.sql").write_text(
        "CREATE TABLE half_done (id int);\nSELECT no_such_function();"
    )
    conn = await asyncpg.connect(fresh_dsn)
    try:
        with pytest.raises(MigrationError, match=r"0002_bad\.sql failed"):
            await apply_migrations(conn, directory)
        assert await conn.fetchval("SELECT to_regclass('good') IS NOT NULL")
        assert await conn.fetchval("SELECT to_regclass('half_done') IS NULL")
        assert await pending_migrations(conn, directory) == ["0002_bad.sql"]
    finally:
        await conn.close()


async def test_badly_named_file_is_refused(tmp_path: Path):
    (tmp_path / "add_things.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match=r"NNNN_lowercase_words\.sql"):
        discover(tmp_path)


async def test_two_concurrent_runs_apply_each_file_once(fresh_dsn: str):
    first, second = await asyncpg.connect(fresh_dsn), await asyncpg.connect(fresh_dsn)
    try:
        applied_a, applied_b = await asyncio.gather(
            apply_migrations(first), apply_migrations(second)
        )
        everything = [m.name for m in discover()]
        assert sorted(applied_a + applied_b) == sorted(everything)
        assert not set(applied_a) & set(applied_b)
        assert await first.fetchval("SELECT count(*) FROM food_category_purposes") == 23
    finally:
        await first.close()
        await second.close()
