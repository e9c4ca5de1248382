"""The export certificate of a shipment (SPEC §13.3): its content read back from the PDF's text
(pypdfium2), its QR decoded from the rendered page (zxing-cpp) and checked at /c/{number}, a
forged or missing `s` refused as for labels, and who may fetch it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio
import pypdfium2 as pdfium
import pytest

from tests.integration.batches.shipments.shipment_steps import (
    approve,
    create_customer,
    shipped,
    spice_batch,
)
from tests.integration.test_labels_api import pdf_pages
from tests.integration.world import World
from tests.unit.labels.samples import decode_all
from tests.unit.labels.test_export_certificate_pdf import drawn_characters

pytestmark = pytest.mark.asyncio(loop_scope="session")
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def pdf_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    return " ".join(" ".join(page.get_textpage().get_text_range() for page in document).split())


async def approved_shipment(  # type: ignore[no-untyped-def]
    client,
    world: World,
    market: str,
    kind: str,
    reference: str,
    document_no: str | None = None,
    **customer: Any,
) -> dict[str, Any]:
    """A released batch of ground pepper (overall average 8.1 × 1.05 kGy) shipped to a
    customer in `market`, from a facility whose `kind` approval is valid on the treatment's
    date; `customer` names the customer's country, city and name."""
    batch = await spice_batch(client, world, ratio_average=1.05)
    treated_on = batch["treated_on"]
    approved = await approve(
        client,
        world,
        treated_on - timedelta(1),
        treated_on + timedelta(1),
        market=market,
        kind=kind,
        reference=reference,
    )
    assert approved.status_code == 201, approved.text
    buyer = await create_customer(client, world.producer, **customer)
    named = {"document_no": document_no} if document_no else {}
    shipment = await shipped(client, world.producer, batch["batch_id"], buyer["id"], **named)
    assert shipment["market"] == market
    return {**batch, "shipment": shipment, "customer": buyer}


