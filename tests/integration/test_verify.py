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
    server_keyring,
    tamper,
)
from tests.integration.world import World

JSON = {"Accept": "application/json"}
FORMS = ["gs1", "short"]


@pytest.fixture(scope="module")
def keyring(data_dir: Path):  # type: ignore[no-untyped-def]
    return server_keyring(data_dir)


async def _batch(pool: asyncpg.Pool, world: World, **kwargs) -> LabelledBatch:  # type: ignore[no-untyped-def]
    async with pool.acquire() as conn:
        return await make_batch(conn, world, **kwargs)


def _path(keyring, batch: LabelledBatch, form: str, serial: str | None = None) -> str:  # type: ignore[no-untyped-def]
    return label_path(keyring, batch, serial, short=form == "short")


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(
    ("status", "verdict"),
    [("released", "genuine"), ("expired", "expired"), ("recalled", "recalled")],
)
async def test_each_verdict_as_json(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring, form: str, status: str,
    verdict: str,
) -> None:
    batch = await _batch(pool, world, status=status, recall_reason="Kemasan bocor pada lot ini")
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
    assert response.headers["vary"] == "Accept, Accept-Language"
