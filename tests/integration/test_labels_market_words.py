"""Labels for an export market (SPEC §13.3): `labels.pdf?market=&lang=` prints the market's
statutory words on every sticker, read back from the PDF's text cell by cell, and so do one
sticker's `label.svg` and `label.png`; the QR still decodes and verifies; the refusals name their
field, the same for one sticker, the sheet and `radura labels render --market`; roles and
ownership as for any label."""

from __future__ import annotations

import io
import itertools
import re
import subprocess
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import anyio
import pypdfium2 as pdfium
import pytest
from PIL import Image

from labels.layouts import get_layout
from tests.integration.batches.products.test_console_products import english
from tests.integration.batches.shipments.shipment_steps import approve, spice_batch
from tests.integration.cli_run import radura
from tests.integration.console import signed_in
from tests.integration.test_labels_api import jwks_keyring, pdf_pages, verifies
from tests.integration.world import World
from tests.unit.labels.samples import decode_all

pytestmark = pytest.mark.asyncio(loop_scope="session")

PT_PER_MM = 72 / 25.4
SVG = "{http://www.w3.org/2000/svg}"
TREATED_ON: dict[str, date] = {}  # batch id -> the treatment's date (Jakarta)


def sticker_texts(pdf: bytes, layout: str) -> list[str]:
    """The text of each sticker of the first page, read within its own cell (spaces and line
    breaks as single spaces)."""
    page_layout = get_layout(layout)
    page = pdfium.PdfDocument(pdf)[0]
    text_page = page.get_textpage()
    height_pt = page.get_height()
    texts = []
    for index in range(page_layout.cells_per_page):
        x_mm, top_mm = page_layout.cell_origin_mm(index)
        label = page_layout.label
        text = text_page.get_text_bounded(
            left=x_mm * PT_PER_MM,
            bottom=height_pt - (top_mm + label.height_mm) * PT_PER_MM,
            right=(x_mm + label.width_mm) * PT_PER_MM,
            top=height_pt - top_mm * PT_PER_MM,
        )
        texts.append(re.sub(r"\s+", " ", text))
    return texts


async def spices_approved_for(client, world: World, *markets: tuple[str, str]) -> str:  # type: ignore[no-untyped-def]
    """A released batch of ground pepper (8.5 kGy overall average) whose facility holds each
    (market, kind) approval on the treatment's date."""
    batch = await spice_batch(client, world, ratio_average=1.05)
    batch_id = str(batch["batch_id"])
    TREATED_ON[batch_id] = batch["treated_on"]
    for market, kind in markets:
        await approve_for(client, world, batch_id, market, kind)
    return batch_id


