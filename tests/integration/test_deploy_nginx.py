"""The README's production shape, run for real: two `radura serve` processes sharing one
PostgreSQL, one RADURA_SIGNING_KEY and one Redis, behind a real nginx running
deploy/nginx.conf (only its ports changed), with RADURA_TRUSTED_PROXIES naming nginx.

Phones are told apart by the source address they connect to nginx from (Linux answers on all
of 127.0.0.0/8), so the client address Radura sees can only come from nginx's X-Forwarded-For.
RADURA_DATABASE_REPLICA_URL is left unset here: the streaming replica has its own test.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from tests.integration.verify_fixtures import make_batch
from tests.integration.world import World
from tests.live_server import ROOT, free_port, live_server

pytestmark = pytest.mark.asyncio(loop_scope="session")

NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
LIMIT_PER_MINUTE = 10
REDIS_URL = "redis://127.0.0.1:6379/0"

# every phone of this module connects from its own loopback address, in its own /24 (a scan
# fingerprint is of the /24), and so has its own rate-limit budget
PHONE_A, PHONE_B, PHONE_C, PHONE_D, PHONE_E, PHONE_F, PHONE_G = (
    f"127.0.{n}.7" for n in range(11, 18)
)


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def deploy_config(upstream_ports: tuple[int, int], listen_port: int) -> str:
    """deploy/nginx.conf with the test's ports in place of 80, 8001 and 8002."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    for default, port in (("8001", upstream_ports[0]), ("8002", upstream_ports[1])):
        text, found = re.subn(rf"server 127\.0\.0\.1:{default}\b", f"server 127.0.0.1:{port}", text)
        assert found == 1, f"deploy/nginx.conf no longer names upstream 127.0.0.1:{default}"
    text, found = re.subn(r"listen 80;", f"listen 127.0.0.1:{listen_port};", text)
    assert found == 1, "deploy/nginx.conf no longer listens on port 80"
    return text


