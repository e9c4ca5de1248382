"""Batch registrations per second and latency through HTTP, against a bare Litestar baseline.

Starts `radura serve` in a subprocess (embedded PostgreSQL in a temporary data folder, or the
server of RADURA_DATABASE_URL, migrated first), creates a producer, a facility and a product
through the API, then drives POST /api/v1/batches from a separate process with an async httpx
client: each request registers a new batch (new lot) — one transaction with the batch row, its
first audit event and, with --idempotency, the idempotency record. The baseline, measured in
the same run with the same client, server and worker count, is a bare Litestar handler that
decodes the same body into a msgspec Struct and returns a constant 201 — no auth, no database.
Both servers stay up and the variants are measured in interleaved slices, so background load on
the machine falls on each alike. The client is one process: on a small machine it is itself a
bottleneck (one httpx request costs about as much CPU as the bare handler), which caps the
baseline first — read the ratio as a lower bound of what the service costs over Litestar.

    python tests/perf/bench_batches.py [--rounds 4] [--seconds 3] [--concurrency 16]
                                       [--workers 1] [--idempotency]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import msgspec
from litestar import Litestar, post

from tests.perf._server import free_port, radura_serve, start, stop, wait_until_ok

# --- the baseline app (served by granian from this module) -----------------------------------


class _BareBatch(msgspec.Struct, forbid_unknown_fields=True):
    product_id: UUID
    facility_id: UUID
    lot: str
    production_date: date
    quantity: float
    unit: str


@post("/api/v1/batches", sync_to_thread=False)
def _bare_register(data: _BareBatch) -> dict[str, str]:
    return {
        "id": "00000000-0000-4000-8000-000000000000",
        "code": "0000000000",
        "status": "registered",
    }


def create_bare_app() -> Litestar:
    from litestar import get

    @get("/ready", sync_to_thread=False)
    def ready() -> dict[str, str]:
        return {"status": "ready"}

    return Litestar(route_handlers=[_bare_register, ready])


# --- the load generator (runs in its own process) --------------------------------------------


async def _drive(
    base_url: str,
    token: str,
    body: dict[str, Any],
    seconds: float,
    concurrency: int,
    warmup: float,
    idempotency: bool,
) -> dict[str, Any]:
    """`concurrency` clients, each with its own keep-alive connection, sending back to back.

    One AsyncClient per simulated client: a single client's shared pool costs more CPU per
    request as the number of connections grows and would measure httpx, not the server."""
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    run = secrets.token_hex(3)  # lots (and keys) never repeat across runs on one database
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    measure_from = time.perf_counter() + warmup
    stop_at = measure_from + seconds

    async def client_loop(client_id: int) -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
            sent = 0
            while (now := time.perf_counter()) < stop_at:
                sent += 1
                lot = f"{run}-{client_id}-{sent}"
                extra = {"Idempotency-Key": lot} if idempotency else {}
                response = await client.post(
                    "/api/v1/batches", json=body | {"lot": lot}, headers=headers | extra
                )
                if now >= measure_from:
                    latencies.append(time.perf_counter() - now)
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    await asyncio.gather(*(client_loop(i) for i in range(concurrency)))
    return {"seconds": seconds, "latencies_s": latencies, "statuses": statuses}


def _run_driver(
    base_url: str, token: str, body: dict[str, Any], args: argparse.Namespace, idempotency: bool
) -> dict[str, Any]:
    """The load generator in a separate process, so client and server do not share an event
    loop or a GIL."""
    spec = json.dumps(
        {
            "base_url": base_url,
            "token": token,
            "body": body,
            "seconds": args.seconds,
            "concurrency": args.concurrency,
            "warmup": args.warmup,
            "idempotency": idempotency,
        }
    )
    output = subprocess.run(
        [sys.executable, __file__, "--drive", spec], check=True, capture_output=True, text=True
    )
    result: dict[str, Any] = json.loads(output.stdout)
    return result


# --- setting up the world through the API ----------------------------------------------------


def _api(base_url: str, method: str, path: str, token: str, body: Any = None) -> Any:
    import httpx

    response = httpx.request(
        method, base_url + path, json=body, timeout=30, headers={"Authorization": f"Bearer {token}"}
    )
    response.raise_for_status()
    return response.json()


def _setup(base_url: str, env: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """An admin from the CLI, then a producer, a facility and a product over HTTP."""
    created = subprocess.run(
        [
            sys.executable,
            "-m",
            "service.cli",
            "user",
            "create",
            "--role",
            "admin",
            "--name",
            "Bench Admin",
        ],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    admin = json.loads(created.stdout)["token"]
    producer_org = _api(
        base_url,
        "POST",
        "/api/v1/organizations",
        admin,
        {"kind": "producer", "name": "Bench Rendang", "address": "Jl. Uji 1", "city": "Serpong"},
    )
    facility = _api(
        base_url,
        "POST",
        "/api/v1/organizations",
        admin,
        {"kind": "facility", "name": "Bench IGMP", "address": "Puspiptek", "city": "Serpong"},
    )
    producer = _api(
        base_url,
        "POST",
        "/api/v1/users",
        admin,
        {"name": "Bench Producer", "role": "producer", "organization_id": producer_org["id"]},
    )
    product = _api(
        base_url,
        "POST",
        "/api/v1/products",
        producer["token"],
        {
            "name": "Ayam bench",
            "category": "meat_poultry",
            "purpose": "extend_shelf_life",
            "min_dose_kgy": 1.5,
            "base_shelf_life_days": 5,
            "reference_temp_c": 8,
            "storage_temp_c": 8,
            "packaging": "air",
        },
    )
    body = {
        "product_id": product["id"],
        "facility_id": facility["id"],
        "lot": "",
        "production_date": date.today().isoformat(),
        "quantity": 100,
        "unit": "pcs",
    }
    return producer["token"], body


def _migrate(database_url: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "service.cli", "migrate"],
        check=True,
        capture_output=True,
        env={**os.environ, "RADURA_DATABASE_URL": database_url},
    )


def _show(name: str, result: dict[str, Any]) -> None:
    print(
        f"{name:<46} {result['per_second']:8.0f} req/s   p50 {result['p50_ms']:6.1f} ms   "
        f"p99 {result['p99_ms']:6.1f} ms   ({result['requests']} requests, "
        f"statuses {result['statuses']})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=3.0, help="of each measured slice")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--idempotency",
        action="store_true",
        help="also measure registrations that carry an Idempotency-Key",
    )
    parser.add_argument("--drive", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        spec = json.loads(args.drive)
        print(json.dumps(asyncio.run(_drive(**spec))))
        return

    database_url = os.environ.get("RADURA_DATABASE_URL") or ""
    variants = ["radura", "keyed", "bare"] if args.idempotency else ["radura", "bare"]
    slices: dict[str, list[dict[str, Any]]] = {name: [] for name in variants}
    with tempfile.TemporaryDirectory(prefix="radura-bench-") as data_dir:
        env = {
            "RADURA_DATA_DIR": data_dir,
            "RADURA_DATABASE_URL": database_url,
            "RADURA_RATE_LIMIT_PER_MINUTE": "0",
            "RADURA_LOG_FORMAT": "json",
            "RADURA_DB_POOL_SIZE": str(max(10, args.concurrency // args.workers)),
        }
        if database_url:
            _migrate(database_url)
        radura_port, bare_port = free_port(), free_port()
        servers = [
            radura_serve(radura_port, env, "--workers", str(args.workers)),
            _bare_server(bare_port, args.workers),
        ]
        try:
            radura_url = f"http://127.0.0.1:{radura_port}"
            bare_url = f"http://127.0.0.1:{bare_port}"
            wait_until_ok(radura_url + "/ready")
            wait_until_ok(bare_url + "/ready")
            token, body = _setup(radura_url, env)
            targets = {
                "radura": (radura_url, token, body, False),
                "keyed": (radura_url, token, body | {"quantity": 101}, True),
                "bare": (bare_url, "none", body, False),
            }
            # Slices of each, taken in turn: whatever else the machine is doing falls on all
            # of them alike, which keeps the ratio to the baseline honest on a busy machine.
            for _ in range(args.rounds):
                for name in variants:
                    url, bearer, request_body, keyed = targets[name]
                    slices[name].append(
                        _run_driver(url, bearer, request_body, args, idempotency=keyed)
                    )
        finally:
            for server in servers:
                stop(server)

    results = {name: _summary(parts) for name, parts in slices.items()}
    where = "RADURA_DATABASE_URL" if database_url else "embedded PostgreSQL"
    print(
        f"POST /api/v1/batches: {args.concurrency} concurrent clients (async httpx, own process), "
        f"{args.rounds} interleaved rounds of {args.seconds:g} s (+{args.warmup:g} s warm-up) "
        f"per variant, {args.workers} server worker(s), database: {where}, "
        f"{os.cpu_count()} CPUs"
    )
    _show("radura: register a batch", results["radura"])
    if "keyed" in results:
        _show("radura: register with Idempotency-Key", results["keyed"])
    _show("baseline: bare Litestar handler (same body)", results["bare"])
    ratio = results["radura"]["per_second"] / results["bare"]["per_second"]
    print(f"radura / baseline throughput: {ratio:.1%}")


def _bare_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    return start(
        [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "asgi",
            "--factory",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "tests.perf.bench_batches:create_bare_app",
        ]
    )


def _summary(parts: list[dict[str, Any]]) -> dict[str, Any]:
    latencies = sorted(latency for part in parts for latency in part["latencies_s"])
    statuses: dict[str, int] = {}
    for part in parts:
        for status, count in part["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count

    def percentile_ms(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "requests": len(latencies),
        "per_second": len(latencies) / sum(part["seconds"] for part in parts),
        "p50_ms": percentile_ms(0.50),
        "p99_ms": percentile_ms(0.99),
        "mean_ms": statistics.fmean(latencies) * 1000,
        "statuses": statuses,
    }


if __name__ == "__main__":
    main()
