"""`radura serve --access-log` keeps invite tokens and other secrets of a URL out of its log."""

from __future__ import annotations

import secrets
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.live_server import live_server, server_env


def _get(url: str) -> None:
    try:
        with urllib.request.urlopen(url, timeout=10):
            pass
    except urllib.error.HTTPError:
        pass  # an unknown token is refused: the request is logged all the same


def _logged(log: Path, marker: str, timeout_s: float = 10) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        text = log.read_text("utf-8", errors="replace")
        if marker in text:
            return text
        time.sleep(0.1)
    raise AssertionError(f"{marker!r} not in the access log:\n{text}")


def test_the_access_log_keeps_six_characters_of_an_invite_token(
    database_url: str, tmp_path: Path
) -> None:
    token = secrets.token_urlsafe(32)
    signature = secrets.token_urlsafe(32)
    log = tmp_path / "stdout.log"
    env = server_env(database_url, tmp_path / "data")
    with live_server(env, radura_serve=True, access_log=log) as base_url:
        _get(f"{base_url}/app/invite/{token}")
        _get(f"{base_url}/app/password-reset/{token}")
        _get(f"{base_url}/r/{token}?s={signature}")
        _get(f"{base_url}/ready")
        text = _logged(log, "/ready")
    assert f"/app/invite/{token[:6]}…" in text
    assert f"/app/password-reset/{token[:6]}…" in text
    assert f"/r/{token[:6]}…" in text
    assert token[:7] not in text
    assert signature[:7] not in text
    assert "GET /ready" in text  # the rest of the line, and other paths, as granian writes them
