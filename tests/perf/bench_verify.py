"""Public verification throughput and p99 latency under `wrk`, against a bare Litestar handler.

Both run under granian with the same worker count, in the same run, on this machine:
- baseline: `tests.perf.bare_app` (a handler returning a constant JSON object);
- `radura serve` on a real PostgreSQL (embedded in a temporary folder, or RADURA_DATABASE_URL),
  verifying one signed serial label: JSON, HTML, the short /v/ form, and the GS1 resolver's
  307 from the printed /01/ URI to the page.

Every verification does all a real scan does: parse, Ed25519 (or the cached verified token),
cached label view, clone tally, scan logged and flushed to PostgreSQL by COPY. Requests carry
the headers phones send (`Accept-Encoding: gzip`, so the page comes compressed).
Target: verification JSON ≥ 70 % of the baseline's requests/s, p99 ≤ 25 ms at 64 connections.

    python tests/perf/bench_verify.py [--workers 1] [--connections 64] [--duration 5] [--rounds 3]

Needs `wrk` (Debian: `apt-get install wrk`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.perf._server import free_port, radura_serve, start, stop, wait_until_ok

TARGET_SHARE = 0.70
TARGET_P99_MS = 25.0


@dataclass
class Figures:
    name: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: str


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(
    url: str, args: argparse.Namespace, headers: dict[str, str], seconds: int
) -> tuple[float, float, float, str]:
    """requests/s, p50 ms, p99 ms and any error line of one wrk run."""
    header_args = [arg for k, v in headers.items() for arg in ("-H", f"{k}: {v}")]
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(args.threads),
            "-c",
            str(args.connections),
            *header_args,
            "-d",
            f"{seconds}s",
            "--latency",
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s*50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s*99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    errors = ", ".join(
        line.strip() for line in out.splitlines() if "Non-2xx" in line or "Socket errors" in line
    )
    return rps, p50, p99, errors


async def seed(dsn: str, data_dir: Path) -> tuple[str, str]:
    """One released batch with a GTIN and one serial; returns its GS1 and short label paths."""
    import asyncpg

    from labels.signing import Keyring
    from tests.integration.verify_fixtures import label_path, make_batch
    from tests.integration.world import build_world

    conn = await asyncpg.connect(dsn)
    try:
        from service.core.db import _init_connection

        await _init_connection(conn)
        world = await build_world(conn)
        batch = await make_batch(conn, world, serials=1)
    finally:
        await conn.close()
    keyring = Keyring.load_or_create(data_dir, None)
    return (
        label_path(keyring, batch, batch.serials[0]),
        label_path(keyring, batch, batch.serials[0], short=True),
    )


async def migrate(dsn: str) -> None:
    import asyncpg

    from service.core.migrate import apply_migrations

    conn = await asyncpg.connect(dsn)
    try:
        await apply_migrations(conn)
        await conn.execute("SELECT ensure_scan_partitions(2)")
    finally:
        await conn.close()


def measure(
    args: argparse.Namespace, dsn: str, data_dir: Path, others: dict[str, str] | None = None
) -> list[Figures]:
    """Both servers up side by side; rounds alternate between them, so a neighbour's load on
    this machine hits the baseline and the verification alike. Medians over the rounds.

    `others` (name: database URL) adds a server per database, verifying its own label in the
    same alternating rounds, e.g. an empty and a full database compared under equal load."""
    gs1_path, short_path = asyncio.run(seed(dsn, data_dir))
    other_paths = {name: asyncio.run(seed(url, data_dir)) for name, url in (others or {}).items()}
    workers = str(args.workers)
    bare_port, radura_port = free_port(), free_port()
    bare = start(
        [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "asgi",
            "--factory",
            "--port",
            str(bare_port),
            "--workers",
            workers,
            "tests.perf.bare_app:create_app",
        ]
    )
    env = {
        "RADURA_DATABASE_URL": dsn,
        "RADURA_DATA_DIR": str(data_dir),
        "RADURA_RATE_LIMIT_PER_MINUTE": "0",
        "RADURA_LOG_FORMAT": "json",
    }
    radura = radura_serve(radura_port, env, "--workers", workers)
    other_servers = {}
    for name, url in (others or {}).items():
        port = free_port()
        other_servers[name] = (
            port,
            radura_serve(port, env | {"RADURA_DATABASE_URL": url}, "--workers", workers),
        )
    bare_root, root = f"http://127.0.0.1:{bare_port}", f"http://127.0.0.1:{radura_port}"
    # as a phone's browser or an app asks: every one of them takes gzip
    gzip = {"Accept-Encoding": "gzip, deflate, br"}
    json = {"Accept": "application/json", **gzip}
    html = {"Accept": "text/html", "Accept-Language": "id", **gzip}
    targets = [
        ("bare Litestar handler (JSON)", bare_root + "/bare", json),
        ("verify GS1 label, JSON", root + "/label" + gs1_path, json),
        ("verify GS1 label, HTML", root + "/label" + gs1_path, html),
        ("verify /v/ label, JSON", root + short_path, json),
        # what a scan of a printed GS1 label pays first: the resolver's 307 to the page
        ("GS1 resolver hop (307)", root + gs1_path, html),
    ]
    for name, (port, _) in other_servers.items():
        targets.append(
            (
                f"verify GS1 label, JSON, {name}",
                f"http://127.0.0.1:{port}" + other_paths[name][0],
                json,
            )
        )
    runs: dict[str, list[tuple[float, float, float, str]]] = {name: [] for name, _, _ in targets}
    try:
        wait_until_ok(bare_root + "/ready")
        wait_until_ok(root + "/ready")
        for port, _ in other_servers.values():
            wait_until_ok(f"http://127.0.0.1:{port}/ready")
        for _, url, headers in targets:  # warm-up: caches, pools, the scan log's first COPY
            run_wrk(url, args, headers, 2)
        for _ in range(args.rounds):
            for name, url, headers in targets:
                runs[name].append(run_wrk(url, args, headers, args.duration))
    finally:
        for _, server in other_servers.values():
            stop(server)
        stop(radura)
        stop(bare)
    return [
        Figures(
            name,
            statistics.median(r[0] for r in runs[name]),
            statistics.median(r[1] for r in runs[name]),
            statistics.median(r[2] for r in runs[name]),
            "; ".join(r[3] for r in runs[name] if r[3]),
        )
        for name, _, _ in targets
    ]


def report(args: argparse.Namespace, figures: list[Figures]) -> bool:
    baseline = figures[0].requests_per_s
    print(
        f"granian, {args.workers} worker(s); wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration}s, median of {args.rounds} alternating rounds; {os.cpu_count()} CPUs"
    )
    print(f"{'':<32} {'req/s':>9} {'of bare':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for f in figures:
        share = f.requests_per_s / baseline
        print(
            f"{f.name:<32} {f.requests_per_s:>9.0f} {share:>7.0%} {f.p50_ms:>8.2f} "
            f"{f.p99_ms:>8.2f}" + (f"   ({f.errors})" if f.errors else "")
        )
    verify_json = figures[1]
    share = verify_json.requests_per_s / baseline
    ok = share >= TARGET_SHARE and verify_json.p99_ms <= TARGET_P99_MS
    print(
        f"target: verification JSON >= {TARGET_SHARE:.0%} of bare and p99 <= "
        f"{TARGET_P99_MS:.0f} ms: {'MET' if ok else 'NOT MET'} "
        f"({share:.0%}, p99 {verify_json.p99_ms:.2f} ms)"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print(
            "wrk is not installed. Install it (Debian/Ubuntu): sudo apt-get install -y wrk",
            file=sys.stderr,
        )
        return 2
    with tempfile.TemporaryDirectory(prefix="radura-bench-") as tmp:
        data_dir = Path(tmp)
        dsn = os.environ.get("RADURA_DATABASE_URL")
        server = None
        if not dsn:
            import pgserver

            server = pgserver.get_server(data_dir / "pg", cleanup_mode="stop")
            dsn = server.get_uri()
            print("database: embedded PostgreSQL (pgserver) in a temporary folder")
        else:
            print("database: RADURA_DATABASE_URL")
        try:
            asyncio.run(migrate(dsn))
            ok = report(args, measure(args, dsn, data_dir))
        finally:
            if server is not None:
                server.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
