"""Public verification over HTTP: every verdict, both URI forms, JSON and HTML (SPEC §6)."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.integration.verify_fixtures import (
    LabelledBatch,
    label_path,
    make_batch,
    page_path,
    server_keyring,
    tamper,
    until_resolvable,
)
from tests.integration.world import World

JSON = {"Accept": "application/json"}
FORMS = ["gs1", "short"]


@pytest.fixture(scope="module")
def keyring(data_dir: Path):  # type: ignore[no-untyped-def]
    return server_keyring(data_dir)


async def _batch(client, pool: asyncpg.Pool, world: World, **kwargs) -> LabelledBatch:  # type: ignore[no-untyped-def]
    async with pool.acquire() as conn:
        batch = await make_batch(conn, world, **kwargs)
    await until_resolvable(client, batch.gtin14)
    return batch


def _vary(response) -> set[str]:  # type: ignore[no-untyped-def]
    return {token.strip() for token in response.headers["vary"].split(",")}


def _path(keyring, batch: LabelledBatch, form: str, serial: str | None = None) -> str:  # type: ignore[no-untyped-def]
    return label_path(keyring, batch, serial, short=form == "short")


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(
    ("status", "verdict"),
    [("released", "genuine"), ("expired", "expired"), ("recalled", "recalled")],
)
async def test_each_verdict_as_json(
    client: AsyncTestClient,
    pool: asyncpg.Pool,
    world: World,
    keyring,
    form: str,
    status: str,
    verdict: str,
) -> None:
    batch = await _batch(
        client, pool, world, status=status, recall_reason="Kemasan bocor pada lot ini"
    )
    response = await client.get(_path(keyring, batch, form, batch.serials[0]), headers=JSON)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["verdict"] == verdict
    assert body["signature"] == "valid"
    assert body["code"] == batch.code
    assert body["serial"] == batch.serials[0]
    assert body["lot"] == batch.lot
    assert body["product"] == {
        "name": batch.product_name,
        "category": "meat_poultry",
        "registration_no": "MD224010001234",
        "gtin": batch.gtin14,
    }
    assert body["producer"]["name"].startswith("Rendang Uni")
    treatment = body["treatment"]
    assert treatment["irradiated_on"] == "2026-01"
    assert treatment["purpose"] == "extend_shelf_life"
    assert treatment["source_type"] == "cobalt-60"
    assert (treatment["dose_min_kgy"], treatment["dose_max_kgy"]) == (2.5, 2.9)
    assert treatment["facility"]["name"].startswith("Iradiator")
    assert body["best_before"] == batch.best_before.isoformat()
    assert body["storage_temp_c"] == 8.0
    assert body["scans"]["count"] == 1
    if verdict == "recalled":
        assert body["recall"]["reason"] == "Kemasan bocor pada lot ini"
    else:
        assert body["recall"] is None
    assert {"Accept", "Accept-Language"} <= _vary(response)


HTML_HEADINGS = {
    "genuine": ("Asli", "Genuine"),
    "expired": ("Kedaluwarsa", "Expired"),
    "recalled": ("Ditarik", "Recalled"),
}


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("status", ["released", "expired", "recalled"])
async def test_each_verdict_as_html_in_both_languages(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring, form: str, status: str
) -> None:
    batch = await _batch(
        client, pool, world, status=status, recall_reason="Kemasan bocor pada lot ini"
    )
    path = _path(keyring, batch, form, batch.serials[1])
    verdict = {"released": "genuine"}.get(status, status)
    indonesian = await client.get(path)  # no Accept at all: a phone camera's browser
    english = await client.get(path, headers={"Accept-Language": "en-GB,en;q=0.9,id;q=0.5"})
    by_query = await client.get(path.replace("?", "?lang=en&", 1) if "?" in path else path)
    for response, lang in ((indonesian, "id"), (english, "en"), (by_query, "en")):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        html = response.text
        assert f'<html lang="{lang}">' in html
        heading = HTML_HEADINGS[verdict][0 if lang == "id" else 1]
        assert "<h1>" in html and f"<span>{heading}</span></h1>" in html
        assert batch.product_name in html
        assert batch.lot in html
        assert batch.best_before.strftime("%d-%m-%Y") in html
        assert "01/2026, Indonesia" in html
        # one number format per language; a number and its unit never part at a line's end
        assert ("2,5–2,9\u00a0kGy" if lang == "id" else "2.5–2.9\u00a0kGy") in html
        assert (
            "Simpan pada suhu maksimal 8\u00a0°C" if lang == "id" else "Store at 8\u00a0°C at most"
        ) in html
        assert "<strong>PANGAN IRADIASI</strong>" in html
        if verdict == "recalled":
            assert "Kemasan bocor pada lot ini" in html
        assert "<script" not in html.lower()
        assert len(response.content) < 30_000


async def test_page_headers_are_strict(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring
) -> None:
    batch = await _batch(client, pool, world)
    for path in (_path(keyring, batch, "gs1", batch.serials[0]), "/v/0000000000?s=AAAA"):
        response = await client.get(path)
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp
        assert "style-src 'sha256-" in csp
        assert "script-src" not in csp  # falls back to default-src 'none': no script at all
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert {"Accept", "Accept-Language"} <= _vary(response)
        assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("form", FORMS)
async def test_batch_level_label_without_serial(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring, form: str
) -> None:
    batch = await _batch(client, pool, world)
    response = await client.get(_path(keyring, batch, form), headers=JSON)
    assert response.status_code == 200
    assert response.json()["verdict"] == "genuine"
    assert response.json()["serial"] is None


def _assert_invalid(response, signature: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 404
    assert response.json() == {"verdict": "invalid", "signature": signature}


@pytest.mark.parametrize("form", FORMS)
async def test_tampered_or_missing_signature_is_invalid(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring, form: str
) -> None:
    batch = await _batch(client, pool, world)
    path = _path(keyring, batch, form, batch.serials[0])
    _assert_invalid(await client.get(tamper(path), headers=JSON), "invalid")
    unsigned = path.rpartition("s=")[0].rstrip("?&")
    if form == "short":  # an unsigned GS1 URI is a resolver's request (below), not a forgery
        _assert_invalid(await client.get(unsigned, headers=JSON), "missing")
    page = await client.get(tamper(path))
    assert page.status_code == 404
    assert "Pindai sekali lagi dari dekat" in page.text
    assert "HALO BPOM 1500533" in page.text
    english = await client.get(tamper(path), headers={"Accept-Language": "en"})
    assert "Scan it once more, close up" in english.text
    # the label itself is still fine
    assert (await client.get(path, headers=JSON)).json()["verdict"] == "genuine"


async def test_a_signature_of_another_label_is_invalid(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring
) -> None:
    batch = await _batch(client, pool, world)
    good = _path(keyring, batch, "short", batch.serials[0])
    other = _path(keyring, batch, "short", batch.serials[1])
    spliced = good.partition("?")[0] + "?" + other.partition("?")[2]
    _assert_invalid(await client.get(spliced, headers=JSON), "invalid")


async def test_a_label_naming_another_batch_lot_is_invalid(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring
) -> None:
    """Even a URI we signed is refused when the record does not back it: the GTIN of one
    product with the lot of another, a serial of another batch, a serial never issued."""
    first = await _batch(client, pool, world)
    second = await _batch(client, pool, world)
    mixed = LabelledBatch(
        first.batch_id, first.code, second.lot, first.gtin14, first.best_before, "x", []
    )
    _assert_invalid(await client.get(label_path(keyring, mixed), headers=JSON), "valid")
    foreign_serial = _path(keyring, first, "short", second.serials[0])
    _assert_invalid(await client.get(foreign_serial, headers=JSON), "valid")
    never_issued = _path(keyring, first, "gs1", "0000000000")
    _assert_invalid(await client.get(never_issued, headers=JSON), "valid")


async def test_a_printed_date_that_differs_from_the_record_is_invalid(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring
) -> None:
    from datetime import timedelta

    batch = await _batch(client, pool, world)
    later = LabelledBatch(
        batch.batch_id,
        batch.code,
        batch.lot,
        batch.gtin14,
        batch.best_before + timedelta(days=30),
        batch.product_name,
        batch.serials,
    )
    _assert_invalid(await client.get(label_path(keyring, later), headers=JSON), "valid")


async def test_unreleased_batch_labels_are_invalid(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring
) -> None:
    batch = await _batch(client, pool, world, status="treated")
    _assert_invalid(await client.get(_path(keyring, batch, "short"), headers=JSON), "valid")


@pytest.mark.timing
async def test_unknown_code_looks_exactly_like_a_bad_signature(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring
) -> None:
    """Nothing tells an unknown code from a known one with a bad signature: status, body,
    headers, and time (neither reads the database)."""
    import time

    from labels.codes import random_code

    batch = await _batch(client, pool, world)
    known = tamper(_path(keyring, batch, "short", batch.serials[0]))
    unknown = known.replace(batch.code, random_code(), 1)
    for accept in (JSON, {}):
        a, b = await client.get(known, headers=accept), await client.get(unknown, headers=accept)
        assert (a.status_code, a.content) == (b.status_code, b.content)
        assert a.headers.get("content-type") == b.headers.get("content-type")
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    for _ in range(40):
        for name, path in (("known", known), ("unknown", unknown)):
            started = time.perf_counter()
            await client.get(path, headers=JSON)
            timings[name].append(time.perf_counter() - started)
    # the fastest of each, interleaved: what the code costs, without what a busy machine adds
    known_ms = min(timings["known"]) * 1000
    unknown_ms = min(timings["unknown"]) * 1000
    assert abs(known_ms - unknown_ms) < max(0.5, 0.3 * known_ms), (known_ms, unknown_ms)


async def test_gs1_paths_redirect_to_the_canonical_order_and_gtin14(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring
) -> None:
    batch = await _batch(client, pool, world)
    assert batch.gtin14 is not None and batch.gtin14.startswith("0")
    serial = batch.serials[0]
    canonical = _path(keyring, batch, "gs1", serial)
    query = canonical.partition("?")[2]
    swapped = f"/01/{batch.gtin14}/21/{serial}/10/{batch.lot}?{query}"
    # the GS1 resolver sends any order to the page at the canonical path (SPEC §6.1)
    response = await client.get(swapped, follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "https://radura.test/label" + canonical
    gtin13 = canonical.replace(f"/01/{batch.gtin14}/", f"/01/{batch.gtin14[1:]}/", 1)
    response = await client.get(gtin13 + "&lang=en", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "https://radura.test/label" + canonical + "&lang=en"
    # the page itself still puts a path in another order right
    response = await client.get("/label" + swapped, follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == canonical
    followed = await client.get(swapped, headers=JSON)
    assert followed.json()["verdict"] == "genuine"


async def test_a_client_may_send_the_query_in_any_order(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring
) -> None:
    """A label carries `s` last; a client that builds the query from named parameters may not
    (the API document names `17`, `s`, `linkType` and `lang` one by one)."""
    batch = await _batch(client, pool, world)
    path, _, query = ("/label" + _path(keyring, batch, "gs1", batch.serials[0])).partition("?")
    expiry, signature = query.split("&")
    for reordered in (
        f"{signature}&{expiry}",
        f"linkType=gs1:verificationService&{signature}&lang=en&{expiry}",
    ):
        response = await client.get(f"{path}?{reordered}", headers=JSON, follow_redirects=False)
        assert response.status_code == 200, reordered
        assert response.json()["verdict"] == "genuine", reordered
    # a signature is still checked wherever it stands
    forged = f"{signature[:-4]}AAAA&{expiry}"
    response = await client.get(f"{path}?{forged}", headers=JSON)
    assert response.status_code == 404


async def test_garbage_paths_are_invalid_not_errors(client: AsyncTestClient) -> None:
    for path in (
        "/v/abc",
        "/v/0000000000/1/2",
        "/label/01/123",
        "/label/01/08991234567891/21/X?s=x",
        "/v/%FF%FE?s=%%",
        "/label/01/08991234567895/10/" + "L" * 40 + "?s=x",
    ):
        response = await client.get(path, headers=JSON)
        assert response.status_code == 404, path
        assert response.json()["verdict"] == "invalid"
    # what is not GS1 Digital Link syntax is a bad request to the GS1 resolver (SPEC §6.1)
    for path in ("/01/123", "/01/08991234567895/10/" + "L" * 40, "/01/08991234567895/99/1"):
        response = await client.get(path, headers=JSON)
        assert response.status_code == 400, path
        assert response.headers["content-type"].startswith("application/problem+json")
    # a GTIN that is none of ours: the resolver says so itself (SPEC §6.1), no hop to a page
    response = await client.get("/01/08991234567891/21/X?s=x", headers=JSON)
    assert response.status_code == 404
    assert response.json()["code"] == "unknown-gtin"


async def test_linkset_links_page_json_certificate_and_keys(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring
) -> None:
    batch = await _batch(client, pool, world)
    path = _path(keyring, batch, "gs1", batch.serials[0])
    response = await client.get(path, headers={"Accept": "application/linkset+json"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/linkset+json")
    assert {"Accept", "Accept-Language"} <= _vary(response)
    (context,) = response.json()["linkset"]
    base = "https://radura.test"
    assert context["anchor"] == base + path.partition("?")[0]
    voc = "https://gs1.org/voc/"
    assert context[voc + "pip"][0]["href"] == base + "/label" + path
    assert context[voc + "pip"][0]["type"] == "text/html"
    assert context[voc + "defaultLink"][0] == {
        "href": base + "/label" + path,
        "title": context[voc + "pip"][0]["title"],
    }
    assert context[voc + "verificationService"][0]["type"] == "application/json"
    certificate_href = context[voc + "certificationInfo"][0]["href"]
    (jwks,) = [links for rel, links in context.items() if rel.endswith("/jwks")]
    assert jwks[0]["href"] == base + "/.well-known/jwks.json"
    # every link resolves
    json_href = context[voc + "verificationService"][0]["href"]
    assert (await client.get(json_href.removeprefix(base))).json()["verdict"] == "genuine"
    certificate = (await client.get(certificate_href.removeprefix(base))).json()
    assert certificate["certificate"] == "radura-treatment/1"
    assert certificate["dose_min_kgy"] == 2.5 and certificate["legal_max_dose_kgy"] == 3.0
    assert [d["position"] for d in certificate["dosimeters"]] == ["min", "max"]
    assert certificate["expanded_uncertainty_pct"] == 0
    assert certificate["dose_min_corrected_kgy"] == 2.5
    assert certificate["dose_map_study_ref"] is None and certificate["facility_licence_no"] is None
    assert (await client.get("/.well-known/jwks.json")).status_code == 200
    by_link_type = await client.get(path.replace("?", "?linkType=all&", 1))
    assert by_link_type.json()["linkset"][0]["anchor"] == context["anchor"]
    # the resolver's linkset describes the GTIN and lot; what a forged `s` reaches says invalid
    forged = await client.get(tamper(path), headers={"Accept": "application/linkset+json"})
    (forged_context,) = forged.json()["linkset"]
    forged_json = forged_context[voc + "verificationService"][0]["href"]
    _assert_invalid(await client.get(forged_json.removeprefix(base)), "invalid")
    forged_certificate = forged_context[voc + "certificationInfo"][0]["href"]
    _assert_invalid(await client.get(forged_certificate.removeprefix(base)), "invalid")


async def test_gs1_resolver_description(client: AsyncTestClient) -> None:
    response = await client.get("/.well-known/gs1resolver")
    assert response.status_code == 200
    document = response.json()
    assert document["resolverRoot"] == "https://radura.test"
    assert document["supportedPrimaryKeys"] == ["01"]
    assert document["supportedLinkType"][0]["prefix"] == "gs1:"
    assert document["linkTypeDefaultCanBeLinkset"] is True


async def test_head_answers_like_get_without_counting_a_scan(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring
) -> None:
    batch = await _batch(client, pool, world)
    path = _path(keyring, batch, "gs1", batch.serials[0])
    response = await client.head(path, headers=JSON)
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-type"].startswith("application/json")
    assert {"Accept", "Accept-Language"} <= _vary(response)
    assert (await client.head(tamper(path))).status_code == 404
    assert (await client.get(path, headers=JSON)).json()["scans"]["count"] == 1


async def test_no_scanned_text_makes_a_server_error(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring
) -> None:
    """Seeded fuzz of what a damaged or forged QR may hold: pieces of real labels, stray
    characters, escapes, lengths; the answer is a verdict or a redirect, never an error."""
    import random
    from urllib.parse import quote

    batch = await _batch(client, pool, world)
    real = _path(keyring, batch, "gs1", batch.serials[0])
    pieces = [
        *real.replace("?", "/").replace("&", "/").split("/"),
        "01",
        "10",
        "21",
        "17",
        "v",
        "s=",
        "%",
        "%2F",
        "%00",
        "..",
        "é",
        "\u202e",
        "?",
        "&",
        "=",
        "lang=en",
        "linkType=all",
        "0" * 14,
        "Z" * 10,
        "x" * 300,
    ]
    rng = random.Random(20260127)
    for _ in range(300):
        text = "/".join(rng.choice(pieces) for _ in range(rng.randint(1, 9)))
        path = rng.choice(["/01/", "/v/"]) + quote(text, safe="/?&=%")
        for accept in (JSON, {}, {"Accept": "application/linkset+json"}):
            response = await client.get(path, headers=accept, follow_redirects=False)
            if response.url.path == "/":  # "/v/.." is "/", which leads to the console
                assert response.status_code == 302, path
                continue
            # the GS1 resolver also says 307 (to the page) and 400 (not GS1 syntax)
            assert response.status_code in (200, 301, 307, 400, 404), (path, response.status_code)


async def test_the_certificate_carries_the_dose_map_and_the_licence(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring
) -> None:
    batch = await _batch(client, pool, world)
    async with pool.acquire() as conn:
        dose_map = await conn.fetchrow(
            """INSERT INTO dose_maps (irradiator_id, name, loading_pattern, reference_position,
                   ratio_min, ratio_max, expanded_uncertainty_pct, study_ref, performed_on,
                   created_by)
               VALUES ($1, 'Tote', '2 tote', 'luar', 0.9, 1.2, 4, 'PQ-IGMP-2025-07',
                       '2025-07-14', $2) RETURNING *""",
            world.irradiator,
            world.qa.id,
        )
        await conn.execute(
            """UPDATE treatments SET dose_map_id = $2, dose_map = $3,
                   expanded_uncertainty_pct = 4, dose_min_corrected_kgy = 2.4,
                   dose_max_corrected_kgy = 3.016, facility_licence_no = 'BAPETEN/IU/77/2020'
               WHERE batch_id = $1""",
            batch.batch_id,
            dose_map["id"],
            {"id": str(dose_map["id"]), "study_ref": dose_map["study_ref"]},
        )
    path = _path(keyring, batch, "gs1", batch.serials[0])
    linkset = (await client.get(path, headers={"Accept": "application/linkset+json"})).json()
    (context,) = linkset["linkset"]
    href = context["https://gs1.org/voc/certificationInfo"][0]["href"]
    certificate = (await client.get(href.removeprefix("https://radura.test"))).json()
    assert certificate["dose_map_study_ref"] == "PQ-IGMP-2025-07"
    assert certificate["expanded_uncertainty_pct"] == 4
    assert (certificate["dose_min_corrected_kgy"], certificate["dose_max_corrected_kgy"]) == (
        2.4,
        3.016,
    )
    assert certificate["facility_licence_no"] == "BAPETEN/IU/77/2020"


async def _scan_count(client: AsyncTestClient, path: str) -> int:
    count: int = (await client.get(path, headers=JSON)).json()["scans"]["count"]
    return count


async def test_an_unsigned_gs1_uri_is_unverified_with_the_product_only(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring
) -> None:
    batch = await _batch(client, pool, world)
    signed = page_path(keyring, batch, batch.serials[0])
    unsigned = signed.rpartition("s=")[0].rstrip("?&")
    before = await _scan_count(client, signed)
    response = await client.get(unsigned, headers=JSON)
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "unverified" and body["signature"] == "missing"
    assert body["product"]["name"] == batch.product_name
    assert body["product"]["gtin"] == batch.gtin14
    assert body["producer"]["name"].startswith("Rendang Uni")
    assert body["recall"] is None
    # nothing of the lot: no code, dates, treatment or scans, since no pack is proven ours
    assert not {"code", "lot", "serial", "best_before", "treatment", "scans"} & set(body)
    html = await client.get(unsigned)
    assert html.status_code == 200
    assert "<span>Belum terverifikasi</span>" in html.text
    assert "keaslian kemasan ini tidak dapat dipastikan" in html.text
    assert batch.product_name in html.text
    assert batch.best_before.strftime("%d-%m-%Y") not in html.text
    assert "kGy" not in html.text and "Kode produksi" not in html.text
    assert f">{batch.lot}<" not in html.text  # only in the language link's own address
    english = await client.get(unsigned + "&lang=en")
    assert "<span>Not verified</span>" in english.text
    # an unsigned request never counts as a scan of the label (nor toward its clone tally)
    assert await _scan_count(client, signed) == before + 1


async def test_an_unsigned_request_still_shows_its_lots_recall(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring
) -> None:
    batch = await _batch(client, pool, world, status="recalled", recall_reason="Kemasan bocor")
    unsigned = page_path(keyring, batch, batch.serials[0]).rpartition("s=")[0].rstrip("?&")
    body = (await client.get(unsigned, headers=JSON)).json()
    assert body["verdict"] == "unverified"  # safety first, but still not "genuine"
    assert body["recall"]["reason"] == "Kemasan bocor"
    html = (await client.get(unsigned)).text
    assert "Kemasan bocor" in html and "Belum terverifikasi" in html
    # the same GTIN with another lot: no recall to show
    other_lot = unsigned.replace(f"/10/{batch.lot}/", "/10/OTHERLOT/")
    assert (await client.get(other_lot, headers=JSON)).json()["recall"] is None


async def test_an_unsigned_uri_of_a_gtin_not_ours_is_invalid(client: AsyncTestClient) -> None:
    unknown = "/label/01/09506000134352/10/LOT1"  # a valid GTIN Radura never labelled
    _assert_invalid(await client.get(unknown, headers=JSON), "missing")
    assert (await client.get(unknown)).status_code == 404


async def test_the_resolver_sends_an_unsigned_scan_to_its_unverified_page(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring
) -> None:
    batch = await _batch(client, pool, world)
    unsigned = label_path(keyring, batch).rpartition("s=")[0].rstrip("?&")
    hop = await client.get(unsigned, follow_redirects=False)
    assert hop.status_code == 307
    landed = await client.get(unsigned, headers=JSON)
    assert landed.status_code == 200 and landed.json()["verdict"] == "unverified"


async def test_the_page_gives_the_producers_number_to_call_or_chat(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring
) -> None:
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE organizations SET phone = '0812-3456-7890' WHERE id = $1", world.producer_org
        )
    batch = await _batch(client, pool, world, status="released")
    page = await client.get(page_path(keyring, batch, batch.serials[0]))
    assert page.status_code == 200, page.text
    assert 'href="tel:+6281234567890">0812-3456-7890</a>' in page.text
    assert 'href="https://wa.me/6281234567890"' in page.text
    assert "Hubungi produsen" in page.text
    answer = await client.get(_path(keyring, batch, "gs1", batch.serials[0]), headers=JSON)
    assert answer.json()["producer"]["phone"] == "0812-3456-7890"
