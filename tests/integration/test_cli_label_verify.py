"""`radura label verify` only reads: it never makes a key file, and with no keys it says where
it looked and how to check against a server's published keys instead."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from labels.signing import Keyring
from labels.uri import signed_uri
from schemas.labels import LabelRef
from tests.integration.cli_run import assert_one_line_refusal, radura

REF = LabelRef(code="AFVFNPT6ZT", lot="LOT-7")


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under `folder` with its mode and modification time."""
    return {
        str(path.relative_to(folder)): (path.stat().st_mode, path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
    }


def test_without_keys_it_writes_nothing_and_suggests_jwks(tmp_path: Path):
    uri = signed_uri("https://radura.test", REF, Keyring.generate())
    result = radura("label", "verify", uri, data_dir=tmp_path)
    assert_one_line_refusal(result, str(tmp_path / "keys"), "--jwks", "/.well-known/jwks.json")
    assert list(tmp_path.iterdir()) == []


def test_with_the_data_folder_keys_it_verifies_and_changes_nothing(tmp_path: Path):
    keyring = Keyring.load_or_create(tmp_path)
    uri = signed_uri("https://radura.test", REF, keyring)
    before = _tree(tmp_path)
    result = radura("label", "verify", uri, data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"VALID: signed by key {keyring.active_kid} (active)")
    assert _tree(tmp_path) == before


def test_a_retired_key_alone_still_verifies_without_becoming_active(tmp_path: Path):
    first = Keyring.load_or_create(tmp_path)
    uri = signed_uri("https://radura.test", REF, first)
    Keyring.rotate(tmp_path)
    (tmp_path / "keys" / "active.pem").unlink()  # only the archive is left
    before = _tree(tmp_path)
    result = radura("label", "verify", uri, data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"key {first.active_kid} (retired)" in result.stdout
    assert _tree(tmp_path) == before


def test_jwks_file(tmp_path: Path):
    keyring = Keyring.generate()
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(keyring.jwks()))
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    uri = signed_uri("https://radura.test", REF, keyring)
    result = radura("label", "verify", uri, "--jwks", str(jwks), data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("VALID")
    assert list(data_dir.iterdir()) == []
    other = signed_uri("https://radura.test", REF, Keyring.generate())
    unknown = radura("label", "verify", other, "--jwks", str(jwks), data_dir=data_dir)
    assert unknown.returncode == 1
    assert unknown.stdout.startswith("INVALID: unknown kid")


@pytest.fixture
def jwks_server() -> Iterator[tuple[str, Keyring]]:
    """A real HTTP server on loopback publishing one keyring at /.well-known/jwks.json."""
    keyring = Keyring.generate()
    body = json.dumps(keyring.jwks()).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = self.path == "/.well-known/jwks.json"
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body if found else b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", keyring
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("path", ["", "/", "/.well-known/jwks.json"])
def test_jwks_url_of_a_server(path: str, jwks_server: tuple[str, Keyring], tmp_path: Path):
    base, keyring = jwks_server
    uri = signed_uri("https://radura.test", REF, keyring)
    result = radura("label", "verify", uri, "--jwks", base + path, data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("VALID")
    assert list(tmp_path.iterdir()) == []


def test_an_unreadable_jwks_is_one_line(jwks_server: tuple[str, Keyring], tmp_path: Path):
    base, keyring = jwks_server
    uri = signed_uri("https://radura.test", REF, keyring)
    missing = radura("label", "verify", uri, "--jwks", base + "/nope.json", data_dir=tmp_path)
    assert_one_line_refusal(missing, "--jwks", "404")
    (tmp_path / "list.json").write_text("[]")
    not_jwks = radura(
        "label", "verify", uri, "--jwks", str(tmp_path / "list.json"), data_dir=tmp_path
    )
    assert_one_line_refusal(not_jwks, "--jwks", "not a JSON object")


def test_a_key_file_others_can_read_is_named_not_fixed(tmp_path: Path):
    keyring = Keyring.load_or_create(tmp_path)
    active = tmp_path / "keys" / "active.pem"
    active.chmod(0o644)
    before = _tree(tmp_path)
    result = radura(
        "label", "verify", signed_uri("https://radura.test", REF, keyring), data_dir=tmp_path
    )
    assert_one_line_refusal(result, str(active), "chmod 600")
    assert "--jwks" not in result.stderr
    assert _tree(tmp_path) == before
