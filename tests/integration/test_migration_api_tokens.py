"""Upgrading a database whose tokens predate names and expiry: they keep working, get an id and a
name, and never expire."""

from __future__ import annotations

import shutil
from pathlib import Path

import asyncpg
import pytest

from service.accounts.tokens import list_tokens
from service.core.auth import _SELECT_USER_BY_HASH, AuthUser, new_token
from service.core.migrate import MIGRATIONS_DIR, apply_migrations

pytestmark = pytest.mark.asyncio(loop_scope="session")

LAST_BEFORE_TOKEN_NAMES = "0056"


def _migrations_up_to(last: str, directory: Path) -> Path:
    directory.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if path.name[:4] <= last:
            shutil.copy(path, directory / path.name)
    return directory


async def test_a_token_issued_before_the_upgrade_keeps_working(
    fresh_dsn: str, tmp_path: Path
) -> None:
    conn = await asyncpg.connect(fresh_dsn)
    try:
        await apply_migrations(conn, _migrations_up_to(LAST_BEFORE_TOKEN_NAMES, tmp_path / "old"))
        user_id = await conn.fetchval(
            "INSERT INTO users (name, role) VALUES ('Admin Lama', 'admin') RETURNING id"
        )
        _token, token_sha256 = new_token()
        # the schema of its time: a hash and a user, nothing else
        await conn.execute(
            "INSERT INTO api_tokens (token_sha256, user_id) VALUES ($1, $2)", token_sha256, user_id
        )
        applied = await apply_migrations(conn)
        assert "0060_api_token_names.sql" in applied
        row = await conn.fetchrow(_SELECT_USER_BY_HASH, token_sha256)
        assert row is not None and row["id"] == user_id and row["expires_at"] is None
        [line] = await list_tokens(conn, AuthUser(user_id, "Admin Lama", "admin", None), None)
        assert line.name == "first token" and line.id is not None and line.revoked_at is None
    finally:
        await conn.close()
