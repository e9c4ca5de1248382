"""The wheel alone is enough: built from this tree, installed into a fresh venv and run from an
empty folder, `radura` migrates a database and serves the API, the verification page and the
console (migrations, templates, catalogs, static files and fonts all travel inside it)."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import site
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import venv
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

REPO = Path(__file__).resolve().parents[2]
_NOT_SOURCE = (".git", ".venv", "build", "*.egg-info", "test-artifacts", "__pycache__", ".*_cache")


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a venv holding only the wheel; the dependencies are seen through a
    .pth line pointing at this interpreter's site-packages (no download, no source tree)."""
    work = tmp_path_factory.mktemp("wheel")
    # built from a copy, so the checkout gets no build/ or egg-info folder
    source = work / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(*_NOT_SOURCE), symlinks=True)
    _run(sys.executable, "-m", "pip", "wheel", source, "-w", work / "dist", "--no-deps", cwd=work)
    (wheel,) = (work / "dist").glob("radura-*.whl")
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=False)
    target = env_dir / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", target, "install", "--no-deps", wheel, cwd=work)
    (own_site,) = Path(env_dir / "lib").glob("python3*/site-packages")
    # plain path lines: the editable install's hooks (.pth files there) are not run
    (own_site / "radura-deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return env_dir / "bin"


@pytest.fixture
def empty_database(database_url: str) -> Iterator[str]:
    """A new, empty database on the test server."""
    name = "radura_wheel_" + secrets.token_hex(4)

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(database_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    yield urlunsplit(urlsplit(database_url)._replace(path="/" + name))
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def test_the_installed_wheel_migrates_and_serves(
    installed: Path, empty_database: str, tmp_path: Path
):
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("RADURA_", "PYTHON", "VIRTUAL"))
    }
    env.update(
        RADURA_DATABASE_URL=empty_database,
        RADURA_DATA_DIR=str(tmp_path / "data"),
        RADURA_PUBLIC_BASE_URL=base,
    )
    python = installed / "python"
    where = _run(python, "-c", "import service; print(service.__file__)", cwd=cwd, env=env)
    assert Path(where.strip()).is_relative_to(installed.parent), where  # not the source tree

    migrated = _run(installed / "radura", "migrate", cwd=cwd, env=env)
    assert "applied 0001_accounts.sql" in migrated

    server = subprocess.Popen(
        [installed / "radura", "serve", "--port", str(port), "--demo"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        printed = []
        for line in server.stdout:  # the demo's summary, before the server starts
            printed.append(line)
            if "Try: curl" in line:
                break
        label_uris = re.findall(r"label \(what the QR opens\): (\S+)", "".join(printed))
        assert label_uris, "".join(printed)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                if _get(base + "/health")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        else:
            server.terminate()
            pytest.fail("the server never answered /health: " + server.communicate(timeout=30)[0])

        status, kind, page = _get(label_uris[0])  # the verification page's template
        assert (status, kind.split(";")[0]) == (200, "text/html"), page
        assert "Radura" in page

        status, _, sign_in = _get(base + "/app/login")  # console template + Indonesian catalog
        assert status == 200
        assert "Masuk ke Radura" in sign_in

        status, _, script = _get(base + "/app/static/htmx.min.js")  # vendored static file
        assert status == 200 and "htmx" in script

        code = re.search(r"released\s+(\w{10})", "".join(printed))
        assert code is not None
        sheet = tmp_path / "sheet.pdf"
        render = (installed / "radura", "labels", "render", code[1], "--copies", "3", "-o", sheet)
        assert "wrote 3 labels" in _run(*render, cwd=cwd, env=env)  # fonts inside the wheel
        assert sheet.read_bytes().startswith(b"%PDF")
    finally:
        server.terminate()
        server.wait(timeout=30)
