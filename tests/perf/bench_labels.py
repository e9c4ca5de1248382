"""Bulk label rendering: serial labels per second into an A4 3×8 PDF, against segno.

Both run in this one process (one core) on the same signed GS1 Digital Link URIs:
ours renders complete labels (QR, texts, Radura symbol) into a PDF sheet; the baseline is
`segno.make(uri, error='m').save(buf, kind='svg')`, a bare QR code per URI. Target: ours at
least 2× segno's rate (SPEC §9).

    python tests/perf/bench_labels.py [--count 10000]
"""

from __future__ import annotations

import argparse
import datetime
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
from schemas.labels import LabelContent, LabelRef

BASE_URL = "https://radura.example.id"
TARGET_RATIO = 2.0


def batch_label(uri: str) -> LabelContent:
    return LabelContent(
        uri=uri,
        code="7KQ2M9XW4T",
        product_name="Rendang Daging Sapi",
        producer_name="UMKM Dapur Minang",
        producer_address="Jl. Raya Serpong No. 12",
        producer_city="Tangerang Selatan",
        registration_no="P-IRT 206367401234567",
        lot="RDG-2025-11-07",
        best_before=datetime.date(2027, 1, 31),
        storage_temp_c=8,
        purpose="extend_shelf_life",
        facility_name="Iradiator Gamma Merah Putih (IGMP) BRIN",
        facility_address="Kawasan Puspiptek, Setu, Tangerang Selatan, Banten",
        irradiated_on=datetime.date(2025, 11, 3),
        net_content="250 g",
    )


def serial_uris(count: int) -> list[tuple[str, str]]:
    """(serial, signed URI) pairs as `POST /batches/{id}/labels` would issue them."""
    keyring = Keyring.generate()
    pairs = []
    for _ in range(count):
        serial = random_code()
        ref = LabelRef(
            code="7KQ2M9XW4T",
            lot="RDG-2025-11-07",
            gtin14="08991234567891",
            serial=serial,
            best_before=datetime.date(2027, 1, 31),
        )
        pairs.append((serial, signed_uri(BASE_URL, ref, keyring)))
    return pairs


def time_ours(pairs: list[tuple[str, str]]) -> tuple[float, int]:
    qr_matrix.cache_clear()
    start = time.perf_counter()
    pdf = render_pdf(serial_cells(batch_label(pairs[0][1]), pairs), "a4-3x8")
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
