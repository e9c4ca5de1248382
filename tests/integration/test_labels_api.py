"""Label endpoints: serials, SVG/PNG/PDF/CSV, each decoded with a real QR decoder and verified."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image

from labels.signing import Keyring
from labels.uri import parse_label_uri
from tests.integration.batch_steps import batch_in, chicken, create_product, fresh_gtin13
from tests.integration.world import World
from tests.unit.labels.samples import LONG_FACILITY, LONG_PRODUCT, decode_all

pytestmark = pytest.mark.asyncio(loop_scope="session")


def pdf_pages(pdf: bytes, dpi: int = 300) -> list[Image.Image]:
    document = pdfium.PdfDocument(pdf)
    return [page.render(scale=dpi / 72).to_pil() for page in document]


def sheet_text(pdf: bytes) -> str:
    """Every character of the first page, in reading order."""
    return pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()


def font_sizes(pdf: bytes) -> set[float]:
    """The size (pt) every visible character of the first page is set in."""
    text_page = pdfium.PdfDocument(pdf)[0].get_textpage()
    return {
        pdfium_c.FPDFText_GetFontSize(text_page.raw, index)
        for index in range(text_page.count_chars())
        if text_page.get_text_range(index, 1).strip()
    }


async def jwks_keyring(client) -> Keyring:  # type: ignore[no-untyped-def]
    response = await client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    return Keyring.from_jwks(response.json())


def verifies(keyring: Keyring, uri: str) -> bool:
    parsed = parse_label_uri(uri)
    return (
        parsed.signature_b64 is not None
        and keyring.verify(parsed.signed_message, parsed.signature_b64).valid
    )


async def released_batch(client, world: World, *, gtin: bool) -> dict:  # type: ignore[no-untyped-def]
    body = chicken(gtin=fresh_gtin13(), registration_no="MD 224 1234 5678 9") if gtin else chicken()
    product = await create_product(client, world.producer, body)
    batch_id = await batch_in(client, world, "released", product["id"])
    batch = await client.get(f"/api/v1/batches/{batch_id}", headers=world.producer.headers)
    return batch.json()


@pytest.mark.parametrize("gtin", [True, False])
async def test_batch_label_png_and_qr_decode_to_a_signed_uri(client, world: World, gtin: bool):
    batch = await released_batch(client, world, gtin=gtin)
    keyring = await jwks_keyring(client)
    uris = set()
    for path in ("label.png?dpi=300", "qr.png?dpi=300"):
        response = await client.get(
            f"/api/v1/batches/{batch['id']}/{path}", headers=world.producer.headers
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "image/png"
        decoded = decode_all(Image.open(io.BytesIO(response.content)))
        assert len(decoded) == 1
        uris.add(decoded[0])
    assert len(uris) == 1
    uri = uris.pop()
    assert uri.startswith("https://radura.test/")
    parsed = parse_label_uri(uri)
    if gtin:
        assert urlsplit(uri).path.startswith(f"/01/0{batch['product']['gtin'][-13:]}/10/")
        assert parsed.lot == batch["lot"]
        assert parsed.expiry is not None
        assert parsed.expiry.isoformat() == batch["shelf_life"]["best_before"]
    else:
        assert urlsplit(uri).path == f"/v/{batch['code']}"
    assert verifies(keyring, uri)
    tampered = uri.replace("/v/", "/v/X", 1) if not gtin else uri.replace("/10/", "/10/X", 1)
    with pytest.raises(Exception):  # noqa: B017 - either unparsable or a failing signature
        assert verifies(keyring, tampered)
        raise AssertionError("tampered URI still verifies")


async def test_svg_answers_load_nothing_and_are_never_sniffed(client, world: World):
    batch = await released_batch(client, world, gtin=True)
    for name in ("label.svg", "qr.svg"):
        response = await client.get(
            f"/api/v1/batches/{batch['id']}/{name}", headers=world.producer.headers
        )
        assert response.status_code == 200, (name, response.text)
        assert response.headers["x-content-type-options"] == "nosniff"
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy
        assert "script-src" not in policy  # nothing may run: default-src 'none' holds for it


async def test_label_svg_carries_every_mandatory_text(client, world: World):
    batch = await released_batch(client, world, gtin=True)
    response = await client.get(
        f"/api/v1/batches/{batch['id']}/label.svg", headers=world.producer.headers
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    svg = response.text
    for text in (
        "PANGAN IRADIASI",
        "TIDAK BOLEH DIIRADIASI ULANG",
        "Tujuan iradiasi",
        "Baik digunakan sebelum",
        "Pindai untuk cek keaslian",
        "Diiradiasi:",
        "Indonesia",
        "Ayam potong kemasan",
        f"Kode produksi: {batch['lot']}",
        "Simpan pada suhu maksimal 8\u00a0°C",  # the number keeps its unit
        "Tujuan iradiasi: memperpanjang umur simpan",
        f"Tanggal produksi: {date.fromisoformat(batch['production_date']):%d-%m-%Y}",
        ", Tangerang Selatan",  # the facility's city
    ):
        assert text in svg, text
    assert "lanjutan" not in svg


async def test_the_country_on_the_label_is_the_facilitys(client, world: World, pool):
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE organizations SET country = 'Malaysia' WHERE id = $1", world.facility
        )
    batch = await released_batch(client, world, gtin=False)
    svg = (
        await client.get(f"/api/v1/batches/{batch['id']}/label.svg", headers=world.producer.headers)
    ).text
    assert ", Malaysia" in svg and ", Indonesia" not in svg


async def test_a_frozen_vacuum_packed_fish_label_says_how_to_keep_and_thaw_it(
    client, world: World, pool
):
    batch = await released_batch(client, world, gtin=False)
    async with pool.acquire() as conn:
        # the product and the release's storage temperature as a frozen fish's would be
        await conn.execute(
            """UPDATE products SET category = 'fish_seafood', packaging = 'vacuum'
               WHERE id = $1""",
            batch["product"]["id"],
        )
        await conn.execute(
            """UPDATE batches SET shelf_life = jsonb_set(shelf_life, '{storage_temp_c}', '-18')
               WHERE id = $1""",
            batch["id"],
        )
    svg = (
        await client.get(f"/api/v1/batches/{batch['id']}/label.svg", headers=world.producer.headers)
    ).text
    assert "Simpan beku pada suhu \u221218\u00a0°C atau lebih dingin" in svg
    assert "Cairkan di dalam lemari es" in svg
    assert "maksimal" not in svg


async def test_serials_are_issued_idempotently_and_listed_with_signed_uris(client, world: World):
    batch = await released_batch(client, world, gtin=True)
    url = f"/api/v1/batches/{batch['id']}/labels"
    key = {"Idempotency-Key": f"print-run-{uuid.uuid4()}"}
    first = await client.post(url, json={"count": 7}, headers=world.producer.headers | key)
    assert first.status_code == 201, first.text
    assert first.json() == {"issued": 7, "total": 7}
    retry = await client.post(url, json={"count": 7}, headers=world.producer.headers | key)
    assert retry.status_code == 201 and retry.json() == {"issued": 7, "total": 7}
    reused = await client.post(url, json={"count": 8}, headers=world.producer.headers | key)
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
    more = await client.post(url, json={"count": 3}, headers=world.producer.headers)
    assert more.json() == {"issued": 3, "total": 10}

    listing = await client.get(
        f"/api/v1/batches/{batch['id']}/labels.csv", headers=world.regulator.headers
    )
    assert listing.status_code == 200
    # one charset, not Litestar's added to ours ("text/csv; charset=utf-8; charset=utf-8")
    assert listing.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(listing.text)))
    assert rows[0] == ["serial", "uri"]
    serials = [row[0] for row in rows[1:]]
    assert len(serials) == len(set(serials)) == 10
    keyring = await jwks_keyring(client)
    for serial, uri in rows[1:]:
        assert uri.endswith(f"/21/{serial}?17=" + uri.split("?17=")[1])
        assert verifies(keyring, uri)

    events = await client.get(
        f"/api/v1/batches/{batch['id']}/events", headers=world.producer.headers
    )
    kinds = [e["kind"] for e in events.json()["items"]]
    assert kinds.count("labels_issued") == 2
    assert events.json()["chain_valid"] is True


@pytest.mark.parametrize(
    ("layout", "file_name"),
    [
        ("a4-3x8", "a4-3x8"),
        ("a4-2x5", "a4-2x5"),
        ("thermal-80x50", "thermal-80x50-203dpi"),
        ("thermal-58x40&dpi=300", "thermal-58x40-300dpi"),
        ("thermal-58x40&dpi=203", "thermal-58x40-203dpi"),
    ],
)
async def test_pdf_of_serials_decodes_cell_by_cell(
    client, world: World, layout: str, file_name: str
):
    batch = await released_batch(client, world, gtin=False)
    await client.post(
        f"/api/v1/batches/{batch['id']}/labels", json={"count": 4}, headers=world.producer.headers
    )
    listing = await client.get(
        f"/api/v1/batches/{batch['id']}/labels.csv", headers=world.producer.headers
    )
    expected = {row[1] for row in list(csv.reader(io.StringIO(listing.text)))[1:]}
    response = await client.get(
        f"/api/v1/batches/{batch['id']}/labels.pdf?layout={layout}", headers=world.producer.headers
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="radura-{batch["code"]}-{file_name}.pdf"'
    )
    pages = pdf_pages(response.content)
    # one sticker per serial: four on one sheet, or four pages of a roll
    assert len(pages) == (1 if layout.startswith("a4") else 4)
    decoded: set[str] = set()
    for page in pages:
        decoded.update(decode_all(page))
    assert decoded == expected


async def test_a_layout_too_small_for_the_label_is_refused_naming_the_smallest_that_fits(
    client, world: World, pool
):
    batch = await released_batch(client, world, gtin=False)
    url = f"/api/v1/batches/{batch['id']}"
    await client.post(f"{url}/labels", json={"count": 2}, headers=world.producer.headers)
    # a short name: 58×40 mm is the smallest that holds it, 50×30 and 40×30 never do
    for path in (
        "labels.pdf?layout=thermal-40x30",
        "labels.pdf?layout=thermal-50x30&dpi=300",
        "labels.pdf?layout=thermal-40x30&copies=1",
        "label.svg?layout=thermal-50x30",
        "label.png?layout=thermal-40x30",
    ):
        refused = await client.get(f"{url}/{path}", headers=world.producer.headers)
        assert refused.status_code == 422, (path, refused.text)
        body = refused.json()
        assert body["code"] == "layout_too_small"
        assert body["smallest_fitting_layout"] == "thermal-58x40"
        assert body["fitting_layouts"] == ["thermal-58x40", "a4-3x8", "thermal-80x50", "a4-2x5"]
    # 120-character names of product and facility: 58×40 mm cannot hold them, 70×37 mm can
    # (at 5 pt, the lines set close), with this short lot's QR
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE products SET name = $2 WHERE id = $1", batch["product"]["id"], LONG_PRODUCT
        )
        await conn.execute(
            "UPDATE organizations SET name = $2 WHERE id = $1", world.facility, LONG_FACILITY
        )
    for path in ("labels.pdf?layout=thermal-58x40", "label.svg?layout=thermal-58x40"):
        refused = await client.get(f"{url}/{path}", headers=world.producer.headers)
        assert refused.status_code == 422, (path, refused.text)
        assert refused.json()["smallest_fitting_layout"] == "a4-3x8"
    for fits in (
        "labels.pdf?layout=a4-3x8",
        "labels.pdf?layout=thermal-80x50",
        "labels.pdf?layout=a4-2x5",
    ):
        response = await client.get(f"{url}/{fits}", headers=world.producer.headers)
        assert response.status_code == 200, (fits, response.text)
        decoded = set().union(*(decode_all(page) for page in pdf_pages(response.content)))
        assert len(decoded) == 2


async def test_a_roll_printer_is_203_or_300_dpi(client, world: World):
    batch = await released_batch(client, world, gtin=False)
    for dpi in ("250", "600", "x"):
        response = await client.get(
            f"/api/v1/batches/{batch['id']}/labels.pdf?layout=thermal-80x50&dpi={dpi}",
            headers=world.producer.headers,
        )
        assert response.status_code == 400, (dpi, response.text)
        assert response.json()["errors"][0]["field"] == "dpi"


async def test_pdf_copies_repeat_the_batch_label(client, world: World):
    batch = await released_batch(client, world, gtin=True)
    response = await client.get(
        f"/api/v1/batches/{batch['id']}/labels.pdf?layout=a4-2x5&copies=3",
        headers=world.producer.headers,
    )
    assert response.status_code == 200
    decoded = decode_all(pdf_pages(response.content)[0])
    assert len(decoded) == 3 and len(set(decoded)) == 1
    assert "/21/" not in decoded[0]


async def test_label_refusals(client, world: World):
    treated = await batch_in(client, world, "treated")
    response = await client.get(
        f"/api/v1/batches/{treated}/label.svg", headers=world.producer.headers
    )
    assert response.status_code == 409 and response.json()["code"] == "batch_not_released"
    issue = await client.post(
        f"/api/v1/batches/{treated}/labels", json={"count": 1}, headers=world.producer.headers
    )
    assert issue.status_code == 409 and issue.json()["current_status"] == "treated"

    batch = await released_batch(client, world, gtin=False)
    for method, path, body in (
        ("GET", "label.svg", None),
        ("GET", "label.png", None),
        ("GET", "qr.svg", None),
        ("GET", "qr.png", None),
        ("GET", "labels.pdf", None),
        ("GET", "labels.csv", None),
        ("POST", "labels", {"count": 1}),
    ):
        url = f"/api/v1/batches/{batch['id']}/{path}"
        other = await client.request(method, url, json=body, headers=world.other_producer.headers)
        assert other.status_code == 404, (path, other.status_code)
        for facility_staff in (world.operator, world.qa):
            refused = await client.request(method, url, json=body, headers=facility_staff.headers)
            assert refused.status_code == 403, (path, facility_staff.role, refused.status_code)
        regulator = await client.request(method, url, json=body, headers=world.regulator.headers)
        # a regulator reads every batch's labels, but only the producer (or admin) issues them
        assert regulator.status_code == (403 if method == "POST" else 200), (path, regulator.text)
        for allowed in (world.producer, world.admin):
            response = await client.request(method, url, json=body, headers=allowed.headers)
            assert response.status_code in (200, 201), (path, allowed.role, response.text)
        anonymous = await client.request(method, url, json=body)
        assert anonymous.status_code == 401
    for bad in ({"count": 0}, {"count": 100_001}, {"count": "five"}, {"count": 2.5}, {}):
        response = await client.post(
            f"/api/v1/batches/{batch['id']}/labels", json=bad, headers=world.producer.headers
        )
        assert response.status_code == 400, bad
    bad_layout = await client.get(
        f"/api/v1/batches/{batch['id']}/labels.pdf?layout=a3-9x9", headers=world.producer.headers
    )
    assert bad_layout.status_code == 400
    assert bad_layout.json()["errors"][0]["field"] == "layout"
    bad_dpi = await client.get(
        f"/api/v1/batches/{batch['id']}/label.png?dpi=5000", headers=world.producer.headers
    )
    assert bad_dpi.status_code == 400


async def test_cli_renders_serials_to_pdf_with_progress(
    client, world: World, database_url: str, data_dir, tmp_path
):
    import asyncio
    import os
    import sys

    batch = await released_batch(client, world, gtin=True)
    await client.post(
        f"/api/v1/batches/{batch['id']}/labels", json={"count": 30}, headers=world.producer.headers
    )
    listing = await client.get(
        f"/api/v1/batches/{batch['id']}/labels.csv", headers=world.producer.headers
    )
    expected = {row[1] for row in list(csv.reader(io.StringIO(listing.text)))[1:]}
    output = tmp_path / "sheet.pdf"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "service.cli",
        "labels",
        "render",
        batch["id"],
        "--layout",
        "a4-3x8",
        "-o",
        str(output),
        env={
            **os.environ,
            "RADURA_DATABASE_URL": database_url,
            "RADURA_DATA_DIR": str(data_dir),
            "RADURA_PUBLIC_BASE_URL": "https://radura.test",
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()
    assert "30/30 labels" in stderr.decode()
    assert f"wrote 30 labels to {output}" in stdout.decode()
    decoded: set[str] = set()
    for page in pdf_pages(output.read_bytes()):
        decoded.update(decode_all(page))
    assert decoded == expected

    missing = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "service.cli",
        "labels",
        "render",
        str(uuid.uuid4()),
        "-o",
        str(tmp_path / "x.pdf"),
        env={**os.environ, "RADURA_DATABASE_URL": database_url, "RADURA_DATA_DIR": str(data_dir)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, missing_err = await missing.communicate()
    assert missing.returncode == 1 and b"No such batch" in missing_err


async def test_longest_allowed_texts_render_or_refuse_but_never_fail(client, world: World, pool):
    product = await create_product(client, world.producer, chicken(name="Rendang " + "R" * 192))
    batch_id = await batch_in(client, world, "released", product["id"])
    async with pool.acquire() as conn:
        # the longest names and addresses the organization schema accepts
        for org in (world.producer_org, world.facility):
            await conn.execute(
                "UPDATE organizations SET name = $2, address = $3, city = $4 WHERE id = $1",
                org,
                "Nama " + "N" * 195,
                "Jalan " + "J" * 494,
                "Kota " + "K" * 195,
            )
    outcomes = {}
    for path in (
        "label.svg",
        "label.png",
        *(
            f"labels.pdf?layout={name}&copies=1"
            for name in (
                "a4-3x8",
                "a4-2x5",
                "thermal-80x50",
                "thermal-58x40",
                "thermal-50x30",
                "thermal-40x30",
            )
        ),
    ):
        response = await client.get(
            f"/api/v1/batches/{batch_id}/{path}", headers=world.producer.headers
        )
        assert response.status_code in (200, 422), (path, response.status_code, response.text[:300])
        if response.status_code == 422:
            body = response.json()
            assert body["code"] == "layout_too_small"
            assert "smallest_fitting_layout" in body
        outcomes[path] = response.status_code
    # 200-character names and 500-character addresses fit no sticker at 5 pt: refused, never
    # drawn clipped or below 5 pt
    # 200-character names and 500-character addresses: only 105×57 mm holds them at 5 pt, the
    # one-word name cut across lines; the rest refuse, never drawn clipped or below 5 pt
    assert {path for path, status in outcomes.items() if status == 200} == {
        "labels.pdf?layout=a4-2x5&copies=1"
    }
    sheet = await client.get(
        f"/api/v1/batches/{batch_id}/labels.pdf?layout=a4-2x5&copies=1",
        headers=world.producer.headers,
    )
    text = sheet_text(sheet.content)
    assert ("Rendang" + "R" * 192) in "".join(text.split())
    assert all(size >= 5.0 - 1e-3 for size in font_sizes(sheet.content))
    assert len(set().union(*(decode_all(page) for page in pdf_pages(sheet.content)))) == 1


async def test_many_concurrent_pdf_downloads_do_not_starve_the_pool(client, world: World, settings):
    import asyncio
    import dataclasses

    from litestar.testing import AsyncTestClient

    from service.app import create_app

    batch = await released_batch(client, world, gtin=False)
    await client.post(
        f"/api/v1/batches/{batch['id']}/labels", json={"count": 3}, headers=world.producer.headers
    )
    small_pool = create_app(dataclasses.replace(settings, pool_max_size=2))
    async with AsyncTestClient(app=small_pool) as tight:

        async def download() -> int:
            response = await tight.get(
                f"/api/v1/batches/{batch['id']}/labels.pdf", headers=world.producer.headers
            )
            return response.status_code

        statuses = await asyncio.wait_for(asyncio.gather(*(download() for _ in range(8))), 60)
        assert statuses == [200] * 8
        assert (await tight.get("/api/v1/me", headers=world.producer.headers)).status_code == 200