async def us_shipment(client, world: World) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Ground pepper shipped to an importer in Seattle, the facility registered with the FDA."""
    return await approved_shipment(
        client,
        world,
        "US",
        "fda_registration",
        "FDA 12345678901",
        document_no="INV-2026-77",
        country="US",
        city="Seattle",
        name="Pacific Spice Importers",
    )


async def certificate(client, actor, shipment_id: str):  # type: ignore[no-untyped-def]
    return await client.get(
        f"/api/v1/shipments/{shipment_id}/certificate.pdf", headers=actor.headers
    )


async def test_the_certificate_states_the_shipment_and_its_treatment(client, world: World) -> None:  # type: ignore[no-untyped-def]
    sent = await us_shipment(client, world)
    shipment = sent["shipment"]
    answer = await certificate(client, world.producer, shipment["id"])
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    pdf = answer.content
    assert len(pdfium.PdfDocument(pdf)) == 1
    text = pdf_text(pdf)
    record = (
        await client.get(f"/api/v1/batches/{sent['batch_id']}", headers=world.producer.headers)
    ).json()
    treatment = record["treatment"]
    number = text.split("Certificate No. ")[1].split()[0]
    assert number.startswith("RDR-EC-")
    assert f'filename="{number}.pdf"' in answer.headers["content-disposition"]
    for expected in (
        "EXPORT CERTIFICATE",
        "Pacific Spice Importers, Seattle, United States",
        "United States (US)",
        "Lada hitam bubuk",
        "090422",
        record["lot"],
        "10 pieces",
        "INV-2026-77",
        record["facility"]["name"],
        treatment["irradiator"]["name"],
        "Cobalt-60 (gamma)",  # the source by its name, not its code
        "FDA food-facility registration FDA 12345678901",
        f"Minimum absorbed dose {treatment['dose_min_kgy']:g} kGy",
        f"Maximum absorbed dose {treatment['dose_max_kgy']:g} kGy",
        "Overall average dose 8.5 kGy",  # mean(8.0, 8.2) × 1.05
        "At most 30 kGy maximum dose (21 CFR 179.26(b)",
        "Admitted: United States (US) admits Lada hitam bubuk by 21 CFR 179.26(b)",
        "Purpose of irradiation Reducing the microbial load",
        "CXS 106-1983",
        "Issued on ",
    ):
        assert expected in text, expected
    assert "RECALLED" not in text

    # the same number every time
    again = await certificate(client, world.regulator, shipment["id"])
    assert again.status_code == 200
    assert f"Certificate No. {number}" in pdf_text(again.content)

    # the QR leads to the public check, which says genuine and names the shipment
    (uri,) = decode_all(pdf_pages(pdf, dpi=200)[0])
    parts = urlsplit(uri)
    assert parts.path == f"/c/{number}" and parts.query.startswith("s=")
    checked = await client.get(
        f"{parts.path}?{parts.query}", headers={"Accept": "application/json"}
    )
    assert checked.status_code == 200, checked.text
    body = checked.json()
    assert (body["verdict"], body["signature"], body["number"]) == ("genuine", "valid", number)
    assert (body["market"], body["lot"]) == ("US", record["lot"])
    assert body["product"] == "Lada hitam bubuk"
    assert body["treatment"]["dose_max_kgy"] == treatment["dose_max_kgy"]
    assert body["treatment"]["overall_average_kgy"] == pytest.approx(8.505)
    assert body["document_no"] == "INV-2026-77"
    page = await client.get(f"{parts.path}?{parts.query}&lang=en")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"  # named once
    assert "Genuine certificate" in page.text and record["lot"] in page.text
    # HEAD, as link checkers and previewers send first: GET's status and headers, no body
    head = await client.head(f"{parts.path}?{parts.query}")
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-type"] == "text/html; charset=utf-8"
    assert "Content-Security-Policy" in head.headers
    assert "Content-Security-Policy" in page.headers
    indonesian = await client.get(f"{parts.path}?{parts.query}")
    assert "Sertifikat asli" in indonesian.text

    # a forged, missing or borrowed signature: 404 and nothing more, as for labels
    signature = parts.query.removeprefix("s=")
    forged = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    other_number = number[:-1] + ("1" if number[-1] != "1" else "2")
    for path in (
        f"/c/{number}?s={forged}",
        f"/c/{number}",
        f"/c/{other_number}?s={signature}",
        f"/c/NOT-A-NUMBER?s={signature}",
    ):
        refused = await client.get(path, headers={"Accept": "application/json"})
        assert refused.status_code == 404, path
        assert refused.json()["verdict"] == "invalid"
        assert set(refused.json()) == {"verdict", "signature"}
        page = await client.get(path)
        assert page.status_code == 404 and "Sertifikat tidak dikenal" in page.text
        assert record["lot"] not in page.text
        assert (await client.head(path)).status_code == 404


async def test_a_recalled_batchs_certificate_says_recalled(client, world: World) -> None:  # type: ignore[no-untyped-def]
    sent = await us_shipment(client, world)
    first = await certificate(client, world.producer, sent["shipment"]["id"])
    (uri,) = decode_all(pdf_pages(first.content, dpi=200)[0])
    recalled = await client.post(
        f"/api/v1/batches/{sent['batch_id']}/recall",
        json={"reason": "Cemaran Salmonella pada sampel retensi"},
        headers=world.producer.headers,
    )
    assert recalled.status_code == 200, recalled.text
    answer = await certificate(client, world.producer, sent["shipment"]["id"])
    assert answer.status_code == 200
    text = pdf_text(answer.content)
    assert "DITARIK / RECALLED" in text
    assert "Cemaran Salmonella pada sampel retensi" in text
    assert decode_all(pdf_pages(answer.content, dpi=200)[0]) == [uri]  # the same number
    parts = urlsplit(uri)
    checked = await client.get(
        f"{parts.path}?{parts.query}", headers={"Accept": "application/json"}
    )
    assert checked.status_code == 200
    assert checked.json()["verdict"] == "recalled"
    assert checked.json()["recall_reason"] == "Cemaran Salmonella pada sampel retensi"


async def test_who_may_fetch_a_certificate(client, world: World) -> None:  # type: ignore[no-untyped-def]
    sent = await us_shipment(client, world)
    shipment_id = sent["shipment"]["id"]
    for actor in (world.producer, world.regulator, world.admin):
        assert (await certificate(client, actor, shipment_id)).status_code == 200
    # another organization's shipment looks like no shipment at all
    assert (await certificate(client, world.other_producer, shipment_id)).status_code == 404
    # facility staff read no shipments
    for actor in (world.operator, world.qa):
        assert (await certificate(client, actor, shipment_id)).status_code == 403
    assert (await certificate(client, world.producer, UNKNOWN)).status_code == 404
    assert (await client.get(f"/api/v1/shipments/{shipment_id}/certificate.pdf")).status_code == 401
    # a cancelled shipment has no certificate
    cancelled = await client.post(
        f"/api/v1/shipments/{shipment_id}/cancel",
        json={"reason": "Salah pelanggan"},
        headers=world.producer.headers,
    )
    assert cancelled.status_code == 200, cancelled.text
    refused = await certificate(client, world.producer, shipment_id)
    assert refused.status_code == 409 and refused.json()["code"] == "shipment_cancelled"


async def test_no_certificate_when_the_market_no_longer_admits_the_batch(  # type: ignore[no-untyped-def]
    client, world: World
) -> None:
    """The rules are data and change: a certificate states the check as it stands now, so a
    shipment the market's current rules refuse gets none (as shipping it would be refused)."""
    sent = await us_shipment(client, world)
    markets = await client.get("/api/v1/markets?limit=50", headers=world.admin.headers)
    us = next(m for m in markets.json()["items"] if m["code"] == "US")
    narrower = [r for r in us["rules"] if r["category"] != "spices_herbs"]
    put = await client.put(
        "/api/v1/markets/US", json={"rules": narrower}, headers=world.admin.headers
    )
    assert put.status_code == 200, put.text
    try:
        refused = await certificate(client, world.producer, sent["shipment"]["id"])
        assert refused.status_code == 422, refused.text
        problem = refused.json()
        assert (problem["code"], problem["market"]) == ("market_not_permitted", "US")
        assert [f["rule"] for f in problem["failed"]] == ["category_purpose"]
    finally:
        restored = await client.put(
            "/api/v1/markets/US", json={"rules": us["rules"]}, headers=world.admin.headers
        )
        assert restored.status_code == 200, restored.text
    assert (await certificate(client, world.producer, sent["shipment"]["id"])).status_code == 200