@contextlib.contextmanager
def nginx_in_front(upstream_ports: tuple[int, int]) -> Iterator[tuple[str, Path]]:
    """A real nginx, as the current user, with every path it writes in a temp folder; yields
    its base URL and its access log (which records the upstream each request went to)."""
    assert NGINX is not None
    with tempfile.TemporaryDirectory(prefix="radura-nginx-") as tmp:
        prefix = Path(tmp)
        port = free_port()
        (prefix / "radura.conf").write_text(deploy_config(upstream_ports, port))
        access_log = prefix / "access.log"
        (prefix / "nginx.conf").write_text(
            f"""
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 128; }}
http {{
    log_format upstream '$remote_addr $status $upstream_addr';
    access_log {access_log} upstream;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/radura.conf;
}}
"""
        )
        process = subprocess.Popen(
            [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", "stderr"],
            stdout=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while True:
                assert process.poll() is None, f"nginx exited with {process.returncode}"
                with contextlib.suppress(OSError):
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                assert time.monotonic() < deadline, "nginx did not listen within 10 s"
                time.sleep(0.05)
            yield f"http://127.0.0.1:{port}", access_log
        finally:
            process.terminate()
            process.wait(timeout=10)


@dataclass
class Deployment:
    nginx: str
    processes: tuple[str, str]
    access_log: Path


@pytest.fixture(scope="module")
def deployment(database_url: str) -> Iterator[Deployment]:
    if NGINX is None:
        pytest.skip("nginx is not installed (Debian package nginx; .ci/run installs it)")
    if not redis_answers():
        pytest.skip("no Redis answers at 127.0.0.1:6379")
    # a public address of its own: this run's rate-limit keys in Redis are its own
    public_base_url = f"https://radura-{secrets.token_hex(4)}.example"
    env = {
        "RADURA_DATABASE_URL": database_url,
        "RADURA_SIGNING_KEY": secrets.token_hex(32),
        "RADURA_REDIS_URL": REDIS_URL,
        "RADURA_TRUSTED_PROXIES": "127.0.0.1/32",
        "RADURA_RATE_LIMIT_PER_MINUTE": str(LIMIT_PER_MINUTE),
        "RADURA_PUBLIC_BASE_URL": public_base_url,
        "RADURA_LOG_FORMAT": "json",
    }
    # two machines' worth: each has its own data folder, so only the env key can be shared
    with (
        tempfile.TemporaryDirectory() as first_dir,
        tempfile.TemporaryDirectory() as second_dir,
        live_server({**env, "RADURA_DATA_DIR": first_dir}, radura_serve=True) as first,
        live_server({**env, "RADURA_DATA_DIR": second_dir}, radura_serve=True) as second,
    ):
        ports = (urlsplit(first).port or 0, urlsplit(second).port or 0)
        with nginx_in_front(ports) as (nginx, access_log):
            yield Deployment(nginx, (first, second), access_log)


def phone(base_url: str, address: str) -> httpx.AsyncClient:
    """A client connecting from `address`, one new connection per request (as many phones)."""
    transport = httpx.AsyncHTTPTransport(local_address=address, retries=0)
    limits = httpx.Limits(max_keepalive_connections=0)
    return httpx.AsyncClient(base_url=base_url, transport=transport, limits=limits)


async def _statuses(client: httpx.AsyncClient, n: int, **kwargs: object) -> list[int]:
    return [(await client.get("/.well-known/jwks.json", **kwargs)).status_code for _ in range(n)]  # type: ignore[arg-type]


async def _scan(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> httpx.Response:
    """A phone's scan of a GS1 label: the resolver's 307 to the label's page on the public host,
    which is this deployment (its made-up name resolves nowhere, so the path is followed here)."""
    hop = await client.get(path, headers=headers)
    assert hop.status_code == 307, hop.text
    target = urlsplit(hop.headers["location"])
    return await client.get(f"{target.path}?{target.query}", headers=headers)


def _upstreams_used(access_log: Path, address: str) -> set[str]:
    lines = access_log.read_text().splitlines()
    return {line.split()[2] for line in lines if line.startswith(address + " ")}


async def test_two_phones_behind_nginx_have_two_budgets_shared_by_both_processes(
    deployment: Deployment,
) -> None:
    async with phone(deployment.nginx, PHONE_A) as a, phone(deployment.nginx, PHONE_B) as b:
        assert await _statuses(a, 15) == [200] * LIMIT_PER_MINUTE + [429] * 5
        # the second phone is not held back by the first one's budget
        assert await _statuses(b, 15) == [200] * LIMIT_PER_MINUTE + [429] * 5
    # nginx spread each phone's requests over both processes, yet each got exactly one budget
    await asyncio.sleep(0.2)  # nginx writes its log line after the answer
    for address in (PHONE_A, PHONE_B):
        assert len(_upstreams_used(deployment.access_log, address)) == 2


async def test_a_forged_x_forwarded_for_changes_nothing(deployment: Deployment) -> None:
    # straight to a process, from an address that is no trusted proxy
    async with phone(deployment.processes[0], PHONE_C) as direct:
        statuses = [
            (
                await direct.get(
                    "/.well-known/jwks.json",
                    headers={
                        "X-Forwarded-For": f"198.51.100.{n}",
                        "Forwarded": f"for=198.51.100.{n}",
                    },
                )
            ).status_code
            for n in range(15)
        ]
        assert statuses == [200] * LIMIT_PER_MINUTE + [429] * 5
    # through nginx, which appends the address it really saw after the forged ones
    async with phone(deployment.nginx, PHONE_D) as forger:
        statuses = [
            (
                await forger.get(
                    "/.well-known/jwks.json", headers={"X-Forwarded-For": f"198.51.100.{n}"}
                )
            ).status_code
            for n in range(15)
        ]
        assert statuses == [200] * LIMIT_PER_MINUTE + [429] * 5


async def test_a_label_issued_on_one_process_verifies_on_the_other_for_two_distinct_phones(
    deployment: Deployment, pool: asyncpg.Pool, world: World
) -> None:
    async with pool.acquire() as conn:
        batch = await make_batch(conn, world, serials=0)
    first, second = deployment.processes
    async with httpx.AsyncClient(base_url=first, headers=world.producer.headers) as api:
        issued = await api.post(f"/api/v1/batches/{batch.batch_id}/labels", json={"count": 1})
        assert issued.status_code == 201, issued.text
        rows = (await api.get(f"/api/v1/batches/{batch.batch_id}/labels.csv")).text.splitlines()
    serial, uri = rows[1].split(",")
    parts = urlsplit(uri)
    path = f"{parts.path}?{parts.query}"
    json = {"Accept": "application/json"}
    async with phone(second, PHONE_G) as other:
        answer = await _scan(other, path, json)
        assert answer.status_code == 200, answer.text
        assert answer.json()["verdict"] == "genuine"
    # two more phones over nginx, each twice in a row (so through both processes)
    async with phone(deployment.nginx, PHONE_E) as e, phone(deployment.nginx, PHONE_F) as f:
        for client in (e, e, f, f):
            answer = await _scan(client, path, json)
            assert answer.status_code == 200, answer.text
            assert answer.json()["verdict"] == "genuine"
    await asyncio.sleep(1.5)  # scans are written at least every second (and nginx's log)
    for address in (PHONE_E, PHONE_F):
        assert len(_upstreams_used(deployment.access_log, address)) == 2
    fingerprints = await pool.fetchval(
        "SELECT count(DISTINCT fingerprint) FROM scans WHERE batch_id = $1 AND serial = $2",
        batch.batch_id,
        serial,
    )
    # three phones; were nginx's address taken for the client, the two behind it would be one
    assert fingerprints == 3


def _locations(config: str) -> list[tuple[str, str]]:
    """(the location's pattern, its directives) of every location block of an nginx config."""
    return [
        (match.group(1).strip(), match.group(2))
        for match in re.finditer(r"^\s*location\s+([^{]+)\{(.*?)^\s*\}", config, re.M | re.S)
    ]


def _location_for(config: str, path: str) -> str:
    """The directives of the location nginx picks for `path` (a matching regex wins over `/`)."""
    prefix_body = ""
    for pattern, body in _locations(config):
        if pattern.startswith("~"):
            if re.search(pattern.lstrip("~*").strip(), path):
                return body
        elif path.startswith(pattern):
            prefix_body = body
    return prefix_body


async def test_label_downloads_may_take_ten_minutes_and_are_not_buffered() -> None:
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    batch = "0b7c1e52-4a4c-4bb0-9a53-2f3b4c5d6e7f"
    for name in ("labels.pdf", "certificate.pdf"):
        body = _location_for(config, f"/api/v1/batches/{batch}/{name}")
        assert re.search(r"proxy_read_timeout\s+600s;", body), name
        assert re.search(r"proxy_buffering\s+off;", body), name
        assert "proxy_pass http://radura;" in body
    # everything else keeps the short timeout and nginx's buffering
    for path in (f"/api/v1/batches/{batch}/label.svg", "/v/ABC123/0001", "/api/v1/batches"):
        body = _location_for(config, path)
        assert re.search(r"proxy_read_timeout\s+60s;", body), path
        assert "proxy_buffering" not in body, path
