"""Request decoding rules of batch bodies, CSV cells, and the idempotency fingerprint."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import msgspec
import pytest

from schemas.batches import BatchCreate, TreatmentCreate, today_in_jakarta
from service.batches.export.batches_csv import csv_cell, safe_text
from service.batches.idempotency import request_fingerprint

PRODUCT = "00000000-0000-4000-8000-000000000001"


def _batch(**changes) -> dict:  # type: ignore[no-untyped-def]
    return {
        "product_id": PRODUCT,
        "facility_id": PRODUCT,
        "lot": "L-1",
        "production_date": today_in_jakarta().isoformat(),
        "quantity": 5,
        "unit": "pcs",
    } | changes


def test_today_in_jakarta_is_accepted_tomorrow_is_not():
    msgspec.convert(_batch(), BatchCreate)
    tomorrow = (today_in_jakarta() + timedelta(days=1)).isoformat()
    with pytest.raises(msgspec.ValidationError, match="production_date"):
        msgspec.convert(_batch(production_date=tomorrow), BatchCreate)


def test_a_lot_with_a_trailing_newline_is_refused():
    with pytest.raises(msgspec.ValidationError, match="lot"):
        msgspec.json.decode(msgspec.json.encode(_batch(lot="L1\n")), type=BatchCreate)


def _treatment(**changes) -> dict:  # type: ignore[no-untyped-def]
    ended = datetime.now(UTC) - timedelta(hours=1)
    return {
        "irradiator_id": PRODUCT,
        "run_id": "R1",
        "started_at": (ended - timedelta(hours=1)).isoformat(),
        "ended_at": ended.isoformat(),
        "dosimeters": [
            {"dosimeter_id": "A", "type": "PMMA", "position": "min", "dose_kgy": 2},
            {"dosimeter_id": "B", "type": "PMMA", "position": "max", "dose_kgy": 3},
        ],
    } | changes


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ended_at": "10 minutes from now"}, "ended_at"),
        ({"started_at": "1999-12-31T23:00:00+00:00"}, "started_at"),
        ({"started_at": "0001-01-01T00:00:00+05:00"}, "started_at"),
        ({"ended_at": "9999-12-31T23:59:59-12:00"}, "ended_at"),
    ],
)
def test_treatment_instants(changes, field):
    # instants relative to the clock are read when the test runs, never when it is collected
    if changes.get("ended_at") == "10 minutes from now":
        changes = {"ended_at": (datetime.now(UTC) + timedelta(minutes=10)).isoformat()}
    with pytest.raises(msgspec.ValidationError, match=field):
        msgspec.json.decode(msgspec.json.encode(_treatment(**changes)), type=TreatmentCreate)


def test_a_little_clock_skew_is_tolerated():
    ended = (datetime.now(UTC) + timedelta(seconds=30)).isoformat()
    msgspec.json.decode(msgspec.json.encode(_treatment(ended_at=ended)), type=TreatmentCreate)


@pytest.mark.parametrize(
    "text",
    [
        *("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"),
        # whitespace before the trigger: spreadsheets skip it and still run the formula
        *(" =1+1", "\n=1+1", '\r\n=HYPERLINK("x")', "  \n @SUM(A1)", "\u00a0=1+1", "\u3000-1"),
    ],
)
def test_formula_like_text_is_defused(text):
    assert safe_text(text) == "'" + text


def test_ordinary_text_and_values_are_kept():
    assert safe_text("Rendang = enak") == "Rendang = enak"
    assert safe_text(" Rendang\n= enak") == " Rendang\n= enak"
    assert safe_text("") == "" and safe_text("  ") == "  "
    assert csv_cell(None) == ""
    assert csv_cell(2.5) == 2.5 and csv_cell(-3.0) == -3.0  # numbers are not text
    assert csv_cell(True) == "true"
    assert csv_cell(date(2026, 1, 31)) == "2026-01-31"
    assert csv_cell(datetime(2026, 1, 31, 17, 0, tzinfo=UTC)) == "2026-02-01T00:00:00+07:00"


def test_csv_round_trips_commas_quotes_and_newlines():
    buffer = io.StringIO()
    csv.writer(buffer).writerow([csv_cell('a, "b"\nc'), csv_cell(1.5)])
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == ['a, "b"\nc', "1.5"]


def test_the_fingerprint_ignores_key_order_and_spacing():
    a = msgspec.json.decode(b'{"lot": "L-1", "quantity": 5}')
    b = msgspec.json.decode(b'{ "quantity":5,"lot":"L-1" }')
    assert request_fingerprint(a) == request_fingerprint(b)
    assert request_fingerprint(a) != request_fingerprint({"lot": "L-1", "quantity": 6})
