"""The migration runner: numbered .sql files, one transaction each, checksummed, under a lock."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

# Any constant shared by every Radura process; keeps two runners from interleaving.
_ADVISORY_LOCK_ID = 0x5241_4455_5241  # "RADURA"
_FILE_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

# service/migrations: in the source tree a link to the repository's migrations/ folder, in an
# installed wheel the files themselves (package data), so `radura migrate` works from either
MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"


class MigrationError(RuntimeError):
    """A migration failed or an applied migration file was changed afterwards."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: str
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise MigrationError(f"{path.name}: migration files are named NNNN_lowercase_words.sql")
        migrations.append(Migration(match[1], path.name, path.read_text(encoding="utf-8")))
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migration files share a number in {directory}")
    return migrations


_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     text PRIMARY KEY,
    name        text NOT NULL,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)"""


async def _applied(conn: asyncpg.Connection) -> dict[str, tuple[str, str]]:
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return {}
    rows = await conn.fetch("SELECT version, name, checksum FROM schema_migrations")
    return {r["version"]: (r["name"], r["checksum"]) for r in rows}


def _check_unchanged(migration: Migration, applied: dict[str, tuple[str, str]]) -> None:
    _, checksum = applied[migration.version]
    if checksum != migration.checksum:
        raise MigrationError(
            f"{migration.name} was changed after it was applied (recorded checksum "
            f"{checksum[:12]}…, file now {migration.checksum[:12]}…). Applied migrations are "
            "append-only: restore the file and add a new numbered migration instead."
        )


async def apply_migrations(conn: asyncpg.Connection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply every pending migration; returns the names applied (empty when up to date)."""
    migrations = discover(directory)
    await conn.execute("SELECT pg_advisory_lock($1)", _ADVISORY_LOCK_ID)
    try:
        await conn.execute(_CREATE_TABLE)
        applied = await _applied(conn)
        done = []
        for migration in migrations:
            if migration.version in applied:
                _check_unchanged(migration, applied)
                continue
            try:
                async with conn.transaction():
                    await conn.execute(migration.sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name, checksum)"
                        " VALUES ($1, $2, $3)",
                        migration.version,
                        migration.name,
                        migration.checksum,
                    )
            except asyncpg.PostgresError as exc:
                raise MigrationError(f"{migration.name} failed: {exc}") from exc
            done.append(migration.name)
        return done
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _ADVISORY_LOCK_ID)


async def pending_migrations(
    conn: asyncpg.Connection, directory: Path = MIGRATIONS_DIR
) -> list[str]:
    """Names of migrations not yet applied; raises MigrationError if an applied one changed."""
    applied = await _applied(conn)
    pending = []
    for migration in discover(directory):
        if migration.version in applied:
            _check_unchanged(migration, applied)
        else:
            pending.append(migration.name)
    return pending
