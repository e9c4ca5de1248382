"""Odd input is a 400 naming the problem, never a 500: deep JSON on every JSON endpoint, text
where a number belongs, a raw byte in a label URI's reader options, a dose that is no dose."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import asyncpg
import msgspec
import pytest
from litestar.handlers import HTTPRouteHandler
from litestar.testing import AsyncTestClient

from tests.integration.batch_steps import batch_in, chicken, treatment_body
from tests.integration.batches.estimate.test_shelf_life_estimate import CHICKEN
from tests.integration.batches.estimate.test_shelf_life_estimate import URL as ESTIMATE
from tests.integration.batches.products.test_console_products import english, field_error
from tests.integration.console import signed_in
from tests.integration.verify_fixtures import label_path, make_batch, raw_get, server_keyring
from tests.integration.world import World

DEPTH = 1000
NESTED_ARRAY = b"[" * DEPTH + b"]" * DEPTH
NESTED_IN_A_FIELD = b'{"name": ' + NESTED_ARRAY + b"}"


def _json_endpoints(client: AsyncTestClient) -> list[tuple[str, str, HTTPRouteHandler]]:
    """(method, path, handler) of every route that takes a JSON body, path ids filled in."""
    found = []
    for route in client.app.routes:
        for handler in getattr(route, "route_handlers", []):
            if "data" not in handler.parsed_fn_signature.parameters:
                continue
            path = re.sub(r"\{[^}:]+:uuid\}", str(uuid.uuid4()), route.path)
            for method in handler.http_methods:
                found.append((method, path, handler))
    return found


def _caller(world: World, handler: HTTPRouteHandler) -> dict[str, str]:
    roles = handler.opt.get("roles")
    if not roles:
        return {}  # a public endpoint
    return world.actors()[sorted(roles)[0]].headers


@pytest.mark.parametrize("body", [NESTED_ARRAY, NESTED_IN_A_FIELD], ids=["array", "in_a_field"])
async def test_json_nested_a_thousand_levels_is_a_400_on_every_json_endpoint(
    client: AsyncTestClient, world: World, body: bytes
) -> None:
    endpoints = _json_endpoints(client)
    assert any(path == ESTIMATE for _, path, _ in endpoints)  # the public one is among them
    assert len(endpoints) >= 10
    for method, path, handler in endpoints:
        headers = {"Content-Type": "application/json", **_caller(world, handler)}
        response = await client.request(method, path, content=body, headers=headers)
        assert response.status_code == 400, (method, path, response.text[:300])
        assert "nested too deeply" in response.text, (method, path, response.text[:300])


async def test_a_number_sent_as_text_is_refused_naming_the_field(
    client: AsyncTestClient, world: World
) -> None:
    response = await client.post(ESTIMATE, json={**CHICKEN, "storage_temp_c": "8"})
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["field"] == "storage_temp_c"
    product = await client.post(
        "/api/v1/products", json=chicken(min_dose_kgy="1.5"), headers=world.producer.headers
    )
    assert product.status_code == 400, product.text
    assert product.json()["errors"][0]["field"] == "min_dose_kgy"
    # numbers are still numbers, and a wrong type stays a plain 400 as before
    assert (await client.post(ESTIMATE, json=CHICKEN)).status_code == 200
    assert (await client.post(ESTIMATE, json={**CHICKEN, "storage_temp_c": []})).status_code == 400


async def test_a_count_sent_as_text_is_refused(client: AsyncTestClient, world: World) -> None:
    batch_id = await batch_in(client, world, "released")
    response = await client.post(
        f"/api/v1/batches/{batch_id}/labels", json={"count": "5"}, headers=world.producer.headers
    )
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["field"] == "count"


async def test_an_integral_float_is_an_integer(client: AsyncTestClient, world: World) -> None:
    """JSON Schema counts 801.0 as an integer, and so does the API (a float with a fraction does
    not pass, nor does text)."""
    product = await client.post(
        "/api/v1/products", json=chicken(base_shelf_life_days=5.0), headers=world.producer.headers
    )
    assert product.status_code == 201, product.text
    assert product.json()["base_shelf_life_days"] == 5
    batch_id = await batch_in(client, world, "released")
    labels = f"/api/v1/batches/{batch_id}/labels"
    issued = await client.post(labels, json={"count": 3.0}, headers=world.producer.headers)
    assert issued.status_code in (200, 201), issued.text
    for odd in (3.5, "3", 1e300):
        refused = await client.post(labels, json={"count": odd}, headers=world.producer.headers)
        assert refused.status_code == 400, (odd, refused.text)
        assert refused.json()["errors"][0]["field"] == "count", odd
    estimate = await client.post(ESTIMATE, json={**CHICKEN, "base_shelf_life_days": 5.0})
    assert estimate.status_code == 200, estimate.text


async def test_a_vanishing_dosimeter_reading_is_no_dose(
    client: AsyncTestClient, world: World
) -> None:
    batch_id = await batch_in(client, world, "received")
    response = await client.post(
        f"/api/v1/batches/{batch_id}/treatment",
        json=treatment_body(world, 5e-324, 100),
        headers=world.operator.headers,
    )
    assert response.status_code == 400, response.text
    assert "dose_kgy" in response.json()["errors"][0]["field"]
    too_small = await client.post(
        "/api/v1/products", json=chicken(min_dose_kgy=0.0005), headers=world.producer.headers
    )
    assert too_small.status_code == 400, too_small.text
    assert too_small.json()["errors"][0]["field"] == "min_dose_kgy"


@pytest.mark.parametrize("option", ["lang", "linkType"])
async def test_a_raw_byte_in_a_reader_option_of_a_label_to_redirect_is_a_400(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, data_dir: Path, option: str
) -> None:
    async with pool.acquire() as conn:
        batch = await make_batch(conn, world)
    assert batch.gtin14 is not None
    path = label_path(server_keyring(data_dir), batch, batch.serials[0])
    # the GS1 resolver redirects a label with the option passed on
    gtin13_path = path.replace(f"/01/{batch.gtin14}/", f"/01/{batch.gtin14[1:]}/")
    assert gtin13_path != path
    path_part, _, query = gtin13_path.partition("?")
    # httpx would percent-encode the byte; a raw client need not
    status, body = await raw_get(
        client, path_part, query.encode() + f"&{option}=".encode() + "é".encode()
    )
    assert status == 400, body
    assert msgspec.json.decode(body)["errors"][0]["field"] == option
    # printable ASCII is passed on in the redirect as before
    value = "en" if option == "lang" else "gs1:verificationService"
    ok = await client.get(gtin13_path + f"&{option}={value}", follow_redirects=False)
    assert ok.status_code == 307
    assert f"{option}={value}" in ok.headers["location"]


# --- public text ---------------------------------------------------------------------------------

REFUSED_TEXTS = [
    ("Kemasan bocor \u200f", "bidirectional"),  # a right-to-left mark
    ("Kemasan \u061cbocor", "bidirectional"),  # the Arabic letter mark
    ("Kemasan\u200bbocor", "zero-width or invisible"),
    ("Kemasan bocor\U000e0041\U000e0042", "zero-width or invisible"),  # tag characters
    ("Kemasan \ufff9bocor\ufffb", "zero-width or invisible"),  # interlinear annotation
    ("Kemasan \u00adbocor", "control or format"),
    ("\u0301\u0302 \u0303", "not only combining marks"),
]


@pytest.mark.parametrize(("reason", "kind"), REFUSED_TEXTS)
async def test_a_recall_reason_every_shopper_reads_is_public_text(
    client: AsyncTestClient, world: World, reason: str, kind: str
) -> None:
    batch_id = await batch_in(client, world, "released")
    response = await client.post(
        f"/api/v1/batches/{batch_id}/recall",
        json={"reason": reason},
        headers=world.regulator.headers,
    )
    assert response.status_code == 400, response.text
    (error,) = response.json()["errors"]
    assert error["field"] == "reason"
    assert kind in error["message"] and "printable text" in error["message"]
    record = await client.get(f"/api/v1/batches/{batch_id}", headers=world.producer.headers)
    assert record.json()["status"] == "released"


async def test_names_and_addresses_are_public_text(client: AsyncTestClient, world: World) -> None:
    product = await client.post(
        "/api/v1/products", json=chicken(name="Ayam\u2060 potong"), headers=world.producer.headers
    )
    assert product.status_code == 400, product.text
    assert product.json()["errors"][0]["field"] == "name"
    organization = {"kind": "producer", "name": "Dapur Uni", "city": "Padang"}
    refused = await client.post(
        "/api/v1/organizations",
        json=organization | {"address": "Jl. Sudirman\u200e 3"},
        headers=world.admin.headers,
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["errors"][0]["field"] == "address"
    assert "bidirectional" in refused.json()["errors"][0]["message"]
    # Indonesian and English text, emoji (with their joiners) and CJK are kept as they are
    kept = await client.post(
        "/api/v1/organizations",
        json=organization | {"name": "Dapur Uni 👩🏽\u200d🍳 東京", "address": "Jl. Raya No. 3 🌶️"},
        headers=world.admin.headers,
    )
    assert kept.status_code == 201, kept.text
    assert kept.json()["name"] == "Dapur Uni 👩🏽\u200d🍳 東京"
    batch_id = await batch_in(client, world, "released")
    recalled = await client.post(
        f"/api/v1/batches/{batch_id}/recall",
        json={"reason": "Kemasan bocor, jangan dikonsumsi 🙏 (包装泄漏)\nHubungi 0812"},
        headers=world.regulator.headers,
    )
    assert recalled.status_code == 200, recalled.text


async def test_the_console_recall_form_refuses_hidden_characters_with_the_same_rule(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    browser = await signed_in(client, pool, world.producer.id)
    await english(browser)
    batch_id = await batch_in(client, world, "released")
    token = await browser.csrf_token(f"/app/batches/{batch_id}/recall")
    answer = await browser.http.post(
        f"/app/batches/{batch_id}/recall",
        data={"reason": "Kemasan \u202ebocor", "_csrf_token": token},
    )
    assert answer.status_code == 400, answer.text[:300]
    answer = await browser.http.post(
        f"/app/batches/{batch_id}/recall",
        data={"reason": "Kemasan\u200b bocor", "_csrf_token": token},
    )
    assert answer.status_code == 400, answer.text[:300]
    assert field_error(answer.text, "reason") == "Remove the invisible (zero-width) characters."
    record = await client.get(f"/api/v1/batches/{batch_id}", headers=world.producer.headers)
    assert record.json()["status"] == "released"
