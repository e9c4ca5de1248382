"""GET /api/v1/exports/batches.xlsx: the CSV's rows as a workbook a person opens, read back with
openpyxl: typed cells with their number formats, headers in the reader's language, the header
row frozen with an autofilter, role scope, date range and text that never becomes a formula."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from tests.integration.batch_steps import batch_in, chicken, create_product, register
from tests.integration.batches.products.test_console_products import english
from tests.integration.console import signed_in
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")
URL = "/api/v1/exports/batches.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

INDONESIAN_HEADERS_START = [
    "Kode",
    "Kode produksi (lot)",
    "Produk",
    "GTIN",
    "Nomor pendaftaran",
]
ENGLISH_HEADERS_START = ["Code", "Lot", "Product", "GTIN", "Registration number"]


def _sheet(content: bytes) -> Worksheet:
    return load_workbook(io.BytesIO(content)).active  # type: ignore[return-value]


async def _sheet_of(client: AsyncTestClient, actor: Any, **params: str) -> Worksheet:
    response = await client.get(URL, params=params, headers=actor.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    assert response.headers["content-disposition"] == 'attachment; filename="radura-batches.xlsx"'
    return _sheet(response.content)


def _rows(sheet: Worksheet) -> list[dict[str, Any]]:
    """Each data row as {English column name: cell}, whatever language the headers are in."""
    from service.batches.export.batches_csv import COLUMNS

    return [dict(zip(COLUMNS, row, strict=True)) for row in sheet.iter_rows(min_row=2)]


def _by_lot(sheet: Worksheet, lot: str) -> dict[str, Any]:
    found = [row for row in _rows(sheet) if row["lot"].value == lot]
    assert len(found) == 1, lot
    return found[0]


async def test_a_released_batch_in_typed_cells(client, world: World):
    batch_id = await batch_in(client, world, "released")
    record = (
        await client.get(f"/api/v1/batches/{batch_id}", headers=world.producer.headers)
    ).json()
    sheet = await _sheet_of(client, world.producer)

    header = [cell.value for cell in sheet[1]]
    assert header[:5] == INDONESIAN_HEADERS_START  # Bahasa Indonesia by default
    assert "Dosis serap minimum (kGy)" in header and "Baik digunakan sebelum" in header
    assert len(header) == 28
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:AB{sheet.max_row}"
    assert sheet.column_dimensions["C"].width > 20  # product names get room

    row = _by_lot(sheet, record["lot"])
    assert row["code"].value == record["code"] and row["code"].data_type == "s"
    production = row["production_date"]
    assert production.is_date and production.number_format == "dd-mm-yyyy"
    assert production.value == datetime.fromisoformat(record["production_date"])
    best_before = row["best_before"]
    assert best_before.is_date and best_before.number_format == "dd-mm-yyyy"
    assert best_before.value.date() == date.fromisoformat(record["best_before"])
    for column, measured in (("dose_min_kgy", 2.1), ("dose_max_kgy", 2.6)):
        dose = row[column]
        assert dose.data_type == "n" and dose.number_format == "0.0"
        assert dose.value == measured  # the exact value; one decimal is only how it is shown
    assert row["dur"].data_type == "n" and row["dur"].number_format == "0.00"
    assert row["dur"].value == pytest.approx(2.6 / 2.1)
    received = row["received_at"]
    assert received.is_date and received.number_format == "dd-mm-yyyy hh:mm"
    assert row["conforming"].value is True
    assert row["quantity"].data_type == "n"
    assert row["status"].value == "released" and row["qa_decision"].value == "released"
    assert row["recalled_at"].value is None and row["recall_reason"].value is None


async def test_headers_in_english_when_asked_or_the_console_says_so(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
):
    sheet = await _sheet_of(client, world.producer, lang="en")
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ENGLISH_HEADERS_START
    assert "Minimum absorbed dose (kGy)" in header
    assert sheet.title == "Batches"
    indonesian = await _sheet_of(client, world.producer, lang="id")
    assert indonesian.title == "Bets"
    wrong = await client.get(URL, params={"lang": "fr"}, headers=world.producer.headers)
    assert wrong.status_code == 400 and "lang" in wrong.text

    browser = await signed_in(client, pool, world.regulator.id)
    first = await browser.get(URL, params={"from": "2025-01-01", "to": "2025-01-01"})
    assert first.status_code == 200
    assert [c.value for c in _sheet(first.content)[1]][:5] == INDONESIAN_HEADERS_START
    await english(browser)
    answer = await browser.get(URL, params={"from": "2025-01-01", "to": "2025-01-01"})
    assert answer.status_code == 200
    assert [c.value for c in _sheet(answer.content)[1]][:5] == ENGLISH_HEADERS_START


async def test_scope_by_role(client, world: World):
    mine = await batch_in(client, world, "registered")
    other_product = await create_product(client, world.other_producer, chicken())
    response = await client.post(
        "/api/v1/batches",
        json={
            "product_id": other_product["id"],
            "facility_id": str(world.facility),
            "lot": f"OTHER-{world.tag}",
            "production_date": date.today().isoformat(),
            "quantity": 3,
            "unit": "kg",
        },
        headers=world.other_producer.headers,
    )
    assert response.status_code == 201, response.text
    codes = {}
    for batch_id in (mine, response.json()["id"]):
        codes[batch_id] = (
            await client.get(f"/api/v1/batches/{batch_id}", headers=world.admin.headers)
        ).json()["code"]
    mine_code, theirs_code = codes.values()

    producer_codes = {r["code"].value for r in _rows(await _sheet_of(client, world.producer))}
    assert mine_code in producer_codes and theirs_code not in producer_codes
    for actor in (world.regulator, world.admin):
        seen = {r["code"].value for r in _rows(await _sheet_of(client, actor))}
        assert {mine_code, theirs_code} <= seen
    for actor in (world.operator, world.qa):
        refused = await client.get(URL, headers=actor.headers)
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(URL)).status_code == 401


async def test_text_that_looks_like_a_formula_stays_text(client, world: World):
    # (a name cannot start with whitespace: `schemas/common.py` refuses it)
    names = ['=HYPERLINK("http://evil.example","klik")', "+1+2", "@SUM(A1)", "-1"]
    lots = {}
    for i, name in enumerate(names):
        product_id = (await create_product(client, world.producer, chicken(name=name)))["id"]
        lot = f"-{i}-{world.tag}"[:20]  # a lot is letters, digits and dashes
        lots[lot] = (await register(client, world, product_id, lot=lot))["lot"]
    response = await client.get(URL, headers=world.producer.headers)
    sheet = _sheet(response.content)
    for (lot, stored), name in zip(lots.items(), names, strict=True):
        row = _by_lot(sheet, stored)  # no apostrophe: a text cell needs none
        assert stored == lot and row["lot"].data_type == "s"
        assert row["product"].data_type == "s"
        assert row["product"].value == name
    # and nowhere in the sheet's XML is there a formula element
    import zipfile

    with zipfile.ZipFile(io.BytesIO(response.content)) as package:
        xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    assert '<is><t>=HYPERLINK("http://evil.example","klik")</t></is>' in xml  # an inline string


async def test_date_range_is_on_production_date(client, world: World):
    product_id = (await create_product(client, world.producer, chicken()))["id"]
    old = date.today() - timedelta(days=40)
    recent = date.today() - timedelta(days=3)
    await register(client, world, product_id, lot="OLD", production_date=old.isoformat())
    await register(client, world, product_id, lot="RECENT", production_date=recent.isoformat())

    after_old = await _sheet_of(
        client, world.producer, **{"from": (old + timedelta(days=1)).isoformat()}
    )
    lots = {r["lot"].value for r in _rows(after_old)}
    assert "RECENT" in lots and "OLD" not in lots
    only_old = await _sheet_of(
        client, world.producer, **{"from": old.isoformat(), "to": old.isoformat()}
    )
    assert [r["lot"].value for r in _rows(only_old)] == ["OLD"]
    assert only_old.auto_filter.ref == "A1:AB2"

    backwards = await client.get(
        URL,
        params={"from": recent.isoformat(), "to": old.isoformat()},
        headers=world.producer.headers,
    )
    assert backwards.status_code == 400
    assert [e["field"] for e in backwards.json()["errors"]] == ["to"]
    nonsense = await client.get(URL, params={"from": "yesterday"}, headers=world.producer.headers)
    assert nonsense.status_code == 400


async def test_an_empty_range_is_a_header_only_sheet(client, world: World):
    await batch_in(client, world, "registered")
    day = (date.today() - timedelta(days=4000)).isoformat()
    sheet = await _sheet_of(client, world.producer, **{"from": day, "to": day})
    assert sheet.max_row == 1
    assert [c.value for c in sheet[1]][:5] == INDONESIAN_HEADERS_START
    assert sheet.auto_filter.ref == "A1:AB1" and sheet.freeze_panes == "A2"


async def test_many_rows_arrive_in_order(client, world: World):
    product_id = (await create_product(client, world.producer, chicken()))["id"]
    for i in range(120):
        await register(
            client,
            world,
            product_id,
            lot=f"BULK-{i}",
            production_date=(date.today() - timedelta(days=i % 30)).isoformat(),
        )
    rows = [
        r
        for r in _rows(await _sheet_of(client, world.producer))
        if str(r["lot"].value).startswith("BULK-")
    ]
    assert len(rows) == 120
    days = [r["production_date"].value for r in rows]
    assert days == sorted(days)


async def test_the_overview_offers_the_workbook_beside_the_csv(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
):
    regulator = await signed_in(client, pool, world.regulator.id)
    page = (await regulator.get("/app/overview")).text
    form = page.split('id="export"', 1)[1].split("</form>", 1)[0]
    assert 'action="/api/v1/exports/batches.csv"' in form
    assert 'formaction="/api/v1/exports/batches.xlsx"' in form
    assert "Unduh Excel (XLSX)" in form and "Unduh CSV" in form


async def test_the_openapi_document_describes_a_binary_workbook(client: AsyncTestClient):
    document = (await client.get("/schema/openapi.json")).json()
    operation = document["paths"][URL]["get"]
    assert operation["operationId"] == "exportBatchesXlsx"
    assert operation["summary"] == "Export batches XLSX"
    assert operation["responses"]["200"]["content"] == {
        XLSX: {"schema": {"type": "string", "format": "binary"}}
    }
    assert {"400", "401", "403"} <= set(operation["responses"])
    names = {p["name"] for p in operation["parameters"]}
    assert {"from", "to", "lang"} <= names
    # the CSV is a file too, as every download is to a generated client
    csv_answer = document["paths"]["/api/v1/exports/batches.csv"]["get"]["responses"]["200"]
    assert csv_answer["content"]["text/csv"]["schema"] == {"type": "string", "format": "binary"}


async def test_the_serials_as_a_workbook_match_the_csv(client: AsyncTestClient, world: World):
    import csv

    batch_id = await batch_in(client, world, "released")
    issued = await client.post(
        f"/api/v1/batches/{batch_id}/labels", json={"count": 3}, headers=world.producer.headers
    )
    assert issued.status_code == 201, issued.text
    listing = await client.get(
        f"/api/v1/batches/{batch_id}/labels.csv", headers=world.producer.headers
    )
    expected = list(csv.reader(io.StringIO(listing.text)))[1:]
    url = f"/api/v1/batches/{batch_id}/labels.xlsx"
    answer = await client.get(url, headers=world.regulator.headers)
    assert answer.status_code == 200 and answer.headers["content-type"] == XLSX
    assert answer.headers["content-disposition"].endswith('.xlsx"')
    sheet = _sheet(answer.content)
    assert [c.value for c in sheet[1]] == ["Nomor seri", "Tautan"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:B4"
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert rows == expected and len(rows) == 3
    assert all(c.data_type == "s" for row in sheet.iter_rows(min_row=2) for c in row)
    english = _sheet(
        (await client.get(url, params={"lang": "en"}, headers=world.producer.headers)).content
    )
    assert [c.value for c in english[1]] == ["Serial", "Link"]
    assert (await client.get(url, headers=world.operator.headers)).status_code == 403