async def approve_for(client, world: World, batch_id: str, market: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    treated_on = TREATED_ON[batch_id]
    approved = await approve(
        client,
        world,
        treated_on - timedelta(1),
        treated_on + timedelta(30),
        market=market,
        kind=kind,
    )
    assert approved.status_code == 201, approved.text


async def labels_pdf(client, world: World, batch_id: str, query: str):  # type: ignore[no-untyped-def]
    return await client.get(
        f"/api/v1/batches/{batch_id}/labels.pdf?{query}", headers=world.producer.headers
    )


@pytest.mark.parametrize("layout", ["a4-3x8", "a4-2x5", "thermal-80x50", "thermal-58x40"])
async def test_every_sticker_of_every_layout_carries_the_markets_words(
    client, world: World, layout: str
):
    batch_id = await spices_approved_for(client, world, ("US", "fda_registration"), ("CN", "gacc"))
    cells = get_layout(layout).cells_per_page
    for query, words in (
        ("market=US", "Treated with radiation"),
        ("market=CN", "辐照食品"),  # China's label speaks Chinese unless asked otherwise
        ("market=CN&lang=en", "Irradiated"),
        ("market=US&lang=en", "Treated with radiation"),
    ):
        response = await labels_pdf(
            client, world, batch_id, f"layout={layout}&copies={cells}&{query}"
        )
        assert response.status_code == 200, (query, response.text)
        market = query.split("&")[0].removeprefix("market=")
        printer = "" if layout.startswith("a4") else "-203dpi"
        assert response.headers["content-disposition"].endswith(f'-{layout}{printer}-{market}.pdf"')
        texts = sticker_texts(response.content, layout)
        assert len(texts) == cells
        for text in texts:
            # each sticker stands alone: the market's words beside every particular
            assert words in text, (query, text)
            for particular in ("PANGAN IRADIASI", "TIDAK BOLEH DIIRADIASI ULANG", "Lada hitam"):
                assert particular in text, (query, particular, text)
    home = await labels_pdf(client, world, batch_id, f"layout={layout}&market=ID")
    assert home.status_code == 200
    home_text = " ".join(sticker_texts(home.content, layout))
    assert "Treated" not in home_text and "辐照" not in home_text


async def test_the_qr_of_a_sticker_with_words_still_decodes_and_verifies(client, world: World):
    batch_id = await spices_approved_for(client, world, ("CN", "gacc"))
    await client.post(
        f"/api/v1/batches/{batch_id}/labels", json={"count": 3}, headers=world.producer.headers
    )
    keyring = await jwks_keyring(client)
    for layout in ("a4-3x8", "thermal-58x40"):
        response = await labels_pdf(client, world, batch_id, f"layout={layout}&market=CN")
        assert response.status_code == 200, response.text
        assert "辐照食品" in sticker_texts(response.content, layout)[0]
        decoded = [uri for page in pdf_pages(response.content) for uri in decode_all(page)]
        assert len(decoded) == 3 and len(set(decoded)) == 3, (layout, decoded)
        assert all("/v/" in uri and verifies(keyring, uri) for uri in decoded)


async def test_market_refusals_name_their_field(client, world: World):
    batch_id = await spices_approved_for(client, world, ("US", "fda_registration"))

    async def refused(query: str, code: str, field: str) -> dict:
        response = await labels_pdf(client, world, batch_id, query)
        assert response.status_code == 422, (query, response.text)
        problem = response.json()
        assert problem["code"] == code, (query, problem)
        assert problem["errors"][0]["field"] == field, (query, problem)
        return problem

    alone = await refused("lang=en", "market_needed", "market")
    assert "market" in alone["detail"]
    unknown = await refused("market=XX", "market_unknown", "market")
    assert unknown["market"] == "XX"
    # the EU wants its list of facilities, Japan potatoes only
    eu = await refused("market=EU&lang=en", "market_not_permitted", "market")
    assert [f["rule"] for f in eu["failed"]] == ["facility_approval"]
    assert eu["failed"][0]["source"].startswith("Directive 1999/2/EC")
    japan = await refused("market=JP", "market_not_permitted", "market")
    assert [f["rule"] for f in japan["failed"]] == ["category_purpose"]
    # a member country stands for its union
    germany = await refused("market=DE&lang=de", "market_not_permitted", "market")
    assert germany["market"] == "EU"
    # words the table does not hold in that language
    missing = await refused("market=US&lang=es", "market_words_missing", "lang")
    assert (missing["lang"], missing["languages"]) == ("es", ["en"])

    # the facility joins the EU's list: the words are then asked in the buyer's language
    await approve_for(client, world, batch_id, "EU", "eu_facility_list")
    needed = await refused("market=EU", "market_language_needed", "lang")
    assert needed["languages"] == ["en"]
    for lang in ("de", "fr", "zh"):
        await refused(f"market=EU&lang={lang}", "market_words_missing", "lang")
    irish = await labels_pdf(client, world, batch_id, "market=EU&lang=en&copies=1")
    assert irish.status_code == 200, irish.text
    assert "irradiated" in sticker_texts(irish.content, "a4-3x8")[0]
    for bad in ("market=us", "market=U", "market=EU&lang=eng", "market=EU&lang=DE"):
        malformed = await labels_pdf(client, world, batch_id, bad)
        assert malformed.status_code == 400, (bad, malformed.text)
        assert malformed.json()["errors"][0]["field"] in ("market", "lang"), bad


async def test_a_market_label_is_read_as_any_label(client, world: World):
    batch_id = await spices_approved_for(client, world, ("US", "fda_registration"))
    url = f"/api/v1/batches/{batch_id}/labels.pdf?market=US&copies=1"
    other = await client.get(url, headers=world.other_producer.headers)
    assert other.status_code == 404
    # another organization's batch is not found before its market is judged
    unknown_market = f"/api/v1/batches/{batch_id}/labels.pdf?market=XX"
    assert (await client.get(unknown_market, headers=world.other_producer.headers)).status_code == (
        404
    )
    for facility_staff in (world.operator, world.qa):
        assert (await client.get(url, headers=facility_staff.headers)).status_code == 403
    for reader in (world.producer, world.regulator, world.admin):
        response = await client.get(url, headers=reader.headers)
        assert response.status_code == 200, (reader.role, response.text)
        assert "Treated with radiation" in sticker_texts(response.content, "a4-3x8")[0]
    assert (await client.get(url)).status_code == 401


async def test_the_document_tells_of_market_and_lang(client):
    document = (await client.get("/schema/openapi.json")).json()
    operation = document["paths"]["/api/v1/batches/{batch_id}/labels.pdf"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert "market_not_permitted" in parameters["market"]["description"]
    assert "market_words_missing" in parameters["lang"]["description"]
    assert "market_language_needed" in parameters["lang"]["description"]
    assert parameters["market"]["example"] == "US"
    assert parameters["lang"]["example"] == "zh"
    assert not parameters["market"].get("required") and not parameters["lang"].get("required")


async def test_the_batch_page_offers_a_label_for_each_market_that_admits_the_batch(
    client, pool, world: World
):
    browser = await signed_in(client, pool, world.producer.id)
    await english(browser)
    batch_id = await spices_approved_for(client, world)
    page = (await browser.get(f"/app/batches/{batch_id}")).text
    # no approval yet: the EU, the US and China all want one of the facility
    assert "No export market admits this batch yet" in page
    assert "market=" not in page

    await approve_for(client, world, batch_id, "US", "fda_registration")
    await approve_for(client, world, batch_id, "CN", "gacc")
    page = (await browser.get(f"/app/batches/{batch_id}")).text
    assert "Labels for export markets" in page
    base = f"/api/v1/batches/{batch_id}/labels.pdf"
    for market, lang, words in (
        ("US", "en", "Treated with radiation"),
        ("CN", "zh", "辐照食品"),
        ("CN", "en", "Irradiated"),
    ):
        assert f'<td lang="{lang}">{words}</td>' in page, (market, lang)
        link = f"{base}?layout=a4-2x5&amp;market={market}&amp;lang={lang}"
        assert link in page, (market, lang)
        pdf = await browser.get(link.replace("&amp;", "&"))
        assert pdf.status_code == 200, pdf.text
        assert words in sticker_texts(pdf.content, "a4-2x5")[0]
        assert pdf.headers["content-disposition"].endswith(f'-a4-2x5-{market}.pdf"')
    assert "market=EU" not in page and "market=JP" not in page  # they do not admit it
    # a market's own language first: China's words in Chinese, then in English
    assert page.index('<td lang="zh">') < page.index('<td lang="en">Irradiated')
    # each market's roll layouts are offered per printer, as the home label's are
    assert f"{base}?layout=thermal-80x50&amp;dpi=203&amp;market=US&amp;lang=en" in page


async def test_the_markets_say_their_label_language_and_where_their_words_come_from(
    client, world: World
):
    listed = await client.get("/api/v1/markets?limit=50", headers=world.producer.headers)
    assert listed.status_code == 200
    markets = {m["code"]: m for m in listed.json()["items"]}
    assert markets["US"]["label_language"] == "en"
    assert markets["CN"]["label_language"] == "zh"
    assert markets["EU"]["label_language"] is None  # the buyer country's, named each time
    us_words = markets["US"]["rules"][0]
    assert us_words["statutory_words"]["en"][0] == "Treated with radiation"
    assert us_words["statutory_words_source"].startswith("21 CFR 179.26(c)(1)")
    china = markets["CN"]["rules"][0]
    assert china["statutory_words"]["zh"] == ["辐照食品"]
    assert china["statutory_words_source"].startswith("GB 7718-2011")
    # a rule without words says no source for them
    japan = markets["JP"]["rules"][0]
    assert japan["statutory_words"] == {} and japan["statutory_words_source"] is None


async def one_sticker(client, actor, batch_id: str, name: str, query: str):  # type: ignore[no-untyped-def]
    return await client.get(f"/api/v1/batches/{batch_id}/{name}?{query}", headers=actor.headers)


def svg_text(svg: str) -> str:
    """The SVG's text, tspans included, spaces squashed."""
    root = ET.fromstring(svg)
    return re.sub(r"\s+", " ", " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text")))


