"""Pure rules of products and treatments: registration numbers, sterile meals, dose verdicts."""

from __future__ import annotations

import re

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from litestar.exceptions import ValidationException

from schemas.products import TRADITIONAL_MEDICINE_NO, ProductCreate, RegistrationNo
from service.batches import rules
from service.core.errors import RuleViolation

_SCHEMA_PATTERN = RegistrationNo.__metadata__[0].pattern.removeprefix("^").removesuffix("$")
TRADITIONAL_MEDICINE = re.compile(TRADITIONAL_MEDICINE_NO)
# as migration 0101 reads the stored forms
STORED_FORM = re.compile(r"M[DL][0-9]{12}|P-IRT[0-9]{15}|PSAT-(PDUK|PD|PL)[0-9]{8,20}")


def _product(**changes) -> ProductCreate:  # type: ignore[no-untyped-def]
    body = {
        "name": "Rendang",
        "category": "ready_meal_sterile",
        "purpose": "sterilisation",
        "min_dose_kgy": 45,
        "base_shelf_life_days": 5,
        "reference_temp_c": 30,
        "storage_temp_c": 30,
        "packaging": "vacuum",
        "validated_shelf_life_days": 540,
        "validated_study_ref": "BATAN 2019",
        "validated_study_temp_c": 30,
        "validated_study_dose_kgy": 45,
        "validated_study_packaging": "vacuum",
    } | changes
    return msgspec.convert({k: v for k, v in body.items() if v is not None}, ProductCreate)


@pytest.mark.parametrize(
    ("given_no", "stored"),
    [
        ("MD224510001234", "MD224510001234"),
        ("MD 224 510 001 234", "MD224510001234"),
        ("ML-2245-1000-1234", "ML224510001234"),
        ("P-IRT-206317401012325", "P-IRT206317401012325"),
        ("PSAT PD 1234 5678", "PSAT-PD12345678"),
        ("PSAT-PDUK-12345678901234567890", "PSAT-PDUK12345678901234567890"),
        ("PSATPL87654321", "PSAT-PL87654321"),
        (None, None),
    ],
)
def test_registration_numbers_lose_their_grouping(given_no, stored):
    assert rules.normalize_registration_no(given_no) == stored


@pytest.mark.parametrize(
    "body_no",
    ["TR 123456789", "POM TR-123 456 789", "TR1"],
)
def test_a_tr_number_is_refused_as_outside_the_service(body_no):
    with pytest.raises(msgspec.ValidationError, match="traditional medicines are outside this"):
        _product(registration_no=body_no)


@pytest.mark.parametrize(
    "given_no",
    ["PSAT PD 1234567", "PSAT PD 123456789012345678901", "PSAT PX 12345678", "PSAT 12345678"],
)
def test_psat_numbers_of_the_wrong_shape_are_refused_by_the_schema(given_no):
    with pytest.raises(msgspec.ValidationError, match=r"registration_no"):
        _product(registration_no=given_no)


@settings(max_examples=150, deadline=None)
@given(st.from_regex(_SCHEMA_PATTERN, fullmatch=True))
def test_every_number_the_schema_admits_is_stored_in_a_form_the_database_accepts(given_no):
    if TRADITIONAL_MEDICINE.fullmatch(given_no):
        return  # refused with its own 400
    stored = rules.normalize_registration_no(given_no)
    assert stored is not None and STORED_FORM.fullmatch(stored)  # migration 0101's CHECK


def test_the_normalizer_refuses_what_decoding_would_with_a_400_naming_the_field():
    with pytest.raises(ValidationException) as refused:
        rules.normalize_registration_no("MD 1234")
    assert refused.value.extra[0]["key"] == "registration_no"  # type: ignore[index]


def test_gtin_normalisation_names_the_field():
    assert rules.normalize_gtin_field("96385074") == "00000096385074"
    with pytest.raises(ValidationException) as refused:
        rules.normalize_gtin_field("96385075")
    assert refused.value.extra == [{"key": "gtin", "message": refused.value.extra[0]["message"]}]


def test_purpose_not_allowed_and_dose_above_maximum():
    with pytest.raises(RuleViolation) as refused:
        rules.check_product_rules(_product(), None)
    assert refused.value.code == "purpose_not_allowed"
    with pytest.raises(RuleViolation) as refused:
        rules.check_product_rules(_product(min_dose_kgy=61), 60.0)
    assert refused.value.code == "dose_above_legal_maximum"
    rules.check_product_rules(_product(min_dose_kgy=60), 60.0)


