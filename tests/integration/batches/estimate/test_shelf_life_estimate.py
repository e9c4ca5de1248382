"""POST /api/v1/shelf-life/estimate on the real app and the real food-category table."""

from typing import Any

import pytest

pytestmark = pytest.mark.asyncio(loop_scope="session")

URL = "/api/v1/shelf-life/estimate"
# SPEC §4's radura-sl/3 example: chicken, S0 = 5 d at 4 °C, stored at 4 °C, air, 3.0 kGy
CHICKEN: dict[str, Any] = {
    "category": "meat_poultry",
    "purpose": "extend_shelf_life",
    "base_shelf_life_days": 5,
    "reference_temp_c": 4,
    "storage_temp_c": 4,
    "packaging": "air",
    "dose_min_kgy": 3.0,
    "production_date": "2024-03-01",
}


async def test_public_preview_of_the_spec_chicken(client) -> None:
    response = await client.post(URL, json=CHICKEN)  # no Authorization header
    assert response.status_code == 200
    body = response.json()
    assert body["model"] == "radura-sl/3"
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
        "validated_study_temp_c": 30,
        "validated_study_dose_kgy": 45,
        "validated_study_packaging": "vacuum",
    }
    response = await client.post(URL, json=studied)
    assert response.status_code == 200
    assert response.json()["extended_days"] == 548


async def test_a_warm_vacuum_pack_is_refused_with_the_reason(client) -> None:
    # processed fish (not raw), vacuum: the 10-day rule holds at 3–8 °C; at 9 °C a control
    # below aw 0.97 or pH 5.0 is needed, at 10 °C and above aw ≤ 0.85 or pH ≤ 4.6
    fish = {**CHICKEN, "category": "processed_fish", "packaging": "vacuum"}
    at_9 = {**fish, "reference_temp_c": 9, "storage_temp_c": 9}
    response = await client.post(URL, json=at_9)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "vacuum_requires_chilling"
    assert "8 °C" in problem["explanation"]["id"] and "8 °C" in problem["explanation"]["en"]
    assert [e["code"] for e in problem["errors"]] == ["vacuum_requires_chilling"]
    controlled = await client.post(URL, json={**at_9, "water_activity": 0.95})
    assert controlled.status_code == 200
    chilled = await client.post(URL, json={**fish, "reference_temp_c": 2, "storage_temp_c": 2})
    assert chilled.status_code == 200
    at_30 = {**fish, "reference_temp_c": 30, "storage_temp_c": 30, "water_activity": 0.95}
    warm = await client.post(URL, json=at_30)
    assert warm.status_code == 422
    assert warm.json()["code"] == "reduced_oxygen_uncontrolled"
    assert "aw 0,95" in warm.json()["explanation"]["id"]
    dry = await client.post(URL, json={**at_30, "water_activity": 0.85})
    assert dry.status_code == 200
    assert "no_credit_dry" in dry.json()["rules"]


async def test_the_preview_credits_the_dose_less_its_uncertainty(client) -> None:
    # 3.0 kGy less 5 %: 2.85 kGy, m = 1.95, E = floor(9.75) = 9
    response = await client.post(URL, json={**CHICKEN, "expanded_uncertainty_pct": 5})
    assert response.status_code == 200
    assert (response.json()["multiplier"], response.json()["extended_days"]) == (1.95, 9)
    too_uncertain = await client.post(URL, json={**CHICKEN, "expanded_uncertainty_pct": 25})
    assert too_uncertain.status_code == 400
    assert [e["field"] for e in too_uncertain.json()["errors"]] == ["expanded_uncertainty_pct"]
