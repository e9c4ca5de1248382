"""Export markets (SPEC §13.3, first sentence): codes and unions, `ID` the home market; an
administrator's edits of a market's rules and label language."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_labels_market_words import (
    labels_pdf,
    spices_approved_for,
    sticker_texts,
)
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")

CODES = ["AU", "CN", "EU", "GCC", "ID", "JP", "MY", "NZ", "SG", "US"]


@pytest.mark.parametrize("role", ["producer", "operator", "qa", "regulator", "admin"])
async def test_anyone_signed_in_reads_the_markets(client, world: World, role: str):
    response = await client.get("/api/v1/markets", headers=world.actors()[role].headers)
    assert response.status_code == 200
    page = response.json()
    assert page["next_cursor"] is None
    assert [m["code"] for m in page["items"]] == CODES
    by_code = {m["code"]: m for m in page["items"]}
    assert by_code["ID"]["name"] == "Indonesia"
    # the home market needs no row; markets known only with low confidence have none yet
    assert [c for c in CODES if not by_code[c]["rules"]] == ["GCC", "ID", "MY", "SG"]
    japan = by_code["JP"]["rules"]
    assert [(r["category"], r["purpose"], r["hs_prefixes"]) for r in japan] == [
        ("bulbs_tubers", "sprout_inhibition", ["0701"])
    ]
    assert (japan[0]["dose_limit_kgy"], japan[0]["dose_metric"], japan[0]["confidence"]) == (
        0.15,
        "maximum",
        "H",
    )
    eu = by_code["EU"]["rules"][0]
    assert (eu["dose_limit_kgy"], eu["dose_metric"]) == (10, "overall_average")
    assert eu["facility_approval"] == "eu_facility_list"
    assert eu["max_source_energy_mev"] == {"x-ray": 5}
    assert by_code["CN"]["rules"][0]["statutory_words"]["zh"] == ["辐照食品"]
    assert all(r["unconfirmed"] for r in by_code["AU"]["rules"])
    assert len(by_code["EU"]["members"]) == 27 and "DE" in by_code["EU"]["members"]
    assert by_code["GCC"]["members"] == sorted(["SA", "AE", "QA", "KW", "BH", "OM"])
    assert by_code["JP"]["members"] == [] and by_code["JP"]["kind"] == "country"


async def test_markets_page_with_a_cursor(client, world: World):
    headers = world.producer.headers
    first = (await client.get("/api/v1/markets?limit=4", headers=headers)).json()
    assert [m["code"] for m in first["items"]] == CODES[:4]
    seen = [m["code"] for m in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = (
            await client.get(f"/api/v1/markets?limit=4&cursor={cursor}", headers=headers)
        ).json()
        seen += [m["code"] for m in page["items"]]
        cursor = page["next_cursor"]
    assert seen == CODES


async def test_a_foreign_cursor_is_refused_and_no_token_is_401(client, world: World):
    bad = await client.get("/api/v1/markets?cursor=..", headers=world.producer.headers)
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "cursor"
    assert (await client.get("/api/v1/markets")).status_code == 401


async def test_an_administrator_replaces_a_markets_rules(client, world: World):
    headers = world.admin.headers
    before = (await client.get("/api/v1/markets", headers=headers)).json()
    singapore = {
        "category": "spices_herbs",
        "purpose": "reduce_microbial_load",
        "allowed": True,
        "dose_limit_kgy": 10,
        "dose_metric": "overall_average",
        "statutory_words": {"en": ["irradiated"]},
        "symbol_required": True,
        "source": "SFA Food Regulations (Codex CXS 106)",
        "confidence": "L",
        "unconfirmed": True,
    }
    response = await client.put("/api/v1/markets/SG", json={"rules": [singapore]}, headers=headers)
    assert response.status_code == 200, response.text
    market = response.json()
    assert market["code"] == "SG"
    assert [(r["category"], r["confidence"], r["hs_prefixes"]) for r in market["rules"]] == [
        ("spices_herbs", "L", [])
    ]
    after = (await client.get("/api/v1/markets", headers=headers)).json()
    assert {m["code"]: m for m in after["items"]}["SG"]["rules"] == market["rules"]
    log = (await client.get("/api/v1/admin-audit-log", headers=headers)).json()
    assert log["items"][0]["action"] == "market.rules_replaced"
    # the old rows come back as they were
    old = {m["code"]: m for m in before["items"]}["SG"]["rules"]
    restored = await client.put("/api/v1/markets/SG", json={"rules": old}, headers=headers)
    assert restored.status_code == 200 and restored.json()["rules"] == old


async def test_market_rules_are_an_administrators_and_checked(client, world: World):
    rule = {
        "category": "spices_herbs",
        "purpose": "reduce_microbial_load",
        "allowed": True,
        "dose_limit_kgy": 10,
        "source": "x",
        "confidence": "L",
    }
    body = {"rules": [rule]}
    for role in ("producer", "operator", "qa", "regulator"):
        response = await client.put(
            "/api/v1/markets/SG", json=body, headers=world.actors()[role].headers
        )
        assert response.status_code == 403, role
    admin = world.admin.headers
    assert (await client.put("/api/v1/markets/XX", json=body, headers=admin)).status_code == 404
    unknown = {"rules": [rule | {"purpose": "sterilisation"}]}
    response = await client.put("/api/v1/markets/SG", json=unknown, headers=admin)
    assert response.status_code == 422 and response.json()["code"] == "category_purpose_unknown"
    for odd in ({"source": "Dir.\u0000 1999/2"}, {"statutory_words": {"en": ["irr\nadiated"]}}):
        response = await client.put(
            "/api/v1/markets/SG", json={"rules": [rule | odd]}, headers=admin
        )
        assert response.status_code == 400, response.text
    no_limit = {"rules": [{k: v for k, v in rule.items() if k != "dose_limit_kgy"}]}
    response = await client.put("/api/v1/markets/SG", json=no_limit, headers=admin)
    assert response.status_code == 400 and "dose_limit_kgy" in response.text


async def test_an_administrator_sets_a_markets_label_language(client, world: World):
    """`label_language` through PUT: one the rules hold words in (or null for the buyer
    country's), each change in the admin audit log with the language it replaced; a label asked
    for without `lang` then speaks it."""
    headers = world.admin.headers

    async def market(code: str) -> dict[str, Any]:
        listed = await client.get("/api/v1/markets?limit=50", headers=headers)
        return dict(next(m for m in listed.json()["items"] if m["code"] == code))

    async def put(code: str, body: dict[str, Any], actor: Any = world.admin):  # type: ignore[no-untyped-def]
        return await client.put(f"/api/v1/markets/{code}", json=body, headers=actor.headers)

    async def log() -> list[dict[str, Any]]:
        answer = await client.get("/api/v1/admin-audit-log", headers=headers)
        return list(answer.json()["items"])

    china, us = await market("CN"), await market("US")
    assert china["label_language"] == "zh"
    batch_id = await spices_approved_for(client, world, ("CN", "gacc"))
    try:
        # the US's rules hold English words only
        refused = await put("US", {"rules": us["rules"], "label_language": "zh"})
        assert refused.status_code == 422, refused.text
        problem = refused.json()
        assert problem["code"] == "label_language_without_words"
        assert problem["errors"][0]["field"] == "label_language"
        assert problem["languages"] == ["en"]
        assert await market("US") == us  # nothing changed, the rules neither
        assert (await log())[0]["action"] != "market.label_language_changed"

        changed = await put("CN", {"rules": china["rules"], "label_language": "en"})
        assert changed.status_code == 200, changed.text
        assert changed.json()["label_language"] == "en"
        assert changed.json()["rules"] == china["rules"]
        entries = await log()
        assert entries[0]["action"] == "market.label_language_changed"
        assert (entries[0]["subject_type"], entries[0]["subject_id"]) == ("market", "CN")
        assert entries[0]["details"] == {"from": "zh", "to": "en"}
        assert entries[0]["actor_id"] == str(world.admin.id)
        assert entries[1]["action"] == "market.rules_replaced"
        label = await labels_pdf(client, world, batch_id, "market=CN&copies=1")
        assert label.status_code == 200, label.text
        assert "Irradiated" in sticker_texts(label.content, "a4-3x8")[0]

        # null: the buyer country's language must be named, as for the EU
        cleared = await put("CN", {"rules": china["rules"], "label_language": None})
        assert cleared.status_code == 200 and cleared.json()["label_language"] is None
        assert (await log())[0]["details"] == {"from": "en", "to": None}
        needed = await labels_pdf(client, world, batch_id, "market=CN")
        assert needed.status_code == 422 and needed.json()["code"] == "market_language_needed"

        # left out: unchanged, and no entry for the language
        kept = await put("CN", {"rules": china["rules"]})
        assert kept.status_code == 200 and kept.json()["label_language"] is None
        assert (await log())[0]["action"] == "market.rules_replaced"

        for bad in ("ZH", "eng", "", 7):
            malformed = await put("CN", {"rules": china["rules"], "label_language": bad})
            assert malformed.status_code == 400, (bad, malformed.text)
            assert malformed.json()["errors"][0]["field"] == "label_language", bad
        for role in ("producer", "regulator", "qa"):
            body = {"rules": china["rules"], "label_language": "en"}
            assert (await put("CN", body, world.actors()[role])).status_code == 403, role
        assert (await put("XX", {"rules": [], "label_language": "en"})).status_code == 404
        assert (await market("CN"))["label_language"] is None
    finally:
        restored = await put("CN", {"rules": china["rules"], "label_language": "zh"})
        assert restored.status_code == 200, restored.text
    assert (await log())[0]["details"] == {"from": None, "to": "zh"}
    label = await labels_pdf(client, world, batch_id, "market=CN&copies=1")
    assert "辐照食品" in sticker_texts(label.content, "a4-3x8")[0]


async def test_words_the_labels_cannot_print_are_kept_as_data_but_never_printed(
    client, world: World
):
    """Arabic (GCC's label language) is stored with a market's rules, but a label set left to
    right without shaping would print it reversed and unjoined: it cannot become a label
    language, and a label asked for in it is refused naming its letters."""
    headers = world.admin.headers
    listed = await client.get("/api/v1/markets?limit=50", headers=headers)
    china = next(m for m in listed.json()["items"] if m["code"] == "CN")
    arabic = "غذاء مشعع"
    with_arabic = [
        {**rule, "statutory_words": {**rule["statutory_words"], "ar": [arabic]}}
        for rule in china["rules"]
    ]
    batch_id = await spices_approved_for(client, world, ("CN", "gacc"))
    try:
        refused = await client.put(
            "/api/v1/markets/CN",
            json={"rules": with_arabic, "label_language": "ar"},
            headers=headers,
        )
        assert refused.status_code == 422, refused.text
        problem = refused.json()
        assert problem["code"] == "label_language_unprintable"
        assert problem["errors"][0]["field"] == "label_language"
        assert set(problem["characters"]) == set(arabic.replace(" ", ""))
        unchanged = await client.get("/api/v1/markets?limit=50", headers=headers)
        assert next(m for m in unchanged.json()["items"] if m["code"] == "CN") == china

        # stored as data (the label language stays Chinese), but a label in it is refused
        kept = await client.put("/api/v1/markets/CN", json={"rules": with_arabic}, headers=headers)
        assert kept.status_code == 200, kept.text
        assert kept.json()["rules"][0]["statutory_words"]["ar"] == [arabic]
        label = await labels_pdf(client, world, batch_id, "market=CN&lang=ar&copies=1")
        assert label.status_code == 422, label.text
        missing = label.json()
        assert (missing["code"], missing["errors"][0]["field"]) == ("market_words_missing", "lang")
        assert "right to left" in missing["detail"] and "ع" in missing["detail"]
        chinese = await labels_pdf(client, world, batch_id, "market=CN&copies=1")
        assert "辐照食品" in sticker_texts(chinese.content, "a4-3x8")[0]
    finally:
        restored = await client.put(
            "/api/v1/markets/CN",
            json={"rules": china["rules"], "label_language": "zh"},
            headers=headers,
        )
        assert restored.status_code == 200, restored.text
