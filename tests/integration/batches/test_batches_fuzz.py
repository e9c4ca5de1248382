"""Hypothesis over the product, batch and export endpoints: no input ever yields a 5xx.

Each example takes a valid request and breaks it one way — a field replaced by any JSON value
(huge numbers, control characters, wrong types), a field dropped, an unknown field added — and
sends it against real rows, so the requests reach the rules behind decoding too."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.batch_steps import batch_body, batch_in, chicken, treatment_body
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, -1, 1e308, -1e308, 2**63, 5e-324, 3651, 60.0000001]),
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "L1\n",
            "=1+1",
            "2026-02-30",
            "9999-12-31",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-12:00",
            "00000000-0000-0000-0000-000000000000",
            "not-a-uuid",
            "P-IRT" + "9" * 15,
        ]
    ),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def broken(draw: st.DrawFn, body: dict[str, Any]) -> Any:
    """`body` with one thing wrong (or, now and then, nothing wrong)."""
    how = draw(st.sampled_from(["replace", "replace", "drop", "add", "nested", "whole", "keep"]))
    body = dict(body)
    field = draw(st.sampled_from(sorted(body)))
    if how == "replace":
        body[field] = draw(json_values)
    elif how == "drop":
        del body[field]
    elif how == "add":
        body[draw(st.text(min_size=1, max_size=10))] = draw(json_values)
    elif how == "nested" and isinstance(body.get("dosimeters"), list):
        reading = dict(body["dosimeters"][0])
        reading[draw(st.sampled_from(sorted(reading)))] = draw(json_values)
        body["dosimeters"] = [reading, *body["dosimeters"][1:]]
    elif how == "whole":
        return draw(json_values)
    return body


def _assert_handled(response, what: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code < 500, (what, response.status_code, response.text[:500])
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json"), what


@given(data=st.data())
@SETTINGS
async def test_product_creation_never_fails_with_a_5xx(client, world: World, data):
    body = data.draw(broken(chicken(gtin="08991234567895", registration_no="MD 224510001234")))
    response = await client.post("/api/v1/products", json=body, headers=world.producer.headers)
    _assert_handled(response, body)


@given(data=st.data())
@SETTINGS
async def test_batch_registration_never_fails_with_a_5xx(client, world: World, data):
    product_id = world.__dict__.setdefault(
        "_fuzz_product",
        (
            await client.post("/api/v1/products", json=chicken(), headers=world.producer.headers)
        ).json()["id"],
    )
    body = data.draw(broken(batch_body(world, product_id)))
    key = data.draw(st.none() | st.text(min_size=1, max_size=30).filter(str.isprintable))
    headers = world.producer.headers | ({"Idempotency-Key": key} if key and key.isascii() else {})
    response = await client.post("/api/v1/batches", json=body, headers=headers)
    _assert_handled(response, body)


@given(data=st.data())
@SETTINGS
async def test_facility_records_never_fail_with_a_5xx(client, world: World, data):
    action, state, valid = data.draw(
        st.sampled_from(
            [
                (
                    "receipt",
                    "registered",
                    {
                        "quantity_received": 10,
                        "condition": "baik",
                        "notes": "catatan",
                        "received_at": "2026-01-05T08:00:00+07:00",
                    },
                ),
                (
                    "treatment",
                    "received",
                    treatment_body(
                        world, 2.2, 2.8, product_temp_c=4, dwell_time_s=30, atmosphere="udara"
                    ),
                ),
                ("reject", "treated", {"reason": "Dosimeter rusak"}),
                ("recall", "released", {"reason": "Temuan inspeksi"}),
            ]
        )
    )
    batch_id = await batch_in(client, world, state)
    body = data.draw(broken(valid))
    actor = {
        "receipt": world.operator,
        "treatment": world.operator,
        "reject": world.second_qa,
        "recall": world.producer,
    }[action]
    response = await client.post(
        f"/api/v1/batches/{batch_id}/{action}", json=body, headers=actor.headers
    )
    _assert_handled(response, (action, body))


@given(
    params=st.dictionaries(
        st.sampled_from(["status", "product_id", "limit", "cursor", "from", "to"]),
        st.text(max_size=30) | st.sampled_from(["released", "2026-01-01", "0", "201", "-1"]),
    )
)
@SETTINGS
async def test_lists_and_export_never_fail_with_a_5xx(client, world: World, params):
    for url in ("/api/v1/batches", "/api/v1/products", "/api/v1/exports/batches.csv"):
        response = await client.get(url, params=params, headers=world.regulator.headers)
        _assert_handled(response, (url, params))