async def test_a_certificate_for_china_carries_its_words_in_chinese(  # type: ignore[no-untyped-def]
    client, world: World, tmp_path: Path
) -> None:
    """China's row (GB 7718-2011) has its words in Chinese: the certificate prints 辐照食品 in
    its CJK font beside the English; the importer's name and city, written in Chinese, print
    as written, each hanzi in that font; and the file stays a valid PDF."""
    sent = await approved_shipment(
        client,
        world,
        "CN",
        "gacc",
        "GACC CIDN00000000000",
        country="CN",
        city="上海市浦东新区",
        name="上海海鲜贸易有限公司",
    )
    shipment = sent["shipment"]
    answer = await certificate(client, world.producer, shipment["id"])
    assert answer.status_code == 200, answer.text
    text = pdf_text(answer.content)
    assert "China (CN)" in text
    assert "Consignee 上海海鲜贸易有限公司, 上海市浦东新区, China" in text
    hanzi = {c: font for c, font, _ in drawn_characters(answer.content) if ord(c) >= 0x3000}
    assert set("上海海鲜贸易有限公司上海市浦东新区辐照食品") <= set(hanzi)
    assert set(hanzi.values()) == {"NotoSansCJKsc-Regular"}
    assert "辐照食品 (zh)" in text
    assert "GACC overseas producer registration GACC CIDN00000000000" in text
    path = tmp_path / "certificate.pdf"
    path.write_bytes(answer.content)
    checked = await anyio.run_process(["qpdf", "--check", str(path)], check=False)
    assert checked.returncode == 0, (checked.stdout + checked.stderr).decode()
