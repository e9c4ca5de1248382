"""The trace report of a batch with 1,000 shipments (SPEC §13.1: FDA allows 24 hours, Radura's
target is 5 s), against a baseline measured in the same run: reading the same 1,000 shipments as
JSON through the API's own list (five pages of 200).

Starts `radura serve` in a subprocess (embedded PostgreSQL in a temporary data folder, or the
server of RADURA_DATABASE_URL, migrated first), sets up a producer, a facility, a product and a
released batch of 1,000 pieces through the API, records 20 customers and 1,000 shipments of one
piece each through POST /api/v1/batches/{id}/shipments (timed too: each one takes the batch row's
lock), then downloads trace.xlsx, trace.csv and the JSON list in interleaved rounds and prints
the median and the slowest of each.

    python tests/perf/bench_trace.py [--shipments 1000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import httpx

from tests.perf._server import free_port, radura_serve, stop, wait_until_ok

TARGET_S = 5.0
JAKARTA = ZoneInfo("Asia/Jakarta")


class Api:
    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=120)

    def call(self, method: str, path: str, token: str, body: Any = None) -> Any:
        response = self.http.request(
            method, path, json=body, headers={"Authorization": f"Bearer {token}"}
        )
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json()


def _admin_token(env: dict[str, str]) -> str:
    created = subprocess.run(
        [sys.executable, "-m", "service.cli", "user", "create", "--role", "admin",
         "--name", "Bench Admin"],
        check=True, capture_output=True, text=True, env={**os.environ, **env},
    )  # fmt: skip
    token: str = json.loads(created.stdout)["token"]
    return token


def _released_batch(api: Api, admin: str, quantity: int) -> tuple[str, str]:
    """A released batch of `quantity` pieces; returns (producer token, batch id)."""

    def org(kind: str, name: str) -> str:
        body = {"kind": kind, "name": name, "address": "Jl. Uji 1", "city": "Serpong"}
        organization_id: str = api.call("POST", "/api/v1/organizations", admin, body)["id"]
        return organization_id

    def user(role: str, name: str, organization_id: str) -> str:
        body = {"name": name, "role": role, "organization_id": organization_id}
        token: str = api.call("POST", "/api/v1/users", admin, body)["token"]
        return token

    producer_org, facility = org("producer", "Bench Rendang"), org("facility", "Bench IGMP")
    producer = user("producer", "Bench Producer", producer_org)
    operator = user("operator", "Bench Operator", facility)
    qa = user("qa", "Bench QA", facility)
    irradiator = api.call(
        "POST", "/api/v1/irradiators", admin,
        {"facility_id": facility, "name": "Co-60", "source_type": "cobalt-60"},
    )["id"]  # fmt: skip
    product = api.call(
        "POST", "/api/v1/products", producer,
        {"name": "Ayam bench", "category": "meat_poultry", "purpose": "extend_shelf_life",
         "min_dose_kgy": 1.5, "base_shelf_life_days": 5, "reference_temp_c": 8,
         "storage_temp_c": 8, "packaging": "air"},
    )["id"]  # fmt: skip
    made = datetime.now(JAKARTA).date() - timedelta(days=2)
    batch = api.call(
        "POST", "/api/v1/batches", producer,
        {"product_id": product, "facility_id": facility, "lot": "TRACE-1",
         "production_date": made.isoformat(), "quantity": quantity, "unit": "pcs"},
    )["id"]  # fmt: skip
    now = datetime.now(UTC)
    api.call(
        "POST", f"/api/v1/batches/{batch}/receipt", operator,
        {"quantity_received": quantity, "received_at": (now - timedelta(days=1)).isoformat()},
    )  # fmt: skip
    ended = now - timedelta(minutes=5)
    api.call(
        "POST", f"/api/v1/batches/{batch}/treatment", operator,
        {"irradiator_id": irradiator, "run_id": "RUN-1",
         "started_at": (ended - timedelta(hours=3)).isoformat(), "ended_at": ended.isoformat(),
         "dosimeters": [
             {"dosimeter_id": "D1", "type": "Amber PMMA", "position": "min", "dose_kgy": 2.1},
             {"dosimeter_id": "D2", "type": "Amber PMMA", "position": "max", "dose_kgy": 2.6}]},
    )  # fmt: skip
    api.call("POST", f"/api/v1/batches/{batch}/release", qa)
    return producer, batch


def _ship(api: Api, producer: str, batch: str, shipments: int) -> float:
    """Record the customers and the shipments; returns the seconds the shipments took."""
    # chilled chicken goes to shops at home: no export market admits irradiated poultry
    cities = ["Jakarta", "Tangerang", "Bekasi", "Depok", "Bogor", "Bandung", "Padang", "Medan"]
    customers = [
        api.call(
            "POST", "/api/v1/customers", producer,
            {"name": f"Pelanggan {i:02d}", "kind": "distributor",
             "country": "ID", "city": cities[i % len(cities)]},
        )["id"]
        for i in range(20)
    ]  # fmt: skip
    started = time.perf_counter()
    for i in range(shipments):
        api.call(
            "POST", f"/api/v1/batches/{batch}/shipments", producer,
            {"customer_id": customers[i % len(customers)],
             "shipped_at": datetime.now(UTC).isoformat(), "quantity": 1, "unit": "pcs",
             "document_no": f"SJ-{i:05d}"},
        )  # fmt: skip
    return time.perf_counter() - started


def _timed(fetch: Callable[[], int]) -> tuple[float, int]:
    started = time.perf_counter()
    size = fetch()
    return time.perf_counter() - started, size


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shipments", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    database_url = os.environ.get("RADURA_DATABASE_URL") or ""
    with tempfile.TemporaryDirectory(prefix="radura-bench-") as data_dir:
        env = {
            "RADURA_DATA_DIR": data_dir,
            "RADURA_DATABASE_URL": database_url,
            "RADURA_RATE_LIMIT_PER_MINUTE": "0",
            "RADURA_LOG_FORMAT": "json",
        }
        if database_url:
            subprocess.run(
                [sys.executable, "-m", "service.cli", "migrate"],
                check=True, capture_output=True, env={**os.environ, **env},
            )  # fmt: skip
        port = free_port()
        server = radura_serve(port, env)
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_ok(base_url + "/ready")
            api = Api(base_url)
            producer, batch = _released_batch(api, _admin_token(env), args.shipments)
            shipping_s = _ship(api, producer, batch, args.shipments)
            headers = {"Authorization": f"Bearer {producer}"}

            def download(suffix: str) -> Callable[[], int]:
                def fetch() -> int:
                    response = api.http.get(f"/api/v1/batches/{batch}/{suffix}", headers=headers)
                    response.raise_for_status()
                    return len(response.content)

                return fetch

            def json_pages() -> int:
                size, cursor, items = 0, None, 0
                while True:
                    params = {"limit": 200} | ({"cursor": cursor} if cursor else {})
                    response = api.http.get(
                        f"/api/v1/batches/{batch}/shipments", params=params, headers=headers
                    )
                    response.raise_for_status()
                    page = response.json()
                    size += len(response.content)
                    items += len(page["items"])
                    cursor = page["next_cursor"]
                    if not cursor:
                        assert items == args.shipments, items
                        return size

            variants = {
                "trace.xlsx (2 sheets)": download("trace.xlsx"),
                "trace.csv": download("trace.csv"),
                "baseline: the same shipments as JSON": json_pages,
            }
            times: dict[str, list[float]] = {name: [] for name in variants}
            sizes: dict[str, int] = {}
            for _ in range(args.rounds):
                for name, fetch in variants.items():
                    seconds, sizes[name] = _timed(fetch)
                    times[name].append(seconds)
        finally:
            stop(server)

    where = "RADURA_DATABASE_URL" if database_url else "embedded PostgreSQL"
    print(
        f"Trace report of one batch with {args.shipments} shipments, {args.rounds} interleaved "
        f"rounds, one server worker, database: {where}, {os.cpu_count()} CPUs"
    )
    print(
        f"recording the shipments: {shipping_s:.1f} s "
        f"({args.shipments / shipping_s:.0f} shipments/s, one client, one at a time)"
    )
    for name, values in times.items():
        print(
            f"{name:<40} median {statistics.median(values) * 1000:7.0f} ms   "
            f"slowest {max(values) * 1000:7.0f} ms   ({sizes[name] / 1024:.0f} KiB)"
        )
    xlsx = statistics.median(times["trace.xlsx (2 sheets)"])
    baseline = statistics.median(times["baseline: the same shipments as JSON"])
    print(f"trace.xlsx / baseline: {xlsx / baseline:.1f}×")
    slowest = max(max(times["trace.xlsx (2 sheets)"]), max(times["trace.csv"]))
    verdict = "within" if slowest <= TARGET_S else "OVER"
    print(f"slowest trace report {slowest:.2f} s: {verdict} the {TARGET_S:g} s target")


if __name__ == "__main__":
    main()
