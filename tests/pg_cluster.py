"""A PostgreSQL cluster of a test's own (initdb + pg_ctl on a free loopback port in a temp dir),
to stop, start, or stream to a standby without disturbing the session's database or the
machine's own server."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from tests.live_server import free_port

DEBIAN_BIN = Path("/usr/lib/postgresql/15/bin")
NEEDED = ("initdb", "pg_ctl", "postgres", "pg_basebackup")
# initdb refuses to run as root: a root test runs the cluster as one of these users
OS_USERS = ("postgres", "pgserver")


def postgres_bin() -> Path | None:
    """Debian's PostgreSQL 15 binaries, else those bundled with pgserver."""
    candidates = [DEBIAN_BIN]
    try:
        from pgserver._commands import POSTGRES_BIN_PATH

        candidates.append(Path(POSTGRES_BIN_PATH))
    except ImportError:
        pass
    for directory in candidates:
        if all((directory / name).exists() for name in NEEDED):
            return directory
    return None


def _os_user() -> str | None:
    """Who runs the cluster: ourselves, or (as root) an unprivileged user that exists."""
    if os.geteuid() != 0:
        return None
    for name in OS_USERS:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    pytest.skip(f"running as root and none of {OS_USERS} exists to run PostgreSQL as")


@dataclass
class Cluster:
    bin_dir: Path
    data_dir: Path
    port: int
    os_user: str | None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def run(self, program: str, *args: str, timeout_s: float = 60) -> str:
        result = subprocess.run(
            [str(self.bin_dir / program), *args],
            user=self.os_user,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
            cwd="/",  # an unprivileged user may not read the test's working directory
        )
        if result.returncode != 0:
            raise RuntimeError(f"{program} failed ({result.returncode}): {result.stderr}")
        return result.stdout

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.data_dir} -c fsync=off"
        )
        log_file = str(self.data_dir / "server.log")
        self.run("pg_ctl", "-D", str(self.data_dir), "-l", log_file, "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        return (self.data_dir / "postmaster.pid").exists()

    def processes(self) -> list[int]:
        """The postmaster and every process it started (backends, checkpointer, walwriter…)."""
        postmaster = int((self.data_dir / "postmaster.pid").read_text().split()[0])
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                # the field after the parenthesised command name (which may hold spaces) is the
                # state, then the parent's pid
                parent = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if parent == postmaster:
                children.append(int(entry.name))
        return [postmaster, *children]

    @contextlib.contextmanager
    def hung(self) -> Iterator[None]:
        """The whole server stopped (SIGSTOP) for the block: connections stay open and new ones
        are accepted by the kernel, but nothing answers — a hung server, not a crashed one.
        SIGCONT afterwards, whatever happens in the block."""
        stopped = []
        try:
            for pid in self.processes():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGSTOP)
                    stopped.append(pid)
            yield
        finally:
            for pid in stopped:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)

    def standby(self) -> Cluster:
        """A hot standby streaming from this cluster (`pg_basebackup -R`), not yet started, in
        a folder beside this one's."""
        data_dir = self.data_dir.parent / f"standby-{free_port()}"
        _make_dir(data_dir, self.os_user)
        self.run(
            "pg_basebackup",
            "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
            "-D", str(data_dir), "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        return Cluster(self.bin_dir, data_dir, free_port(), self.os_user)


def _make_dir(path: Path, os_user: str | None) -> None:
    path.mkdir(mode=0o700, parents=True)
    if os_user is not None:
        shutil.chown(path, os_user, os_user)


def _private_root() -> Path:
    """A folder of its own under the system temp dir, reachable by the cluster's user.

    Not pytest's tmp_path: pytest resets its base folder to 0700 whenever a session starts,
    which would lock the cluster's user out of its data in the middle of a test."""
    root = Path(tempfile.mkdtemp(prefix="radura-pg-"))
    root.chmod(0o711)
    return root


def _has_library(bin_dir: Path, library: str) -> bool:
    pkglibdir = subprocess.run(
        [str(bin_dir / "pg_config"), "--pkglibdir"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return bool(pkglibdir) and (Path(pkglibdir) / f"{library}.so").exists()


def new_cluster(preload: tuple[str, ...] = ()) -> Cluster:
    """initdb (trust auth on loopback, replication allowed: PG 15's defaults), with the
    `preload` libraries, and start; skips the test when the binaries or libraries are missing.
    `discard` stops it and deletes its folder."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.skip(f"no PostgreSQL binaries ({', '.join(NEEDED)}) in {DEBIAN_BIN} or pgserver")
    missing = [library for library in preload if not _has_library(bin_dir, library)]
    if missing:
        pytest.skip(f"PostgreSQL in {bin_dir} lacks {', '.join(missing)}")
    os_user = _os_user()
    data_dir = _private_root() / "primary"
    _make_dir(data_dir, os_user)
    cluster = Cluster(bin_dir, data_dir, free_port(), os_user)
    cluster.run(
        "initdb", "-D", str(data_dir), "-U", "postgres", "--auth=trust", "-E", "UTF8",
        "--no-sync", "--locale=C",
    )  # fmt: skip
    # wal_level=replica and max_wal_senders are PG 15's defaults; said here so a standby is sure
    with (data_dir / "postgresql.conf").open("a") as conf:
        conf.write("wal_level = replica\nmax_wal_senders = 5\nhot_standby = on\n")
        if preload:
            conf.write(f"shared_preload_libraries = '{','.join(preload)}'\n")
    cluster.start()
    return cluster


def discard(*clusters: Cluster) -> None:
    """Stop the clusters (standbys first) and delete their folder."""
    for cluster in clusters:
        if cluster.running():
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                cluster.stop("immediate")
    for cluster in clusters:
        shutil.rmtree(cluster.data_dir.parent, ignore_errors=True)


async def create_radura_database(cluster: Cluster, name: str = "radura") -> str:
    """A migrated Radura database on `cluster`, with this month's scan partitions."""
    from service.core.migrate import apply_migrations

    admin = await asyncpg.connect(cluster.url())
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = cluster.url(name)
    conn = await asyncpg.connect(url)
    await apply_migrations(conn)
    await conn.execute("SELECT ensure_scan_partitions(2)")
    await conn.close()
    return url
