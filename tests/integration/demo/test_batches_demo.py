"""`radura serve --demo` seeds products and one batch in every state, once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from service.batches.events import event_log
from service.demo.seed import seed_demo
from tests.integration.world import WHOLE_LOG_READER

pytestmark = pytest.mark.asyncio(loop_scope="session")

STATES = {"registered", "received", "treated", "released", "rejected", "cancelled", "recalled"}
# events of a released batch that are no step of its life cycle
AFTER_RELEASE = {"labels_issued", "shipped", "shipment_cancelled"}


async def _counts(conn) -> tuple[int, int, int, int]:  # type: ignore[no-untyped-def]
    return tuple(
        [
            await conn.fetchval(f"SELECT count(*) FROM {table}")
            for table in ("products", "batches", "batch_events", "dosimeters")
        ]
    )  # type: ignore[return-value]


async def test_demo_seeds_every_state_once(database_url: str, pool, settings, client):
    from urllib.parse import urlsplit

    from service.batches.labelling.keys import SigningKeys

    keys = SigningKeys(settings)
    first = await seed_demo(database_url, keys, settings.public_base_url)
    assert {b["status"] for b in first["batches"]} == STATES
    async with pool.acquire() as conn:
        before = await _counts(conn)
    second = await seed_demo(database_url, keys, settings.public_base_url)
    async with pool.acquire() as conn:
        assert await _counts(conn) == before
        assert [b["id"] for b in second["batches"]] == [b["id"] for b in first["batches"]]
        for batch in second["batches"]:
            log = await event_log(conn, __import__("uuid").UUID(batch["id"]), WHOLE_LOG_READER)
            life = [e.kind for e in log.items if e.kind not in AFTER_RELEASE]
            assert log.chain_valid and life[-1] == batch["status"]
        rendang = next(b for b in second["batches"] if b["status"] == "released")
        row = await conn.fetchrow(
            "SELECT b.production_date, b.best_before, t.dose_min_kgy, t.conforming,"
            " t.dose_map, t.dose_min_corrected_kgy, t.facility_licence_no,"
            " (SELECT count(*) FROM dosimeters d WHERE d.batch_id = b.id) AS dosimeters"
            " FROM batches b JOIN treatments t ON t.batch_id = b.id WHERE b.id = $1::uuid",
            rendang["id"],
        )
        assert row["best_before"] == row["production_date"] + timedelta(days=540)
        assert row["best_before"] > date.today()
        # 50.5 kGy at the reference × the carton map's 0.95, less its 4.6 % uncertainty
        assert row["dose_min_kgy"] == pytest.approx(47.975) and row["dosimeters"] == 3
        assert row["dose_min_corrected_kgy"] == pytest.approx(47.975 * 0.954)
        assert row["conforming"] and row["dose_map"]["study_ref"].startswith("IGMP-PQ-2025-09")
        assert row["facility_licence_no"] == "BAPETEN/IU/DEMO-0001/2025"
        assert first["dose_maps"] == second["dose_maps"] and len(first["dose_maps"]) == 2
        rejected = next(b for b in second["batches"] if b["status"] == "rejected")
        assert not await conn.fetchval(
            "SELECT conforming FROM treatments WHERE batch_id = $1::uuid", rejected["id"]
        )

    # the printed label links are signed: what a shopper's phone would open
    verdicts = {}
    for batch in second["batches"]:
        if "label_uri" in batch:
            uri = urlsplit(batch["label_uri"])
            response = await client.get(
                f"{uri.path}?{uri.query}", headers={"Accept": "application/json"}
            )
            verdicts[batch["status"]] = response.json()["verdict"]
    assert verdicts == {"released": "genuine", "recalled": "recalled"}


async def test_a_demo_seeded_before_study_conditions_gets_them(database_url: str, pool, settings):
    # a demo database from before radura-sl/3: its sterile rendang's study has no conditions,
    # so no further batch of it could be released; the next start completes them in place
    from service.batches.labelling.keys import SigningKeys
    from service.demo.batches import PRODUCTS

    keys = SigningKeys(settings)
    await seed_demo(database_url, keys, settings.public_base_url)
    name = PRODUCTS["rendang"]["name"]
    async with pool.acquire() as conn:
        await conn.execute(
            """UPDATE products SET validated_study_temp_c = NULL, validated_study_dose_kgy = NULL,
                   validated_study_packaging = NULL WHERE name = $1""",
            name,
        )
    await seed_demo(database_url, keys, settings.public_base_url)
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            """SELECT id, validated_study_temp_c, validated_study_dose_kgy,
                      validated_study_packaging FROM products WHERE name = $1""",
            name,
        )
        logged = await conn.fetchval(
            """SELECT count(*) FROM admin_audit_log
               WHERE action = 'product.amended' AND subject_id = $1""",
            str(row["id"]),
        )
    assert tuple(row)[1:] == (30.0, 45.0, "vacuum")
    assert logged == 1
