"""POST /api/v1/shelf-life/estimate on the real app and the real food-category table."""

from typing import Any

import pytest

pytestmark = pytest.mark.asyncio(loop_scope="session")

URL = "/api/v1/shelf-life/estimate"
CHICKEN: dict[str, Any] = {
    "category": "meat_poultry",
    "purpose": "extend_shelf_life",
    "base_shelf_life_days": 5,
    "reference_temp_c": 8,
    "storage_temp_c": 8,
    "packaging": "air",
    "dose_min_kgy": 3.0,
    "production_date": "2024-03-01",
}


async def test_public_preview_of_the_spec_chicken(client) -> None:
    response = await client.post(URL, json=CHICKEN)  # no Authorization header
    assert response.status_code == 200
    body = response.json()
    assert body["model"] == "radura-sl/2"
    assert body["multiplier"] == 2.0
    assert body["extended_days"] == 10
    assert body["best_before"] == "2024-03-11"
    assert body["rules"] == ["dose_credit_capped"]
    assert body["explanation"]["en"].endswith("→ 10 days.")
    assert body["inputs"]["production_date"] == "2024-03-01"


async def test_bad_range_is_a_400_naming_the_field(client) -> None:
    response = await client.post(URL, json={**CHICKEN, "storage_temp_c": 75})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["storage_temp_c"]


async def test_missing_study_reference_is_a_400_naming_it(client) -> None:
    response = await client.post(URL, json={**CHICKEN, "validated_shelf_life_days": 20})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["validated_study_ref"]


async def test_purpose_not_allowed_for_the_category_is_a_422(client) -> None:
    response = await client.post(URL, json={**CHICKEN, "purpose": "sprout_inhibition"})
    assert response.status_code == 422
    assert response.json()["code"] == "purpose_not_allowed"
    response = await client.post(URL, json={**CHICKEN, "category": "moon_cheese"})
    assert response.status_code == 422
    assert response.json()["code"] == "purpose_not_allowed"


async def test_dose_above_the_legal_maximum_is_a_422(client) -> None:
    response = await client.post(URL, json={**CHICKEN, "dose_min_kgy": 3.5})
    assert response.status_code == 422
    assert response.json()["code"] == "dose_above_legal_maximum"


async def test_sterile_meal_rules_are_a_422(client) -> None:
    meal = {
        **CHICKEN,
        "category": "ready_meal_sterile",
        "purpose": "sterilisation",
        "reference_temp_c": 30,
        "storage_temp_c": 30,
        "dose_min_kgy": 46,
    }
    response = await client.post(URL, json={**meal, "packaging": "air"})
    assert response.status_code == 422
    assert response.json()["code"] == "sterile_meal_requirements"
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"packaging", "validated_shelf_life_days"}
    studied = {
        **meal,
        "packaging": "vacuum",
        "validated_shelf_life_days": 548,
        "validated_study_ref": "BATAN",
    }
    response = await client.post(URL, json=studied)
    assert response.status_code == 200
    assert response.json()["extended_days"] == 548


async def test_a_warm_vacuum_pack_is_refused_with_the_reason(client) -> None:
    # radura-sl/2: the 10-day rule holds at 3–8 °C only; above it no date at all
    warm = {**CHICKEN, "packaging": "vacuum", "reference_temp_c": 30, "storage_temp_c": 30}
    response = await client.post(URL, json=warm)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "vacuum_requires_chilling"
    assert "8 °C" in problem["explanation"]["id"] and "8 °C" in problem["explanation"]["en"]
    chilled = await client.post(URL, json={**warm, "reference_temp_c": 8, "storage_temp_c": 8})
    assert chilled.status_code == 200
    assert chilled.json()["rules"] == ["dose_credit_capped", "vacuum_chilled_cap"]
    controlled = await client.post(URL, json={**warm, "water_activity": 0.95})
    assert controlled.status_code == 200


async def test_the_preview_credits_the_dose_less_its_uncertainty(client) -> None:
    # 3.0 kGy less 5 %: 2.85 kGy, m = 1.95, E = floor(9.75) = 9
    response = await client.post(URL, json={**CHICKEN, "expanded_uncertainty_pct": 5})
    assert response.status_code == 200
    assert (response.json()["multiplier"], response.json()["extended_days"]) == (1.95, 9)
    too_uncertain = await client.post(URL, json={**CHICKEN, "expanded_uncertainty_pct": 25})
    assert too_uncertain.status_code == 400
    assert [e["field"] for e in too_uncertain.json()["errors"]] == ["expanded_uncertainty_pct"]
