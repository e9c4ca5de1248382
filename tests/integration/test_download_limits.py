"""Long downloads against a real server: clients of `labels.csv` that stop reading take a place
each (four per process, two per organization: the rest get 503 with Retry-After) but no database
connection, so every other request keeps being answered; a client that goes away gives its place
back; and SIGTERM ends downloads nobody reads, so the server exits within its 30 s budget."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from service.batches.labelling.serials import insert_serials
from service.core.db import create_pool
from service.core.download_gate import PER_OWNER, STREAMS
from tests.integration.verify_fixtures import LabelledBatch, make_batch, page_path, server_keyring
from tests.integration.world import Actor, World, build_world
from tests.live_server import server_env, server_process
from tests.pg_cluster import create_radura_database, discard, new_cluster

pytestmark = pytest.mark.slow

# big enough that no socket or server buffer holds it all: a client that stops reading stalls
# its download for good
SERIALS = 100_000
EXIT_WITHIN_S = 30.0


@dataclass
class Setup:
    world: World
    big: LabelledBatch  # SERIALS serials
    small: LabelledBatch  # a few, to scan


async def _prepare(url: str) -> Setup:
    pool = await create_pool(url, max_size=1, command_timeout_s=120)
    try:
        async with pool.acquire() as conn:
            world = await build_world(conn)
            big = await make_batch(conn, world, serials=0)
            async with conn.transaction():
                await insert_serials(conn, big.batch_id, SERIALS)
            return Setup(world, big, await make_batch(conn, world, serials=3))
    finally:
        await pool.close()


@dataclass
class Download:
    sock: socket.socket
    status: int
    headers: dict[str, str]


def _start_download(base_url: str, path: str, actor: Actor) -> Download:
    """Request `path` and read the answer's head only, like a client that then stops reading
    (a small receive buffer, so the server's sending stalls soon)."""
    address = urlsplit(base_url)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(30)
    sock.connect((address.hostname or "127.0.0.1", address.port or 80))
    sock.sendall(
        f"GET {path} HTTP/1.1\r\nHost: {address.netloc}\r\n"
        f"Authorization: Bearer {actor.token}\r\n\r\n".encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        received = sock.recv(1024)
        assert received, "the server closed the connection before answering"
        head += received
    lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Download(sock, int(lines[0].split()[1]), headers)


@contextlib.contextmanager
def _downloads(base_url: str, path: str, actors: list[Actor]) -> Iterator[list[Download]]:
    started = []
    try:
        for actor in actors:
            started.append(_start_download(base_url, path, actor))
        yield started
    finally:
        for download in started:
            download.sock.close()


def _gauge(base_url: str, name: str) -> float:
    text = httpx.get(base_url + "/metrics", timeout=10).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                return float(sample.value)
    raise AssertionError(f"no {name} in /metrics")


async def _database_now(url: str) -> datetime:
    conn = await asyncpg.connect(url)
    try:
        now: datetime = await conn.fetchval("SELECT clock_timestamp()")
        return now
    finally:
        await conn.close()


async def _idle_in_transaction_since(url: str, since: datetime) -> int:
    """Connections idle inside a transaction opened before `since`: the requests answered after
    it open and close short ones of their own (a scan's record), which a snapshot may catch."""
    conn = await asyncpg.connect(url)
    try:
        count: int = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND state LIKE 'idle in transaction%'"
            " AND xact_start < $1",
            since,
        )
        return count
    finally:
        await conn.close()


async def _others_are_answered(base_url: str, setup: Setup, data_dir: Path) -> list[int]:
    world, small = setup.world, setup.small
    keyring = server_keyring(data_dir)
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        answers = []
        for round_ in range(5):
            for path in (
                f"/api/v1/batches/{small.batch_id}",
                "/api/v1/batches",
                f"/api/v1/batches/{small.batch_id}/events",
                "/ready",
            ):
                answers.append(await client.get(path, headers=world.producer.headers))
            scan = page_path(keyring, small, small.serials[round_ % 3])
            answers.append(await client.get(scan, headers={"Accept": "application/json"}))
        return [answer.status_code for answer in answers]


def _eventually(check: object, within_s: float = 20.0) -> None:
    deadline = time.monotonic() + within_s
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.2)


def test_readers_that_stop_take_a_place_but_no_connection_and_leaving_gives_it_back(
    tmp_path: Path,
) -> None:
    cluster = new_cluster()
    try:
        url = asyncio.run(create_radura_database(cluster))
        setup = asyncio.run(_prepare(url))
        world = setup.world
        data_dir = tmp_path / "data"
        csv_path = f"/api/v1/batches/{setup.big.batch_id}/labels.csv"
        with server_process(server_env(url, data_dir)) as (base_url, _):
            # ten clients of three accounts (two organizations and an administrator)
            readers = [world.producer, world.regulator, world.admin] * 3 + [world.producer]
            with _downloads(base_url, csv_path, readers) as downloads:
                statuses = [d.status for d in downloads]
                assert statuses.count(200) == STREAMS, statuses
                refused = [d for d in downloads if d.status == 503]
                assert len(refused) == len(readers) - STREAMS, statuses
                assert all(int(d.headers["retry-after"]) > 0 for d in refused)
                for download in refused:
                    download.sock.close()
                # the stalled downloads hold no connection: every other request is answered
                stalled_since = asyncio.run(_database_now(url))
                answered = asyncio.run(_others_are_answered(base_url, setup, data_dir))
                assert set(answered) == {200}, answered
                assert asyncio.run(_idle_in_transaction_since(url, stalled_since)) == 0
                assert _gauge(base_url, "radura_downloads_in_progress") == STREAMS
            # the clients went away: their downloads end and give their places back
            _eventually(lambda: _gauge(base_url, "radura_downloads_in_progress") == 0)
            # so an organization that had its two gets two again
            again = [world.producer] * PER_OWNER
            with _downloads(base_url, csv_path, again) as downloads:
                assert [d.status for d in downloads] == [200] * PER_OWNER
    finally:
        discard(cluster)


@pytest.mark.timing
def test_sigterm_ends_downloads_nobody_reads(tmp_path: Path) -> None:
    cluster = new_cluster()
    try:
        url = asyncio.run(create_radura_database(cluster))
        setup = asyncio.run(_prepare(url))
        world = setup.world
        csv_path = f"/api/v1/batches/{setup.big.batch_id}/labels.csv"
        env = server_env(url, tmp_path / "data")
        with server_process(env, radura_serve=True) as (base_url, server):
            readers = [world.producer, world.regulator]
            with _downloads(base_url, csv_path, readers) as downloads:
                assert [d.status for d in downloads] == [200, 200]
                server.send_signal(signal.SIGTERM)
                terminated = time.monotonic()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    server.wait(timeout=EXIT_WITHIN_S + 30)
                exit_s = time.monotonic() - terminated
        print(f"exited {exit_s:.1f} s after SIGTERM with two stalled downloads")
        assert server.returncode is not None and exit_s < EXIT_WITHIN_S, exit_s
    finally:
        discard(cluster)
