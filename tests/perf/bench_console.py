"""Console pages with 10 000 batches per producer, as the producer, the regulator and the
facility's QA officer see them: time per request and size over the wire of every page that has
to stay fast with a long history, against a bare Litestar app rendering a Jinja template of the
largest page's size, measured in this run.

- producer: dashboard, batches list (plain, by status, searched), a batch page;
- regulator (who sees every organization's batches): overview, batches list, searches by lot,
  GTIN, producer name, a search that finds nothing, a search within a status, the
  administration log, a batch page;
- facility (QA officer): incoming queue, QA review queue, treatment form, the facility's
  batches list.

A fresh database (on RADURA_DATABASE_URL's server if set, else an embedded PostgreSQL) gets two
producers of `--batches` batches each (tests/perf/console_seed.py: every status, a year of
production, a week of scans, some cloned serials, a treatment for every treated batch), plus
what an inspector and a facility look at: reject times and reasons, the nonconformities of
the rejected batches, 2 000 entries of the administration log, receipts of the received
batches. `radura`'s app is served by granian, each of the three signs in through the real
form, and one client per person requests each page back to back on a keep-alive connection.
The time is measured at the client, so it is an upper bound of the server's time (the
client's own work included, alike for the baseline).

    python tests/perf/bench_console.py [--batches 10000] [--requests 200]
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
from dataclasses import dataclass
from pathlib import Path

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
from tests.perf._hardening import database
from tests.perf._server import start, stop

LIMIT_P95_MS = 50.0
LIMIT_KB = 60.0
PASSWORD = "bench-" + secrets.token_hex(8)
GTIN = "08991234567891"  # the measured producer's first product (valid check digit)

# --- the baseline: a bare Litestar template render of a given size ---------------------------

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


# --- the database -----------------------------------------------------------------------------


@dataclass
class Seeded:
    """Who signs in (role → email) and what the pages name."""

    emails: dict[str, str]
    sample: str  # a released batch of the measured producer
    producer_name: str
    received: str  # a batch received at the measured producer's facility


async def _inspection_rows(conn: asyncpg.Connection) -> None:
    """Reject times and reasons, the rejected batches' treatments nonconforming (dose below the
    minimum) and recorded over the year of production, and an administration log of 2 000
    entries."""
    await conn.execute(
        """UPDATE batches SET rejected_at = created_at + interval '2 days',
                              reject_reason = 'Dosis minimum tidak tercapai'
           WHERE status = 'rejected'"""
    )
    await conn.execute(
        """UPDATE treatments t
           SET dose_min_kgy = 1.2, dur = t.dose_max_kgy / 1.2,
               dose_min_corrected_kgy = 1.2 * (1 - t.expanded_uncertainty_pct / 100),
               conforming = false, nonconformities = ARRAY['dose_below_minimum'],
               recorded_at = b.created_at + interval '1 day 4 hours'
           FROM batches b WHERE b.id = t.batch_id AND b.status = 'rejected'"""
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


async def _prepare(dsn: str, batches: int) -> Seeded:
    """Migrate, seed two producers and what the regulator and the facility look at, give the
    measured producer, a regulator and the producer's facility's QA officer a sign-in."""
    from service.accounts.passwords import hash_password
    from service.core.db import create_pool
    from service.core.migrate import apply_migrations
    from tests.perf.console_seed import seed_producer

    conn = await asyncpg.connect(dsn)
    await apply_migrations(conn)
    await conn.execute("SELECT ensure_scan_partitions(2)")
    await conn.close()
    pool = await create_pool(dsn, max_size=1)
    password = hash_password(PASSWORD)
    tag = secrets.token_hex(4)
    emails = {
        "producer": f"bench-{tag}@example.id",
        "regulator": f"bench-{tag}@pom.example.id",
        "facility": f"bench-{tag}@iradiator.example.id",
    }
    async with pool.acquire() as conn:
        # a neighbour (and its facility) whose rows every producer's and facility's query skips
        await seed_producer(conn, batches)
        producer, sample = await seed_producer(conn, batches)
        await conn.execute(
            "UPDATE users SET email = $2, password_hash = $3 WHERE id = $1",
            producer.id,
            emails["producer"],
            password,
        )
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
        await conn.execute(
            """INSERT INTO users (name, role, organization_id, email, password_hash)
               VALUES ('Inspektur', 'regulator', $1, $2, $3)""",
            regulator_org,
            emails["regulator"],
            password,
        )
        facility = await conn.fetchval("SELECT facility_id FROM batches WHERE id = $1", sample)
        qa_id = await conn.fetchval(
            """INSERT INTO users (name, role, organization_id, email, password_hash)
               VALUES ('Petugas QA', 'qa', $1, $2, $3) RETURNING id""",
            facility,
            emails["facility"],
            password,
        )
        await _inspection_rows(conn)
        await conn.execute(
            """INSERT INTO receipts (batch_id, quantity_received, received_at, received_by)
               SELECT id, quantity, created_at + interval '1 hour', $2 FROM batches
               WHERE facility_id = $1 AND status = 'received'""",
            facility,
            qa_id,
        )
        received = await conn.fetchval(
            """SELECT id FROM batches WHERE facility_id = $1 AND status = 'received'
               ORDER BY created_at LIMIT 1""",
            facility,
        )
        producer_name = await conn.fetchval(
            "SELECT name FROM organizations WHERE id = $1", producer.organization_id
        )
        await conn.execute("VACUUM ANALYZE")
    await pool.close()
    return Seeded(emails, str(sample), producer_name, str(received))


# --- measuring --------------------------------------------------------------------------------


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


def _pages(seeded: Seeded) -> dict[str, dict[str, str]]:
    """The measured pages by who signs in to see them: name → path."""
    return {
        "producer": {
            "dashboard": "/app/",
            "batches list": "/app/batches",
            "batches ?status=recalled": "/app/batches?status=recalled",
            "batches ?q=sambal bench 7": "/app/batches?q=sambal+bench+7",
            "batches ?q=L99": "/app/batches?q=L99",
            "batch page": f"/app/batches/{seeded.sample}",
        },
        "regulator": {
            "overview": "/app/overview",
            "batches list": "/app/batches",
            "search ?q=L99 (lot)": "/app/batches?q=L99",
            f"search ?q={GTIN[1:]} (GTIN)": f"/app/batches?q={GTIN[1:]}",
            "search ?q=<producer name>": "/app/batches?q=" + seeded.producer_name.replace(" ", "+"),
            "search ?q=tidak-ada (no match)": "/app/batches?q=tidak-ada",
            "search ?q=L9&status=rejected": "/app/batches?q=L9&status=rejected",
            "administration log": "/app/admin/log",
            "batch page": f"/app/batches/{seeded.sample}",
        },
        "facility": {
            "incoming queue": "/app/incoming",
            "QA queue": "/app/review",
            "treatment form": f"/app/batches/{seeded.received}/treatment",
            "batches list (50 rows)": "/app/batches",
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    dsn, cleanup = database()
    try:
        seeded = asyncio.run(_prepare(dsn, args.batches))
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
                for role, pages in _pages(seeded).items():
                    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
                        _sign_in(client, seeded.emails[role])
                        for name, path in pages.items():
                            results[f"{role}: {name}"] = _measure(client, path, args.requests)
        largest = max(r["html_kb"] for r in results.values())
        port = free_port()
        bare = start(
            [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--port",
             str(port), "tests.perf.bench_console:create_bare_app"],
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
        f"console pages, {args.batches} batches per producer (two producers, each with its "
        f"facility), {args.requests} sequential requests each after 20 warm-up requests"
    )
    print(f"{'page':<48}{'p50 ms':>8}{'p95 ms':>8}{'HTML kB':>9}{'wire kB':>9}  verdict")
    for name, r in results.items():
        ok = r["p95"] <= LIMIT_P95_MS and r["wire_kb"] <= LIMIT_KB
        verdict = "" if name.startswith("baseline") else ("ok" if ok else "OVER LIMIT")
        print(
            f"{name:<48}{r['p50']:>8.1f}{r['p95']:>8.1f}{r['html_kb']:>9.1f}"
            f"{r['wire_kb']:>9.1f}  {verdict}"
        )
    print(f"limits: p95 ≤ {LIMIT_P95_MS:.0f} ms, ≤ {LIMIT_KB:.0f} kB over the wire (SPEC §10)")


if __name__ == "__main__":
    main()
