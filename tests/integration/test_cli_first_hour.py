"""The `radura` command's answers to the mistakes people make on their first day: one line
that names the variable, what is wrong and a good value, exit status 2, never a traceback."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.integration.cli_run import assert_one_line_refusal, radura


def _closed_port_url() -> str:
    """A PostgreSQL URL at a loopback port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql://radura:hunter2pw@127.0.0.1:{port}/radura"


def _missing_database_url(database_url: str) -> str:
    """The test server, but a database on it that does not exist."""
    return urlunsplit(urlsplit(database_url)._replace(path="/radura_no_such_database"))


COMMANDS = [
    ("serve", "--port", "18199"),
    ("migrate",),
    ("user", "create", "--role", "admin", "--name", "Ana"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_malformed_database_url_is_one_line(command: tuple[str, ...], tmp_path: Path):
    result = radura(*command, data_dir=tmp_path, RADURA_DATABASE_URL="notaurl")
    assert_one_line_refusal(result, "RADURA_DATABASE_URL", "postgresql://")
    assert "notaurl" not in result.stderr.split(";")[1]  # the example is a good value, not theirs


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_an_unreachable_database_is_one_line_before_any_worker_starts(
    command: tuple[str, ...], tmp_path: Path
):
    url = _closed_port_url()
    result = radura(*command, data_dir=tmp_path, RADURA_DATABASE_URL=url)
    assert_one_line_refusal(result, "RADURA_DATABASE_URL", "cannot connect", "postgresql://")
    assert "hunter2pw" not in result.stderr  # the password in the URL is never shown


def test_a_missing_database_on_a_running_server_is_one_line(database_url: str, tmp_path: Path):
    url = _missing_database_url(database_url)
    result = radura("serve", "--port", "18199", data_dir=tmp_path, RADURA_DATABASE_URL=url)
    assert_one_line_refusal(result, "RADURA_DATABASE_URL", "radura_no_such_database")


@pytest.mark.parametrize(
    ("key", "rule"),
    [
        ("abc", "64 hex"),
        ("0" * 63, "64 hex"),
        ("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----", "PEM"),
    ],
    ids=["short", "63-hex", "bad-pem"],
)
def test_a_malformed_signing_key_is_one_line(
    key: str, rule: str, database_url: str, tmp_path: Path
):
    result = radura(
        "serve", data_dir=tmp_path, RADURA_DATABASE_URL=database_url, RADURA_SIGNING_KEY=key
    )
    assert_one_line_refusal(result, "RADURA_SIGNING_KEY", rule, "openssl rand -hex 32")
    assert key.splitlines()[0] not in result.stderr.replace("-----BEGIN PRIVATE KEY-----", "")
    assert not (tmp_path / "keys").exists()


@pytest.mark.parametrize(
    "base_url", ["localhost:18112", "radura.example.id", "ftp://radura.example.id", "https://:8000"]
)
def test_a_public_base_url_without_scheme_and_host_is_one_line(base_url: str, tmp_path: Path):
    result = radura("migrate", data_dir=tmp_path, RADURA_PUBLIC_BASE_URL=base_url)
    assert_one_line_refusal(result, "RADURA_PUBLIC_BASE_URL", "https://", repr(base_url))


@pytest.mark.parametrize(
    ("variable", "value"),
    [("RADURA_DB_POOL_SIZE", "ten"), ("RADURA_CLONE_THRESHOLD", "0"), ("RADURA_LOG_FORMAT", "x")],
)
def test_other_malformed_variables_are_one_line(variable: str, value: str, tmp_path: Path):
    result = radura("migrate", data_dir=tmp_path, **{variable: value})
    assert_one_line_refusal(result, variable, f"{variable}=")


@pytest.mark.parametrize(
    "command",
    [
        ("serve", "--workers", "0"),
        ("serve", "--port", "0"),
        ("labels", "render", "AFVFNPT6ZT", "-o", "x.pdf", "--copies", "0"),
    ],
    ids=["workers", "port", "copies"],
)
def test_counts_below_one_are_refused_not_changed(command: tuple[str, ...], tmp_path: Path):
    result = radura(*command, data_dir=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "must be at least 1" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "pg").exists()  # refused before any database was started


def test_a_batch_that_is_neither_id_nor_code_is_refused_by_name(tmp_path: Path):
    result = radura("labels", "render", "batch-12", "-o", "x.pdf", data_dir=tmp_path)
    assert_one_line_refusal(result, "BATCH", "code", "'batch-12'")
    assert not (tmp_path / "pg").exists()