async def test_one_sticker_as_svg_or_png_carries_the_markets_words(client, world: World):
    batch_id = await spices_approved_for(client, world, ("US", "fda_registration"), ("CN", "gacc"))
    for query, words in (
        ("market=US", "Treated with radiation"),
        ("market=CN", "辐照食品"),
        ("market=CN&lang=en", "Irradiated"),
        ("layout=thermal-58x40&market=US&lang=en", "Treated with radiation"),
    ):
        svg = await one_sticker(client, world.producer, batch_id, "label.svg", query)
        assert svg.status_code == 200, (query, svg.text)
        text = svg_text(svg.text)
        assert words in text and "PANGAN IRADIASI" in text, (query, text)
        png = await one_sticker(client, world.producer, batch_id, "label.png", f"{query}&dpi=300")
        assert png.status_code == 200, (query, png.text)
        assert png.headers["content-type"] == "image/png"
        (uri,) = decode_all(Image.open(io.BytesIO(png.content)))
        assert "/v/" in uri
    # the words make the PNG: a sticker for China is not the home one
    home = await one_sticker(client, world.producer, batch_id, "label.png", "market=ID")
    plain = await one_sticker(client, world.producer, batch_id, "label.png", "")
    china = await one_sticker(client, world.producer, batch_id, "label.png", "market=CN")
    assert home.content == plain.content != china.content
    home_svg = await one_sticker(client, world.producer, batch_id, "label.svg", "market=ID")
    assert "Treated" not in svg_text(home_svg.text) and "辐照" not in home_svg.text
    assert (
        "<tspan"
        in (await one_sticker(client, world.producer, batch_id, "label.svg", "market=CN")).text
    )


