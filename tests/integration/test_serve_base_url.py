"""`radura serve --port N` prints, signs and serves links on `http://localhost:N` (SPEC §7) when
RADURA_PUBLIC_BASE_URL is unset, in the demo's summary, in its workers and in the commands run
beside it; a set RADURA_PUBLIC_BASE_URL always wins."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

from PIL import Image

from service.core.settings import SERVE_PORT_FILE, load_settings
from tests.integration.cli_run import radura
from tests.live_server import ROOT, free_port, wait_ready
from tests.unit.labels.samples import decode_all


def _get(url: str, **headers: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.read()


def test_the_demo_prints_signs_and_verifies_on_the_port_it_serves(
    database_url: str, tmp_path: Path
):
    port = free_port()
    local = f"http://localhost:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADURA_")}
    env.update(
        RADURA_DATABASE_URL=database_url,
        RADURA_DATA_DIR=str(tmp_path),
        RADURA_RATE_LIMIT_PER_MINUTE="0",
    )
    # bound to every address: the links still say localhost, never 0.0.0.0
    command = ["serve", "--host", "0.0.0.0", "--port", str(port), "--demo"]
    server = subprocess.Popen(
        [sys.executable, "-m", "service.cli", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert server.stdout is not None
        printed = ""
        for line in server.stdout:  # the demo's summary, before the server starts
            printed += line
            if "Try: curl" in line:
                break
        # whatever the server prints later must not fill the pipe and stop it
        threading.Thread(target=server.stdout.read, daemon=True).start()
        assert f"Console:       {local}/app/" in printed, printed
        assert "0.0.0.0" not in printed and ":8000" not in printed
        label_uris = re.findall(r"label \(what the QR opens\): (\S+)", printed)
        assert label_uris and all(u.startswith(f"{local}/") for u in label_uris)
        released = re.search(
            rf"released\s+\w{{10}}\s+{re.escape(local)}(/api/v1/batches/\S+)", printed
        )
        assert released, printed
        tokens = printed.split("Tokens for this run")[1]
        admin_token = re.search(r"^\s+admin\s.*\s(\S+)$", tokens, re.MULTILINE)
        assert admin_token, printed
        admin_email = re.search(r"admin\s+(\S+@\S+)", printed)
        assert admin_email, printed
        wait_ready(f"http://127.0.0.1:{port}", server)  # type: ignore[arg-type]

        # the printed label opens on this server, and its scan verifies
        status, body = _get(label_uris[0], Accept="application/json")
        assert status == 200 and json.loads(body)["verdict"] in ("genuine", "recalled")

        # the worker process signs its QR codes with the same base URL
        auth = {"Authorization": f"Bearer {admin_token[1]}"}
        status, png = _get(f"{local}{released[1]}/qr.png?dpi=300", **auth)
        assert status == 200
        (qr_uri,) = decode_all(Image.open(io.BytesIO(png)))
        assert qr_uri.startswith(f"{local}/")
        status, body = _get(qr_uri, Accept="application/json")
        assert json.loads(body)["verdict"] == "genuine"

        # a command run beside the server prints links to it
        assert (tmp_path / SERVE_PORT_FILE).read_text().strip() == str(port)
        invite = radura(
            "user", "invite", admin_email[1], data_dir=tmp_path, RADURA_DATABASE_URL=database_url
        )
        assert invite.returncode == 0, invite.stderr
        assert invite.stdout.startswith(f"{local}/app/invite/"), invite.stdout
        explicit = radura(
            "user",
            "invite",
            admin_email[1],
            data_dir=tmp_path,
            RADURA_DATABASE_URL=database_url,
            RADURA_PUBLIC_BASE_URL="https://radura.example.id",
        )
        assert explicit.stdout.startswith("https://radura.example.id/app/invite/")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def test_the_default_base_url_is_the_last_served_port_and_a_set_one_wins(
    tmp_path: Path, monkeypatch
):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RADURA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("RADURA_PUBLIC_BASE_URL", raising=False)
    assert load_settings().public_base_url == "http://localhost:8000"  # nothing served yet
    (tmp_path / SERVE_PORT_FILE).write_text("8731\n")
    assert load_settings().public_base_url == "http://localhost:8731"
    (tmp_path / SERVE_PORT_FILE).write_text("not a port\n")
    assert load_settings().public_base_url == "http://localhost:8000"
    (tmp_path / SERVE_PORT_FILE).write_text("8731\n")
    monkeypatch.setenv("RADURA_PUBLIC_BASE_URL", "https://radura.example.id/")
    assert load_settings().public_base_url == "https://radura.example.id"
