"""The trace report (SPEC §13.1): trace.xlsx read back with openpyxl, trace.csv's content, who
may download them."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from uuid import UUID

import pytest
from openpyxl import load_workbook

from tests.integration.batch_steps import batch_in
from tests.integration.batches.shipments.shipment_steps import (
    VALID_GLN,
    approve,
    create_customer,
    shipped,
    spice_batch,
)
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _two_shipments_one_cancelled(client, world: World) -> tuple[str, dict, dict]:  # type: ignore[no-untyped-def]
    # a spice batch from an EU-listed facility: the Union admits it (SPEC §13.3)
    spice = await spice_batch(client, world, ratio_average=1.05)
    treated_on = spice["treated_on"]
    assert (await approve(client, world, treated_on, treated_on)).status_code == 201
    batch_id = spice["batch_id"]
    hamburg = await create_customer(
        client, world.producer, name="=HYPERLINK(\"http://x\")", country="DE", city="Hamburg",
        gln=VALID_GLN, kind="importer",
    )  # fmt: skip
    padang = await create_customer(client, world.producer, name="Toko Uni", city="Padang")
    first = await shipped(
        client, world.producer, batch_id, hamburg["id"], quantity=30, document_no="INV-9",
        shipped_at=datetime.now(UTC).isoformat(),
    )  # fmt: skip
    second = await shipped(client, world.producer, batch_id, padang["id"], quantity=12)
    cancelled = await client.post(
        f"/api/v1/shipments/{second['id']}/cancel",
        json={"reason": "Dobel input"},
        headers=world.producer.headers,
    )
    assert cancelled.status_code == 200
    return batch_id, first, second


async def test_the_workbook_holds_the_shipping_kdes_and_the_treatment(client, world: World):
    batch_id, _, _ = await _two_shipments_one_cancelled(client, world)
    response = await client.get(
        f"/api/v1/batches/{batch_id}/trace.xlsx?lang=en", headers=world.producer.headers
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(XLSX)
    assert "radura-trace-" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Shipments", "Treatment record"]
    rows = list(book["Shipments"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("Traceability lot code", "Lot code assigned by", "Code")
    lines = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert len(lines) == 2
    hamburg, padang = lines
    batch = (await client.get(f"/api/v1/batches/{batch_id}", headers=world.producer.headers)).json()
    assert hamburg["Traceability lot code"] == batch["lot"]
    assert hamburg["Code"] == batch["code"].strip()
    assert hamburg["Product"] == batch["product"]["name"]
    assert (hamburg["Quantity"], hamburg["Unit"]) == (30, "pcs")
    assert hamburg["Shipped from"] == batch["producer"]["name"]
    # a name that looks like a formula is a text cell, never a formula
    assert hamburg["Shipped to"] == '=HYPERLINK("http://x")'
    cell = book["Shipments"].cell(row=2, column=header.index("Shipped to") + 1)
    assert cell.data_type == "s"
    assert (hamburg["Shipped to: city"], hamburg["Shipped to: country"]) == ("Hamburg", "DE")
    assert hamburg["Shipped to: GLN"] == VALID_GLN
    assert hamburg["Reference document"] == "INV-9"
    assert hamburg["Market"] == "EU"
    assert isinstance(hamburg["Shipped (WIB)"], datetime)
    assert hamburg["Status"] == "shipped"
    assert (padang["Status"], padang["Reason for cancelling"]) == ("cancelled", "Dobel input")
    assert book["Shipments"].auto_filter.ref is not None
    facts = {
        row[0]: row[1] for row in book["Treatment record"].iter_rows(values_only=True) if row[0]
    }
    assert facts["Traceability lot code"] == batch["lot"]
    assert facts["Irradiator"] == batch["treatment"]["irradiator"]["name"]
    assert facts["Minimum absorbed dose (kGy)"] == pytest.approx(batch["treatment"]["dose_min_kgy"])
    assert facts["Maximum absorbed dose (kGy)"] == pytest.approx(batch["treatment"]["dose_max_kgy"])
    assert facts["Conforming"] is True
    assert facts["QA officer"] == batch["release"]["by"]["name"]
    dosimeter_ids = {d["dosimeter_id"] for d in batch["treatment"]["dosimeters"]}
    assert dosimeter_ids <= set(facts)  # each dosimeter has its row under the record


async def test_the_headers_speak_indonesian_by_default(client, world: World):
    batch_id, _, _ = await _two_shipments_one_cancelled(client, world)
    response = await client.get(
        f"/api/v1/batches/{batch_id}/trace.xlsx", headers=world.regulator.headers
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] != "Shipments"
    assert book.active.cell(row=1, column=1).value != "Traceability lot code"


async def test_the_csv_lists_every_shipment_with_its_kdes(client, world: World):
    batch_id, _, _ = await _two_shipments_one_cancelled(client, world)
    response = await client.get(
        f"/api/v1/batches/{batch_id}/trace.csv", headers=world.producer.headers
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["status"] for r in rows] == ["shipped", "cancelled"]
    hamburg = rows[0]
    assert hamburg["ship_to_name"] == '\'=HYPERLINK("http://x")'  # the formula guard
    assert (hamburg["ship_to_country"], hamburg["ship_to_gln"]) == ("DE", VALID_GLN)
    assert (hamburg["quantity"], hamburg["unit"], hamburg["market"]) == ("30", "pcs", "EU")
    assert hamburg["document_no"] == "INV-9"
    assert hamburg["shipped_at"].endswith("+07:00")
    assert hamburg["ship_date"] == hamburg["shipped_at"][:10]
    assert rows[1]["cancel_reason"] == "Dobel input"
    assert list(rows[0])[:2] == ["traceability_lot_code", "tlc_source"]


async def test_a_batch_without_shipments_gives_the_headers_and_the_record(client, world: World):
    batch_id = await batch_in(client, world, "released")
    csv_text = (
        await client.get(f"/api/v1/batches/{batch_id}/trace.csv", headers=world.producer.headers)
    ).text
    assert csv_text.splitlines()[0].startswith("traceability_lot_code,")
    assert len(csv_text.splitlines()) == 1
    workbook = await client.get(
        f"/api/v1/batches/{batch_id}/trace.xlsx", headers=world.producer.headers
    )
    assert len(list(load_workbook(io.BytesIO(workbook.content)).worksheets[0].iter_rows())) == 1


async def test_only_the_owner_and_regulators_download_it(client, world: World):
    batch_id = await batch_in(client, world, "released")
    for suffix in ("xlsx", "csv"):
        path = f"/api/v1/batches/{batch_id}/trace.{suffix}"
        assert (await client.get(path, headers=world.other_producer.headers)).status_code == 404
        assert (await client.get(path, headers=world.operator.headers)).status_code == 403
        assert (await client.get(path, headers=world.regulator.headers)).status_code == 200
        assert (await client.get(path)).status_code == 401


async def test_the_report_reads_its_shipments_a_page_at_a_time_in_ship_order(
    client, world: World, monkeypatch: pytest.MonkeyPatch
):
    """Pages of 3 (the page size made small): all 7 shipments, each once, in ship order, in
    both files, though the same moment ships several (the page's place is the shipment too)."""
    from service.batches.export import trace_report

    monkeypatch.setattr(trace_report, "PAGE_SHIPMENTS", 3)
    batch_id = await batch_in(client, world, "released")
    shop = await create_customer(client, world.producer, name="Toko Tujuh")
    moment = datetime.now(UTC).isoformat()
    documents = [f"SJ-{n}" for n in range(7)]
    for document_no in documents:
        await shipped(client, world.producer, batch_id, shop["id"], quantity=1,
                      document_no=document_no, shipped_at=moment)  # fmt: skip
    answer = await client.get(
        f"/api/v1/batches/{batch_id}/trace.csv", headers=world.producer.headers
    )
    assert answer.status_code == 200, answer.text
    lines = list(csv.DictReader(io.StringIO(answer.text)))
    assert sorted(line["document_no"] for line in lines) == documents
    book = await client.get(
        f"/api/v1/batches/{batch_id}/trace.xlsx?lang=en", headers=world.producer.headers
    )
    rows = list(load_workbook(io.BytesIO(book.content))["Shipments"].iter_rows(values_only=True))
    column = rows[0].index("Reference document")
    assert [row[column] for row in rows[1:]] == [line["document_no"] for line in lines]


async def test_the_report_waits_its_turn_at_the_download_gate(client, world: World):
    """Two downloads of the organization already in progress: a third, the trace report
    included, is a 503 with Retry-After before any work, and has its turn once one ends."""
    batch_id = await batch_in(client, world, "released")
    gate = client.app.state.download_gate
    me = (await client.get("/api/v1/me", headers=world.producer.headers)).json()
    organization = UUID(me["organization_id"])  # downloads count per organization
    held = [gate.admit(organization), gate.admit(organization)]
    try:
        for kind in ("csv", "xlsx"):
            refused = await client.get(
                f"/api/v1/batches/{batch_id}/trace.{kind}", headers=world.producer.headers
            )
            assert refused.status_code == 503, kind
            assert refused.json()["code"] == "download_limit_organization"
            assert refused.headers["retry-after"]
    finally:
        for ticket in held:
            ticket.release()
    for kind in ("csv", "xlsx"):
        answer = await client.get(
            f"/api/v1/batches/{batch_id}/trace.{kind}", headers=world.producer.headers
        )
        assert answer.status_code == 200, kind
    assert gate.admitted == 0