def test_sterile_meal_lists_every_broken_requirement():
    with pytest.raises(RuleViolation) as refused:
        rules.check_product_rules(
            _product(
                min_dose_kgy=44.9,
                packaging="map",
                validated_shelf_life_days=None,
                validated_study_ref=None,
                validated_study_temp_c=None,
                validated_study_dose_kgy=None,
                validated_study_packaging=None,
            ),
            60.0,
        )
    assert refused.value.code == "sterile_meal_requirements"
    fields = [e["field"] for e in refused.value.extra["errors"]]
    assert fields == ["min_dose_kgy", "packaging", "validated_shelf_life_days"]
    rules.check_product_rules(_product(validated_shelf_life_days=548), 60.0)
    with pytest.raises(RuleViolation):
        rules.check_product_rules(_product(validated_shelf_life_days=549), 60.0)


def test_shelf_life_inputs_take_the_measured_dose():
    product = {
        "category": "meat_poultry",
        "purpose": "extend_shelf_life",
        "base_shelf_life_days": 5,
        "reference_temp_c": 8.0,
        "storage_temp_c": 8.0,
        "packaging": "air",
        "water_activity": None,
        "ph": None,
        "validated_shelf_life_days": None,
        "validated_study_ref": None,
        "validated_study_temp_c": None,
        "validated_study_dose_kgy": None,
        "validated_study_packaging": None,
    }
    from datetime import date

    inputs = rules.shelf_life_inputs(product, dose_min_kgy=3.0, production_date=date(2026, 1, 1))
    assert inputs.dose_min_kgy == 3.0 and inputs.production_date == date(2026, 1, 1)


def test_a_dose_below_the_purposes_typical_minimum_needs_a_process_validation():
    # DOMAIN §8.6: "mengurangi jumlah mikroba patogen tertentu" at 0.05 kGy, typical 1.5 kGy
    [refusal] = rules.purpose_minimum_refusal("reduce_pathogens", 0.05, 1.5, None)
    assert (refusal.code, refusal.field) == ("dose_below_purpose_minimum", "process_validation_ref")
    assert refusal.details == {"min_dose_kgy": 0.05, "typical_min_dose_kgy": 1.5}
    assert "0,05 kGy di bawah" in refusal.explanation_id and "(1,5 kGy)" in refusal.explanation_id
    assert "mengurangi jumlah mikroba patogen tertentu" in refusal.explanation_id
    assert "reducing specific pathogenic microbes (1.5 kGy)" in refusal.explanation_en
    assert rules.purpose_minimum_refusal("reduce_pathogens", 0.05, 1.5, "PV-1") == []
    assert rules.purpose_minimum_refusal("reduce_pathogens", 1.5, 1.5, None) == []  # inclusive
    assert rules.purpose_minimum_refusal("extend_shelf_life", 0.5, None, None) == []  # no row


def test_every_refusal_is_listed_in_one_problem():
    refused = rules.purpose_minimum_refusal("extend_shelf_life", 1.0, 1.5, None)
    violation = rules.refusal_violation(refused * 2)
    assert violation.code == "dose_below_purpose_minimum"
    assert [e["code"] for e in violation.extra["errors"]] == ["dose_below_purpose_minimum"] * 2
    assert violation.extra["explanation"]["en"] == refused[0].explanation_en
    assert violation.extra["errors"][0]["typical_min_dose_kgy"] == 1.5


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"gtin": "1", "name": "x"}, ["gtin"]),
        ({"purpose": "x", "id": "y"}, ["id", "purpose"]),
        ({"version": 3, "hs_code": "030617"}, ["version"]),
    ],
)
def test_a_patch_of_an_identity_field_is_refused(body, fields):
    from schemas.products import ProductPatch
    from service.batches.products.amendments import refuse_immutable

    with pytest.raises(RuleViolation) as refused:
        refuse_immutable(msgspec.convert(body, ProductPatch).given())
    assert (refused.value.code, refused.value.extra["fields"]) == ("immutable_field", fields)


def test_a_patch_names_only_what_it_sets():
    from schemas.products import ProductPatch
    from service.batches.products.amendments import refuse_immutable

    patch = msgspec.json.decode(
        b'{"hs_code": null, "validated_study_temp_c": 4, "name": "Ayam"}', type=ProductPatch
    )
    assert patch.given() == ["name", "validated_study_temp_c", "hs_code"]
    refuse_immutable(patch.given())  # nothing of the identity: no refusal


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"name": null}', "name"),  # a required field is changed, never removed
        (b'{"storage_temp_c": 61}', "storage_temp_c"),
        (b'{"registration_no": "MD 12"}', "registration_no"),
        (b'{"packaging": "jar"}', "packaging"),
    ],
)
def test_a_malformed_patch_names_its_field(body, field):
    from schemas.products import ProductPatch

    with pytest.raises(msgspec.ValidationError, match=rf"\$\.{field}"):
        msgspec.json.decode(body, type=ProductPatch)
