"""`radura db stop` stops the embedded PostgreSQL that `radura db url` leaves running."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import asyncpg

from tests.integration.cli_run import assert_one_line_refusal, radura


def _answers(dsn: str) -> bool:
    async def ask() -> bool:
        try:
            conn = await asyncpg.connect(dsn, timeout=5)
        except (OSError, asyncpg.PostgresError):
            return False
        await conn.close()
        return True

    return asyncio.run(ask())


def test_db_url_leaves_it_running_and_db_stop_stops_it(tmp_path: Path):
    started = radura("db", "url", data_dir=tmp_path)
    assert started.returncode == 0, started.stderr
    dsn = started.stdout.strip()
    try:
        assert _answers(dsn)  # still up after `db url` exited
        stopped = radura("db", "stop", data_dir=tmp_path)
        assert stopped.returncode == 0, stopped.stderr
        assert stopped.stdout.startswith("stopped the embedded database")
        assert not _answers(dsn)
        assert not (tmp_path / "pg" / "postmaster.pid").exists()
        again = radura("db", "stop", data_dir=tmp_path)
        assert again.returncode == 0, again.stderr
        assert again.stdout.startswith("no embedded database is running")
    finally:
        radura("db", "stop", data_dir=tmp_path)


def test_db_stop_leaves_a_server_another_process_still_uses(tmp_path: Path):
    started = radura("db", "url", data_dir=tmp_path)
    assert started.returncode == 0, started.stderr
    dsn = started.stdout.strip()
    # another process holding the server as `radura serve` does, until its stdin closes
    holder_code = (
        "import sys, pgserver; pgserver.get_server(sys.argv[1], cleanup_mode='stop'); "
        "print('ready', flush=True); sys.stdin.read()"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", holder_code, str(tmp_path / "pg")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "ready\n"
        refused = radura("db", "stop", data_dir=tmp_path)
        assert refused.returncode == 1
        assert "still used by another radura process" in refused.stderr
        assert _answers(dsn)
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=60)  # the last user leaving stops it (cleanup_mode 'stop')
    assert not _answers(dsn)


def test_db_stop_never_stops_a_configured_server(database_url: str, tmp_path: Path):
    result = radura("db", "stop", data_dir=tmp_path, RADURA_DATABASE_URL=database_url)
    assert_one_line_refusal(result, "RADURA_DATABASE_URL")
    assert _answers(database_url)
