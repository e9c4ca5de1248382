"""The console's export markets: the markets table every signed-in user reads, an
administrator's edit of a market's rules (the API's validation, the same function), a product's
markets on its page and the export certificate's link on the batch page."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest

from tests.integration.batch_steps import create_product
from tests.integration.batches.products.test_console_products import field_error
from tests.integration.batches.shipments.shipment_steps import (
    create_customer,
    shipped,
    spice_batch,
    spices,
)
from tests.integration.batches.shipments.test_export_certificate import us_shipment
from tests.integration.console import signed_in
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")


def textarea(page: str) -> str:
    match = re.search(r'<textarea id="rules"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, "no rules field"
    return html.unescape(match.group(1))


async def test_everyone_reads_the_markets_table(client, pool, world: World) -> None:  # type: ignore[no-untyped-def]
    for actor in (world.producer, world.operator, world.qa, world.regulator, world.admin):
        browser = await signed_in(client, pool, actor.id)
        page = await browser.get("/app/markets")
        assert page.status_code == 200, actor.role
        text = page.text
        assert 'id="market-JP"' in text and 'id="market-EU"' in text
        assert "Food Sanitation Act" in text  # a rule's source
        assert "21 CFR 179.26(b) (crustaceans)" in text
        assert "belum terkonfirmasi" in text  # FSANZ rows are seeded unconfirmed
        assert "keyakinan H (tinggi)" in text
        edits = "/app/markets/US/edit" in text
        assert edits == (actor.role == "admin"), actor.role
        if actor.role != "admin":
            assert (await browser.get("/app/markets/US/edit")).status_code == 403


async def test_an_administrator_edits_a_markets_rules(client, pool, world: World) -> None:  # type: ignore[no-untyped-def]
    browser = await signed_in(client, pool, world.admin.id)
    form = await browser.get("/app/markets/JP/edit")
    assert form.status_code == 200
    rules = json.loads(textarea(form.text))["rules"]
    assert [r["hs_prefixes"] for r in rules] == [["0701"]]
    try:
        # not JSON, and a rule the Struct refuses: 400, the field named, the text kept
        broken = await browser.submit("/app/markets/JP/edit", {"rules": "{not json"})
        assert broken.status_code == 400
        assert "Aturan tidak dapat dibaca" in broken.text and 'href="#rules"' in broken.text
        assert textarea(broken.text) == "{not json"
        no_limit = [dict(rules[0], dose_limit_kgy=None)]
        refused = await browser.submit(
            "/app/markets/JP/edit", {"rules": json.dumps({"rules": no_limit})}
        )
        assert refused.status_code == 400 and "dose_limit_kgy" in refused.text
        # a category × purpose that is no row of the food-category table: 422 as in the API
        unknown = [dict(rules[0], purpose="sterilisation")]
        refused = await browser.submit(
            "/app/markets/JP/edit", {"rules": json.dumps({"rules": unknown})}
        )
        assert refused.status_code == 422, refused.text
        assert "bulbs_tubers × sterilisation" in refused.text
        unchanged = await client.get("/api/v1/markets?limit=50", headers=world.admin.headers)
        japan = next(m for m in unchanged.json()["items"] if m["code"] == "JP")
        assert japan["rules"] == rules

        wider = [dict(rules[0], hs_prefixes=["0701", "0703"])]
        saved = await browser.submit(
            "/app/markets/JP/edit", {"rules": json.dumps({"rules": wider})}
        )
        assert saved.status_code == 303, saved.text
        assert saved.headers["location"] == "/app/markets#market-JP"
        changed = await client.get("/api/v1/markets?limit=50", headers=world.admin.headers)
        japan = next(m for m in changed.json()["items"] if m["code"] == "JP")
        assert japan["rules"][0]["hs_prefixes"] == ["0701", "0703"]
        log = (await client.get("/api/v1/admin-audit-log", headers=world.admin.headers)).json()
        assert log["items"][0]["action"] == "market.rules_replaced"
    finally:
        restored = await client.put(
            "/api/v1/markets/JP", json={"rules": rules}, headers=world.admin.headers
        )
        assert restored.status_code == 200
    assert (await browser.get("/app/markets/XX/edit")).status_code == 404


async def test_a_product_page_shows_its_markets(client, pool, world: World) -> None:  # type: ignore[no-untyped-def]
    product = await create_product(client, world.producer, spices())
    api = await client.get(
        f"/api/v1/products/{product['id']}/markets", headers=world.producer.headers
    )
    browser = await signed_in(client, pool, world.producer.id)
    page = await browser.get(f"/app/products/{product['id']}")
    assert page.status_code == 200
    section = page.text.split('id="markets"')[1].split("</section>")[0]
    summary, listing = section.split('<ul class="list markets-list">')
    items = api.json()["items"]
    assert listing.count("<strong>") == len(items)
    assert listing.count("Boleh dikirim") == sum(1 for m in items if m["allowed"])
    assert listing.count("Tidak diterima") == sum(1 for m in items if not m["allowed"])
    # the answer first: the markets abroad that admit it, by name; they lead the list too
    abroad = [m["market"] for m in items if m["allowed"] and m["market"] != "ID"]
    assert abroad and "Boleh dikirim ke luar negeri ke: " in summary
    assert "Amerika Serikat" in summary and "Jepang" not in summary
    first_refused = listing.index("Tidak diterima")
    assert all(listing.index(f"({code})") < first_refused for code in abroad)
    japan = next(m for m in items if m["market"] == "JP")
    assert html.escape(japan["failed"][0]["source"]) in section
    assert "Jepang" in section and "Uni Eropa" in section
    # each refusal's meaning in the reader's language; the check's English detail only where
    # it carries figures the meaning lacks, never the codes of a category refused
    assert "Pasar ini tidak menerima kategori pangan ini untuk tujuan iradiasi ini." in section
    assert html.escape(japan["failed"][0]["detail"]) not in section
    assert "spices_herbs" not in section
    assert "(keyakinan tinggi)" in section and "(keyakinan rendah)" in section
    # a market with no row at all: its source said in the reader's language
    assert "tidak ada aturan pasar ini yang menerimanya (tabel pasar)" in section
    assert "No row of this market" not in section


async def test_the_batch_page_links_each_shipments_certificate(client, pool, world: World) -> None:  # type: ignore[no-untyped-def]
    sent = await us_shipment(client, world)
    browser = await signed_in(client, pool, world.producer.id)
    page = await browser.get(f"/app/batches/{sent['batch_id']}")
    link = f"/api/v1/shipments/{sent['shipment']['id']}/certificate.pdf"
    assert f'href="{link}"' in page.text
    certificate = await browser.get(link)
    assert certificate.status_code == 200
    assert certificate.headers["content-type"] == "application/pdf"
    # a shipment at home needs no export certificate: none is offered for it
    shop = await create_customer(client, world.producer, country="ID", city="Tangerang")
    home = await shipped(client, world.producer, sent["batch_id"], shop["id"])
    assert home["market"] == "ID"
    page = await browser.get(f"/app/batches/{sent['batch_id']}")
    assert f'href="{link}"' in page.text
    assert f"/api/v1/shipments/{home['id']}/certificate.pdf" not in page.text


async def test_an_administrator_sets_a_markets_label_language_in_the_console(  # type: ignore[no-untyped-def]
    client, pool, world: World
) -> None:
    browser = await signed_in(client, pool, world.admin.id)
    form = await browser.get("/app/markets/US/edit")
    body = json.loads(textarea(form.text))
    assert body["label_language"] == "en"  # shown with the rules, to edit
    try:
        refused = await browser.submit(
            "/app/markets/US/edit", {"rules": json.dumps(dict(body, label_language="zh"))}
        )
        assert refused.status_code == 422, refused.text
        assert "Tambahkan dulu kata-kata dalam bahasa itu" in refused.text
        assert json.loads(textarea(refused.text))["label_language"] == "zh"  # the text kept
        # Arabic words stored with the rules, but not a label language: labels cannot set them
        arabic_rules = [
            {**rule, "statutory_words": {**rule["statutory_words"], "ar": ["مشعع"]}}
            for rule in body["rules"]
        ]
        unprintable = await browser.submit(
            "/app/markets/US/edit",
            {"rules": json.dumps(dict(body, rules=arabic_rules, label_language="ar"))},
        )
        assert unprintable.status_code == 422, unprintable.text
        # the letters one by one, isolated from the sentence they sit in
        assert (
            "Label tidak dapat mencetak kata-kata dalam bahasa label (\u2068م ش ع\u2069:"
            in unprintable.text
        )
        cleared = await browser.submit(
            "/app/markets/US/edit", {"rules": json.dumps(dict(body, label_language=None))}
        )
        assert cleared.status_code == 303, cleared.text
        listed = await client.get("/api/v1/markets?limit=50", headers=world.admin.headers)
        assert (
            next(m for m in listed.json()["items"] if m["code"] == "US")["label_language"] is None
        )
        log = (await client.get("/api/v1/admin-audit-log", headers=world.admin.headers)).json()
        assert log["items"][0]["action"] == "market.label_language_changed"
        assert log["items"][0]["details"] == {"from": "en", "to": None}
    finally:
        restored = await client.put("/api/v1/markets/US", json=body, headers=world.admin.headers)
        assert restored.status_code == 200 and restored.json()["label_language"] == "en"


async def test_an_administrator_records_a_facilitys_approval_in_the_console(  # type: ignore[no-untyped-def]
    client, pool, world: World
) -> None:
    """Without an approval the US refuses the facility's pepper; the console's approvals page
    records one (the same function as the API), and the market check then admits it."""
    batch = await spice_batch(client, world, ratio_average=1.05)
    markets = f"/api/v1/products/{batch['product_id']}/markets"

    async def us_failures() -> list[str]:
        items = (await client.get(markets, headers=world.producer.headers)).json()["items"]
        return [f["rule"] for f in next(m for m in items if m["market"] == "US")["failed"]]

    assert await us_failures() == ["facility_approval"]
    admin = await signed_in(client, pool, world.admin.id)
    path = f"/app/admin/organizations/{world.facility}/approvals"
    assert path in (await admin.get(f"/app/admin/organizations/{world.facility}/edit")).text
    empty = await admin.get(path)
    assert empty.status_code == 200 and "Belum ada persetujuan" in empty.text
    assert '<option value="ID"' not in empty.text  # the home market asks for none
    treated = batch["treated_on"]
    body = {
        "market": "US",
        "kind": "fda_registration",
        "reference": "FFR 12345678901",
        "valid_from": (treated - timedelta(days=1)).isoformat(),
        "valid_until": (treated + timedelta(days=365)).isoformat(),
    }
    # a refusal on its field, the typed values kept
    wrong = await admin.submit(path, body | {"reference": ""})
    assert wrong.status_code == 400, wrong.text
    assert field_error(wrong.text, "reference") == "Kolom ini wajib diisi."
    assert f'value="{body["valid_until"]}"' in wrong.text
    unknown = await admin.submit(path, body | {"market": "XX"})
    assert unknown.status_code == 422, unknown.text
    assert field_error(unknown.text, "market") == "Pilih pasar dari daftar."
    assert 'value="FFR 12345678901"' in unknown.text
    backwards = await admin.submit(path, body | {"valid_until": body["valid_from"][:4] + "-01-01"})
    assert backwards.status_code == 400
    assert await us_failures() == ["facility_approval"]  # nothing recorded

    recorded = await admin.submit(path, body)
    assert recorded.status_code == 303, recorded.text
    listing = html.unescape((await admin.get(path)).text)
    assert "Persetujuan sudah dicatat." in listing
    assert "Amerika Serikat (US)" in listing and "FFR 12345678901" in listing
    assert await us_failures() == []
    log = (await client.get("/api/v1/admin-audit-log", headers=world.admin.headers)).json()
    assert log["items"][0]["action"] == "organization.approval_added"

    # a facility's only, and an administrator's only
    producer_org = f"/app/admin/organizations/{world.producer_org}/approvals"
    assert (await admin.get(producer_org)).status_code == 404
    for actor in (world.producer, world.qa, world.regulator):
        browser = await signed_in(client, pool, actor.id)
        assert (await browser.get(path)).status_code == 403, actor.role
