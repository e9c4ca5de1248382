"""The regulator's console pages over 2 × `--batches` batches (two producers; a regulator sees
every organization's): time per request and size over the wire of the search by lot, GTIN,
producer name and a search that finds nothing, the plain list, the overview, the administration
log and a batch page, against a bare Litestar app rendering a Jinja template of the largest
page's size, measured in this run.

A fresh database (on RADURA_DATABASE_URL's server if set, else an embedded PostgreSQL) gets two
producers from tests/perf/console_seed.py, plus what an inspector looks at: a treatment for
every treated batch (one in twenty nonconforming), reject times and reasons, 2 000 entries of
the administration log. `radura`'s app is served by granian, the regulator signs in through the
real form, and one client requests each page back to back on a keep-alive connection; times are
measured at the client (an upper bound of the server's).

    python tests/perf/bench_console_desk.py [--batches 10000] [--requests 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import asyncpg
import httpx
import jinja2
from litestar import Litestar, get
from litestar.config.compression import CompressionConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

from tests.live_server import free_port, live_server, wait_ready
from tests.perf._server import start, stop

LIMIT_P95_MS = 50.0
LIMIT_KB = 60.0
PASSWORD = "bench-" + secrets.token_hex(8)
GTIN = "08991234567891"  # the measured producer's first product (valid check digit)

_BARE_TEMPLATE = """<!doctype html><html lang="id"><head><title>{{ title }}</title></head>
<body><main>{% for row in rows %}<p>{{ row }}</p>{% endfor %}</main></body></html>"""


def create_bare_app() -> Litestar:
    """Renders as many paragraphs of text as make BENCH_PAGE_BYTES, through Jinja."""
    size = int(os.environ.get("BENCH_PAGE_BYTES", "20000"))
    rows = [f"Batch {i:05d} · lot L{i} · Sambal Roa · 28 November 2026" for i in range(size // 56)]

    @get("/bare", sync_to_thread=False)
    def bare() -> Template:
        return Template(template_str=_BARE_TEMPLATE, context={"title": "bare", "rows": rows})

    @get("/ready", sync_to_thread=False)
    def ready() -> dict[str, str]:
        return {"status": "ready"}

    return Litestar(
        route_handlers=[bare, ready],
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024),  # as radura's
        template_config=TemplateConfig(
            instance=JinjaTemplateEngine.from_environment(jinja2.Environment(autoescape=True))
        ),
    )


async def _inspection_rows(conn: asyncpg.Connection, regulator_id: Any) -> None:
    """Treatments (5 % nonconforming, on the rejected batches), reject times and reasons, and an
    administration log of 2 000 entries."""
    await conn.execute(
        """INSERT INTO irradiators (facility_id, name, source_type, activity_kci)
           SELECT DISTINCT facility_id, 'Bench Co-60', 'cobalt-60', 450 FROM batches"""
    )
    await conn.execute(
        """UPDATE batches SET rejected_at = created_at + interval '2 days',
                              reject_reason = 'Dosis minimum tidak tercapai'
           WHERE status = 'rejected'"""
    )
    await conn.execute(
        """INSERT INTO treatments (batch_id, irradiator_id, run_id, started_at, ended_at,
               dose_min_kgy, dose_max_kgy, dur, legal_max_dose_kgy, product_min_dose_kgy,
               conforming, nonconformities, recorded_by, recorded_at)
           SELECT b.id, i.id, 'RUN-' || b.lot, b.created_at + interval '1 day',
                  b.created_at + interval '1 day 3 hours',
                  CASE WHEN b.status = 'rejected' THEN 1.2 ELSE 1.8 END, 2.6,
                  2.6 / CASE WHEN b.status = 'rejected' THEN 1.2 ELSE 1.8 END, 3.0, 1.5,
                  b.status <> 'rejected',
                  CASE WHEN b.status = 'rejected' THEN ARRAY['dose_below_minimum']
                       ELSE '{}'::text[] END,
                  $1, b.created_at + interval '1 day 4 hours'
           FROM batches b JOIN irradiators i ON i.facility_id = b.facility_id
           WHERE b.status IN ('treated', 'released', 'rejected', 'recalled')""",
        regulator_id,  # any user will do as the recorder of seeded rows
    )
    await conn.execute(
        """INSERT INTO admin_audit_log (actor_id, actor_name, actor_role, action, subject_type,
               subject_id, subject_name, details, created_at)
           SELECT NULL, 'radura command line', NULL, 'user.created', 'user',
                  gen_random_uuid()::text, 'Pengguna ' || k,
                  jsonb_build_object('role', 'producer', 'invite_sent', true),
                  now() - make_interval(mins => k)
           FROM generate_series(1, 2000) k"""
    )


async def _prepare(dsn: str, batches: int) -> tuple[str, str]:
    """Migrate, seed, give a regulator a sign-in; returns (email, a released batch's id)."""
    from service.accounts.passwords import hash_password
    from service.core.db import create_pool
    from service.core.migrate import apply_migrations
    from tests.perf.console_seed import seed_producer

    conn = await asyncpg.connect(dsn)
    await apply_migrations(conn)
    await conn.execute("SELECT ensure_scan_partitions(2)")
    await conn.close()
    pool = await create_pool(dsn, max_size=1)
    async with pool.acquire() as conn:
        await seed_producer(conn, batches)
        producer, sample = await seed_producer(conn, batches)
        await conn.execute(
            """UPDATE products SET gtin = $2 WHERE id = (
                   SELECT id FROM products WHERE organization_id = $1 ORDER BY id LIMIT 1)""",
            producer.organization_id,
            GTIN,
        )
        regulator_org = await conn.fetchval(
            """INSERT INTO organizations (kind, name, address, city)
               VALUES ('regulator', 'BPOM', 'Jl. Percetakan Negara 23', 'Jakarta') RETURNING id"""
        )
        email = f"bench-{secrets.token_hex(4)}@pom.example.id"
        regulator_id = await conn.fetchval(
            """INSERT INTO users (name, role, organization_id, email, password_hash)
               VALUES ('Inspektur', 'regulator', $1, $2, $3) RETURNING id""",
            regulator_org,
            email,
            hash_password(PASSWORD),
        )
        await _inspection_rows(conn, regulator_id)
        await conn.execute("VACUUM ANALYZE")
        producer_name = await conn.fetchval(
            "SELECT name FROM organizations WHERE id = $1", producer.organization_id
        )
    await pool.close()
    return email, f"{sample}|{producer_name}"


def _database() -> tuple[str, Any]:
    server = os.environ.get("RADURA_DATABASE_URL")
    if server:
        name = "radura_bench_desk_" + secrets.token_hex(3)

        async def create() -> None:
            conn = await asyncpg.connect(server)
            await conn.execute(f'CREATE DATABASE "{name}"')
            await conn.close()

        async def drop() -> None:
            conn = await asyncpg.connect(server)
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.close()

        asyncio.run(create())
        return server.rsplit("/", 1)[0] + "/" + name, lambda: asyncio.run(drop())
    import pgserver

    folder = tempfile.mkdtemp(prefix="radura-bench-desk-")
    embedded = pgserver.get_server(folder, cleanup_mode="delete")
    return embedded.get_uri(), embedded.cleanup


def _sign_in(client: httpx.Client, email: str) -> None:
    form = client.get("/app/login").text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', form)
    assert token, "no CSRF field on the sign-in page"
    answer = client.post(
        "/app/login", data={"email": email, "password": PASSWORD, "_csrf_token": token[1]}
    )
    assert answer.status_code == 303, answer.text


def _measure(client: httpx.Client, path: str, requests: int) -> dict[str, float]:
    for _ in range(20):  # warm-up: caches, prepared statements, the pool
        client.get(path)
    times_ms, wire = [], 0
    for _ in range(requests):
        started = time.perf_counter()
        answer = client.get(path)
        times_ms.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (path, answer.status_code)
        wire = answer.num_bytes_downloaded
    return {
        "p50": statistics.median(times_ms),
        "p95": statistics.quantiles(times_ms, n=20)[18],
        "wire_kb": wire / 1024,
        "html_kb": len(answer.content) / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    dsn, cleanup = _database()
    try:
        email, seeded = asyncio.run(_prepare(dsn, args.batches))
        sample, producer_name = seeded.split("|", 1)
        pages = {
            "overview": "/app/overview",
            "batches list": "/app/batches",
            "search ?q=L99 (lot)": "/app/batches?q=L99",
            f"search ?q={GTIN[1:]} (GTIN)": f"/app/batches?q={GTIN[1:]}",
            "search ?q=<producer name>": "/app/batches?q=" + producer_name.replace(" ", "+"),
            "search ?q=tidak-ada (no match)": "/app/batches?q=tidak-ada",
            "search ?q=L9&status=rejected": "/app/batches?q=L9&status=rejected",
            "administration log": "/app/admin/log",
            "batch page": f"/app/batches/{sample}",
        }
        results: dict[str, dict[str, float]] = {}
        with tempfile.TemporaryDirectory() as data_dir:
            env = {
                "RADURA_DATABASE_URL": dsn,
                "RADURA_DATA_DIR": data_dir,
                "RADURA_RATE_LIMIT_PER_MINUTE": "0",
                "RADURA_LOG_FORMAT": "json",
            }
            with live_server(env) as url:
                headers = {"Accept-Encoding": "gzip"}
                with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
                    _sign_in(client, email)
                    for name, path in pages.items():
                        results[name] = _measure(client, path, args.requests)
        largest = max(r["html_kb"] for r in results.values())
        port = free_port()
        bare = start(
            [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--port",
             str(port), "tests.perf.bench_console_desk:create_bare_app"],
            {"BENCH_PAGE_BYTES": str(int(largest * 1024))},
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base, bare)
            with httpx.Client(base_url=base, headers={"Accept-Encoding": "gzip"}) as client:
                results["baseline: bare Litestar template"] = _measure(
                    client, "/bare", args.requests
                )
        finally:
            stop(bare)
    finally:
        cleanup()

    print(
        f"regulator's console pages, {args.batches} batches per producer (two producers, all "
        f"visible), {args.requests} sequential requests each after 20 warm-up requests"
    )
    print(f"{'page':<40}{'p50 ms':>8}{'p95 ms':>8}{'HTML kB':>9}{'wire kB':>9}  verdict")
    for name, r in results.items():
        ok = r["p95"] <= LIMIT_P95_MS and r["wire_kb"] <= LIMIT_KB
        verdict = "" if name.startswith("baseline") else ("ok" if ok else "OVER LIMIT")
        print(
            f"{name:<40}{r['p50']:>8.1f}{r['p95']:>8.1f}{r['html_kb']:>9.1f}"
            f"{r['wire_kb']:>9.1f}  {verdict}"
        )
    print(f"limits: p95 ≤ {LIMIT_P95_MS:.0f} ms, ≤ {LIMIT_KB:.0f} kB over the wire (SPEC §10)")


if __name__ == "__main__":
    main()