@pytest.mark.parametrize("name", ["label.svg", "label.png"])
async def test_one_sticker_is_refused_as_the_sheet_is(client, world: World, name: str):
    batch_id = await spices_approved_for(client, world, ("US", "fda_registration"))
    for query, code, field in (
        ("lang=en", "market_needed", "market"),
        ("market=XX", "market_unknown", "market"),
        ("market=JP", "market_not_permitted", "market"),
        ("market=EU&lang=en", "market_not_permitted", "market"),
        ("market=US&lang=es", "market_words_missing", "lang"),
    ):
        sticker = await one_sticker(client, world.producer, batch_id, name, query)
        sheet = await labels_pdf(client, world, batch_id, query)
        assert sticker.status_code == sheet.status_code == 422, (query, sticker.text)
        problem = sticker.json()
        assert problem == sheet.json(), query
        assert (problem["code"], problem["errors"][0]["field"]) == (code, field), query
    for bad in ("market=us", "market=EU&lang=eng"):
        malformed = await one_sticker(client, world.producer, batch_id, name, bad)
        assert malformed.status_code == 400, (bad, malformed.text)
        assert malformed.json()["errors"][0]["field"] in ("market", "lang"), bad
    # roles and ownership as for any label, before the market is judged
    url = f"/api/v1/batches/{batch_id}/{name}?market=US"
    assert (await client.get(url, headers=world.other_producer.headers)).status_code == 404
    unknown_market = f"/api/v1/batches/{batch_id}/{name}?market=XX"
    assert (await client.get(unknown_market, headers=world.other_producer.headers)).status_code == (
        404
    )
    for facility_staff in (world.operator, world.qa):
        assert (await client.get(url, headers=facility_staff.headers)).status_code == 403
    for reader in (world.regulator, world.admin):
        assert (await client.get(url, headers=reader.headers)).status_code == 200
    assert (await client.get(url)).status_code == 401


async def test_radura_labels_render_prints_a_markets_words_and_refuses_alike(  # type: ignore[no-untyped-def]
    client, world: World, database_url: str, data_dir: Path, tmp_path: Path
):
    batch_id = await spices_approved_for(client, world, ("US", "fda_registration"), ("CN", "gacc"))

    runs = itertools.count()

    async def render(*options: str) -> tuple[subprocess.CompletedProcess[str], Path]:
        output = tmp_path / f"labels-{next(runs)}.pdf"
        result = await anyio.to_thread.run_sync(
            lambda: radura(
                "labels",
                "render",
                batch_id,
                "--copies",
                "3",
                "-o",
                str(output),
                *options,
                data_dir=data_dir,
                RADURA_DATABASE_URL=database_url,
                RADURA_PUBLIC_BASE_URL="https://radura.test",
            )
        )
        return result, output

    for options, words in (
        (("--market", "CN"), "辐照食品"),
        (("--market", "CN", "--lang", "en"), "Irradiated"),
        (("--market", "US", "--layout", "thermal-58x40"), "Treated with radiation"),
    ):
        result, output = await render(*options)
        assert result.returncode == 0, (options, result.stderr)
        layout = options[-1] if "--layout" in options else "a4-3x8"
        texts = sticker_texts(output.read_bytes(), layout)
        stickers = [text for text in texts if "PANGAN IRADIASI" in text]
        assert stickers and all(words in text for text in stickers), (options, texts)

    # the API's refusals, in words, and nothing written
    for options, said in (
        (("--lang", "en"), "name the market too"),
        (("--market", "XX"), "No market is recorded for XX"),
        (("--market", "JP"), "JP does not admit this batch: category_purpose"),
        (("--market", "US", "--lang", "es"), "statutory words in es cannot be printed"),
    ):
        result, output = await render(*options)
        assert result.returncode == 1, (options, result.stderr)
        assert said in result.stderr and "Traceback" not in result.stderr, (options, result.stderr)
        assert not output.exists()
    for options, flag in ((("--market", "us"), "--market"), (("--lang", "EN"), "--lang")):
        result, output = await render(*options)
        assert result.returncode == 2 and flag in result.stderr, (options, result.stderr)
        assert not output.exists()
