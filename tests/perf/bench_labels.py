"""Bulk label rendering, in one run: CPU per label against segno, and a 10 000-label roll
through the API (first byte, peak memory).

1. CPU-s per 1 000 serial labels for each layout that holds a real label, rendered into a PDF
   in this process (one core), against `segno.make(uri, error='m').save(buf, kind='svg')` (a
   bare QR per URI) on the same signed GS1 Digital Link URIs. Target (SPEC §9): ours at least
   20× segno's rate on `a4-3x8` and `thermal-80x50` (the roll of SPEC §5.2).
2. A live `granian` worker on a real PostgreSQL (embedded in a temporary folder, or
   RADURA_DATABASE_URL) serves `GET /api/v1/batches/{id}/labels.pdf` for 10 000 issued serials
   on `thermal-80x50` (one sticker per page): seconds to the first byte (target ≤ 1 s) and the
   worker's peak resident-set growth while it renders and sends the roll (target ≤ 100 MB).

    python tests/perf/bench_labels.py [--count 3000] [--serials 10000] [--no-api]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import segno

from labels.codes import random_code
from labels.fit import fits
from labels.layouts import LAYOUTS
from labels.pdf import render_pdf, serial_cells
from labels.qr import qr_matrix
from labels.signing import Keyring
from labels.uri import signed_uri
from tests.perf._server import free_port, start, stop, wait_until_ok
from tests.perf.bench_pdf_memory import Sampler, fetch_pdf, rss_mb, seed, worker_pid
from tests.unit.labels.samples import BASE_URL, batch_content, gs1_ref

TARGET_RATIO = 20.0
TARGET_LAYOUTS = ("a4-3x8", "thermal-80x50")
TARGET_FIRST_BYTE_S = 1.0
TARGET_PEAK_GROWTH_MB = 100.0
API_LAYOUT = "thermal-80x50"
LOT = "RDG-2025-11-07"  # a typical lot: the figures are for realistic URIs, not the longest
KEYRING = Keyring.generate()


def serial_uris(count: int) -> list[tuple[str, str]]:
    """(serial, signed URI) pairs as `POST /batches/{id}/labels` would issue them."""
    serials = [random_code() for _ in range(count)]
    return [(s, signed_uri(BASE_URL, gs1_ref(s, lot=LOT), KEYRING)) for s in serials]


def cpu_ours(pairs: list[tuple[str, str]], layout: str) -> tuple[float, int]:
    """CPU seconds and PDF bytes of one sheet of `pairs` in `layout`."""
    qr_matrix.cache_clear()
    batch = batch_content(KEYRING, lot=LOT, uri=pairs[0][1])
    start_s = time.process_time()
    pdf = render_pdf(serial_cells(batch, pairs), layout)
    return time.process_time() - start_s, len(pdf)


def cpu_segno(pairs: list[tuple[str, str]]) -> float:
    start_s = time.process_time()
    for _, uri in pairs:
        buffer = io.BytesIO()
        segno.make(uri, error="m").save(buffer, kind="svg")
    return time.process_time() - start_s


def run_cpu(count: int) -> bool:
    """Print CPU-s per 1 000 labels per layout and the ratio to segno; whether targets hold."""
    pairs = serial_uris(count)
    sample = batch_content(KEYRING, lot=LOT, serial=pairs[0][0], uri=pairs[0][1])
    layouts = [name for name in LAYOUTS if fits(name, sample)]
    warm_up = serial_uris(30)
    for name in layouts:
        cpu_ours(warm_up, name)
    cpu_segno(warm_up)
    segno_per_k = cpu_segno(pairs) / count * 1000
    print(f"{count} signed serial GS1 URIs ({len(pairs[0][1])} characters each), one core")
    print(f"{'':16} CPU-s/1000  × segno  PDF kB/label")
    print(f"{'segno (SVG)':16} {segno_per_k:10.3f}  {1.0:6.1f}")
    ok = True
    for name in layouts:
        seconds, size = cpu_ours(pairs, name)
        per_k = seconds / count * 1000
        ratio = segno_per_k / per_k
        mark = ""
        if name in TARGET_LAYOUTS:
            ok &= ratio >= TARGET_RATIO
            mark = "  (target)" if ratio >= TARGET_RATIO else "  (target NOT met)"
        print(f"{name:16} {per_k:10.3f}  {ratio:6.1f}  {size / count / 1000:12.2f}{mark}")
    print(f"target: >= {TARGET_RATIO:.0f}x segno on {', '.join(TARGET_LAYOUTS)}")
    return ok


def cpu_s(pid: int) -> float:
    """User and system CPU seconds of process `pid` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_api(dsn: str, data_dir: Path, serials: int) -> bool:
    """A live worker renders and sends `serials` labels; print first byte and peak growth."""
    pdf_path, headers = asyncio.run(seed(dsn, serials))
    port = free_port()
    env = {
        "RADURA_DATABASE_URL": dsn,
        "RADURA_DATA_DIR": str(data_dir),
        "RADURA_RATE_LIMIT_PER_MINUTE": "0",
        "RADURA_LOG_FORMAT": "json",
    }
    args = ["--interface", "asgi", "--factory", "--port", str(port), "--workers", "1"]
    server = start([sys.executable, "-m", "granian", *args, "service.app:create_app"], env)
    base_url = f"http://127.0.0.1:{port}"
    path = f"{pdf_path}?layout={API_LAYOUT}&from=0&count={serials}"
    try:
        wait_until_ok(base_url + "/ready")
        pid = worker_pid(server.pid)
        # warm up: fonts, forms and the first QR code are loaded once per process
        fetch_pdf(base_url, f"{pdf_path}?layout={API_LAYOUT}&count=24", headers)
        time.sleep(1)
        before, cpu_before = rss_mb(pid), cpu_s(pid)
        with Sampler(pid) as sampler:
            seconds, first_byte_s, size = fetch_pdf(base_url, path, headers)
        growth, worker_cpu_s = sampler.peak - before, cpu_s(pid) - cpu_before
    finally:
        stop(server)
    print(f"API, granian 1 worker, {serials} labels on {API_LAYOUT}: {size / 1e6:.1f} MB in")
    print(
        f"  {seconds:.1f} s ({worker_cpu_s:.1f} CPU-s in the worker); "
        f"first byte {first_byte_s:.2f} s (target <= "
        f"{TARGET_FIRST_BYTE_S:.0f} s); peak RSS growth {growth:.0f} MB (target <= "
        f"{TARGET_PEAK_GROWTH_MB:.0f} MB)"
    )
    return first_byte_s <= TARGET_FIRST_BYTE_S and growth <= TARGET_PEAK_GROWTH_MB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3000, help="labels per layout, CPU part")
    parser.add_argument("--serials", type=int, default=10_000, help="labels through the API")
    parser.add_argument("--no-api", action="store_true", help="only the CPU part")
    args = parser.parse_args()
    ok = run_cpu(args.count)
    if not args.no_api:
        with tempfile.TemporaryDirectory(prefix="radura-bench-") as tmp:
            dsn = os.environ.get("RADURA_DATABASE_URL")
            server = None
            if not dsn:
                import pgserver

                server = pgserver.get_server(Path(tmp) / "pg", cleanup_mode="stop")
                dsn = server.get_uri()
            try:
                ok &= run_api(dsn, Path(tmp), args.serials)
            finally:
                if server is not None:
                    server.cleanup()
    print("all targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
