"""Bulk label rendering: serial labels per second into an A4 3×8 PDF, against segno.

Both run in this one process (one core) on the same signed GS1 Digital Link URIs:
ours renders complete labels (QR, texts, Radura symbol) into a PDF sheet; the baseline is
`segno.make(uri, error='m').save(buf, kind='svg')`, a bare QR code per URI. Target: ours at
least 2× segno's rate (SPEC §9).

    python tests/perf/bench_labels.py [--count 10000]
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import segno

from labels.codes import random_code
from labels.pdf import render_pdf, serial_cells
from labels.qr import qr_matrix
from labels.signing import Keyring
from labels.uri import signed_uri
from tests.unit.labels.samples import BASE_URL, batch_content, gs1_ref

TARGET_RATIO = 2.0
LOT = "RDG-2025-11-07"  # a typical lot: the figures are for realistic URIs, not the longest
KEYRING = Keyring.generate()


def serial_uris(count: int) -> list[tuple[str, str]]:
    """(serial, signed URI) pairs as `POST /batches/{id}/labels` would issue them."""
    serials = [random_code() for _ in range(count)]
    return [(s, signed_uri(BASE_URL, gs1_ref(s, lot=LOT), KEYRING)) for s in serials]


def time_ours(pairs: list[tuple[str, str]]) -> tuple[float, int]:
    qr_matrix.cache_clear()
    start = time.perf_counter()
    batch = batch_content(KEYRING, lot=LOT, uri=pairs[0][1])
    pdf = render_pdf(serial_cells(batch, pairs), "a4-3x8")
    return time.perf_counter() - start, len(pdf)


def time_segno(pairs: list[tuple[str, str]]) -> float:
    start = time.perf_counter()
    for _, uri in pairs:
        buffer = io.BytesIO()
        segno.make(uri, error="m").save(buffer, kind="svg")
    return time.perf_counter() - start


def run_benchmark(count: int) -> float:
    """Print both rates and their ratio; return the ratio."""
    pairs = serial_uris(count)
    warm_up = serial_uris(30)
    time_ours(warm_up)
    time_segno(warm_up)
    ours_s, pdf_bytes = time_ours(pairs)
    segno_s = time_segno(pairs)
    ours_rate, segno_rate = count / ours_s, count / segno_s
    ratio = ours_rate / segno_rate
    print(f"labels: {count} signed serial GS1 URIs ({len(pairs[0][1])} characters each)")
    size_mb = pdf_bytes / 1e6
    print(f"ours : {ours_rate:8.1f} labels/s  (a4-3x8 PDF, {size_mb:.1f} MB, {ours_s:.2f} s)")
    print(f"segno: {segno_rate:8.1f} labels/s  (bare QR to SVG, {segno_s:.2f} s)")
    verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
    print(f"ratio: {ratio:.2f}x (target >= {TARGET_RATIO:.1f}x: {verdict})")
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="labels to render")
    args = parser.parse_args()
    return 0 if run_benchmark(args.count) >= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
