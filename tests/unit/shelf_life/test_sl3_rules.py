"""radura-sl/3 rule by rule, against values worked out by hand from SPEC.md §4 ("Changes in
radura-sl/3") and DOMAIN.md §8."""

from typing import Any

import pytest

from schemas.shelf_life import ShelfLifeInputs
from service.shelf_life import ShelfLifeRefused, estimate_shelf_life
from service.shelf_life.sl3 import derive
from tests.unit.shelf_life.inputs import make_inputs

STUDY_REF = "Lab Mikrobiologi Pangan, laporan 12/2023"


def refusal_codes(inputs: ShelfLifeInputs) -> list[str]:
    with pytest.raises(ShelfLifeRefused) as refused:
        estimate_shelf_life(inputs)
    return [refusal.code for refusal in refused.value.refusals]


def study(days: int, temp_c: float, dose_kgy: float, packaging: str) -> dict[str, Any]:
    return {
        "validated_shelf_life_days": days,
        "validated_study_ref": STUDY_REF,
        "validated_study_temp_c": temp_c,
        "validated_study_dose_kgy": dose_kgy,
        "validated_study_packaging": packaging,
    }


def sterile_rendang(**overrides: Any) -> ShelfLifeInputs:
    """BATAN's rendang: 45 kGy, 28–30 °C, vacuum laminate, 540 days."""
    fields: dict[str, Any] = {
        "category": "ready_meal_sterile",
        "purpose": "sterilisation",
        "base_shelf_life_days": 5,
        "reference_temp_c": 30.0,
        "storage_temp_c": 30.0,
        "packaging": "vacuum",
        "dose_min_kgy": 46.0,
        **study(540, 30.0, 45.0, "vacuum"),
    }
    return make_inputs(**(fields | overrides))


def sambal(**overrides: Any) -> ShelfLifeInputs:
    """Sambal in a sealed jar at 30 °C: S0 30 d at 30 °C, 2.0 kGy (produce credit ×1.5)."""
    fields: dict[str, Any] = {
        "category": "processed_produce",
        "base_shelf_life_days": 30,
        "reference_temp_c": 30.0,
        "storage_temp_c": 30.0,
        "packaging": "hermetic",
        "dose_min_kgy": 2.0,
    }
    return make_inputs(**(fields | overrides))


# --- the SPEC example -------------------------------------------------------------------------


def test_spec_chicken_at_4c_gets_ten_days() -> None:
    # chicken, S0 = 5 d at 4 °C, stored at 4 °C (the poultry chill limit), air, 3.0 kGy:
    # m = min(2, 1 + 3/3) = 2, E = 10 d
    result = estimate_shelf_life(make_inputs(reference_temp_c=4.0, storage_temp_c=4.0))
    assert result.model == "radura-sl/3"
    assert (result.multiplier, result.extended_days) == (2.0, 10)
    assert result.rules == ["dose_credit_capped"]


def test_spec_chicken_at_8c_gets_no_credit() -> None:
    # sl/2's example, S0 = 5 d at 8 °C, stored at 8 °C: above 4 °C no credit, E = 5 d
    result = estimate_shelf_life(make_inputs())
    assert (result.multiplier, result.extended_days) == (1.0, 5)
    assert result.rules == ["no_credit_warm_storage"]
    assert "di atas batas rantai dingin 4 °C" in result.explanation.id
    assert "above the 4 °C chill limit" in result.explanation.en


# --- step 2: no credit above the chill limits or for dry food ---------------------------------


@pytest.mark.parametrize(
    ("category", "credited_at", "uncredited_at"),
    [("fish_seafood", 3.0, 3.1), ("processed_fish", 3.0, 3.1), ("meat_poultry", 4.0, 4.1)],
)
def test_no_credit_warm_storage(category: str, credited_at: float, uncredited_at: float) -> None:
    # S0 10 d at 10 °C, 1.5 kGy: m = 1.5 → 15 d within the limit; above it m = 1 → 10 d
    fields = {"category": category, "base_shelf_life_days": 10, "reference_temp_c": 10.0}
    within = estimate_shelf_life(
        make_inputs(**fields, storage_temp_c=credited_at, dose_min_kgy=1.5)
    )
    assert (within.multiplier, within.extended_days) == (1.5, 15)
    above = estimate_shelf_life(
        make_inputs(**fields, storage_temp_c=uncredited_at, dose_min_kgy=1.5)
    )
    assert (above.multiplier, above.extended_days, above.rules) == (
        1.0,
        10,
        ["no_credit_warm_storage"],
    )


def test_no_credit_for_dry_food_dodol() -> None:
    # DOMAIN §8.5: dodol, aw 0.75, 2.5 kGy, S0 240 d at 30 °C. sl/2 gave ×1.5 → 360 d against a
    # published 10 months; below aw 0.85 bacteria do not grow: m = 1, E = 240 d
    inputs = make_inputs(
        category="processed_produce",
        base_shelf_life_days=240,
        reference_temp_c=30.0,
        storage_temp_c=30.0,
        dose_min_kgy=2.5,
        water_activity=0.75,
    )
    assert estimate_shelf_life(inputs, "radura-sl/2").extended_days == 360
    result = estimate_shelf_life(inputs)
    assert (result.multiplier, result.extended_days, result.rules) == (1.0, 240, ["no_credit_dry"])
    assert "aw 0,75 ≤ 0,85: pangan kering tidak dirusak bakteri" in result.explanation.id


def test_aw_just_above_the_dry_limit_keeps_its_credit() -> None:
    # aw 0.86 is not dry: chicken at 4 °C, 3.0 kGy → ×2, E = 10
    result = estimate_shelf_life(
        make_inputs(reference_temp_c=4.0, storage_temp_c=4.0, water_activity=0.86)
    )
    assert result.extended_days == 10


# --- refusal 1: raw fish and meat out of the cold chain ---------------------------------------


def test_raw_fish_above_ten_degrees_is_refused() -> None:
    fish = make_inputs(category="fish_seafood", reference_temp_c=2.0, storage_temp_c=10.5)
    assert refusal_codes(fish) == ["raw_food_requires_chilling"]


def test_raw_fish_at_ten_degrees_is_dated_without_credit() -> None:
    # DOMAIN §8 table: fish S0 7 d at 2 °C, stored at 10 °C, 2.5 kGy.
    # B = 7 · (12/20)² = 2.52; no credit above 3 °C: E = 2 (sl/2: m = 1.83, E = 4)
    fish = make_inputs(
        category="fish_seafood",
        base_shelf_life_days=7,
        reference_temp_c=2.0,
        storage_temp_c=10.0,
        dose_min_kgy=2.5,
    )
    assert estimate_shelf_life(fish, "radura-sl/2").extended_days == 4
    result = estimate_shelf_life(fish)
    assert result.extended_days == 2
    assert result.rules == ["temp_adjust_sqrt", "no_credit_warm_storage"]


def test_dried_meat_may_be_kept_warm() -> None:
    # dendeng, aw 0.80, S0 60 d at 30 °C: not refused, but no credit (dry)
    dendeng = make_inputs(
        base_shelf_life_days=60, reference_temp_c=30.0, storage_temp_c=30.0, water_activity=0.8
    )
    result = estimate_shelf_life(dendeng)
    assert result.extended_days == 60
    assert result.rules == ["no_credit_dry", "no_credit_warm_storage"]


def test_raw_chicken_at_thirty_degrees_is_refused_with_its_reason() -> None:
    chicken = make_inputs(reference_temp_c=4.0, storage_temp_c=30.0)
    with pytest.raises(ShelfLifeRefused) as refused:
        estimate_shelf_life(chicken)
    assert refused.value.code == "raw_food_requires_chilling"
    assert refused.value.refusals[0].field == "storage_temp_c"
    assert "Daging dan unggas mentah harus disimpan dingin" in refused.value.explanation_id
    assert "Raw meat and poultry must be kept chilled, at most 10 °C" in (
        refused.value.explanation_en
    )


# --- refusal 2: reduced-oxygen packs ----------------------------------------------------------


def test_vacuum_between_eight_and_ten_degrees_needs_a_group_ii_control() -> None:
    pepes = make_inputs(
        category="processed_fish",
        packaging="vacuum",
        reference_temp_c=9.0,
        storage_temp_c=9.0,
    )
    assert refusal_codes(pepes) == ["vacuum_requires_chilling"]
    # aw 0.96 < 0.97 is a control below 10 °C: dated, no cap; S0 5 d, no credit above 3 °C
    result = estimate_shelf_life(make_inputs(**{**_fields(pepes), "water_activity": 0.96}))
    assert result.extended_days == 5
    assert "vacuum_chilled_cap" not in result.rules


@pytest.mark.parametrize(
    ("controls", "dated"),
    [
        ({"ph": 4.9}, False),  # pH < 5.0 stops group II only
        ({"water_activity": 0.95}, False),  # so does aw < 0.97
        ({"ph": 4.6}, True),  # the low-acid boundary of 21 CFR 113/114, inclusive
        ({"water_activity": 0.85}, True),
        ({"ph": 4.61, "water_activity": 0.86}, False),
    ],
)
def test_a_sealed_jar_at_thirty_degrees_needs_a_group_i_control(
    controls: dict[str, float], dated: bool
) -> None:
    inputs = sambal(**controls)
    if not dated:
        assert refusal_codes(inputs) == ["reduced_oxygen_uncontrolled"]
        return
    result = estimate_shelf_life(inputs)
    assert "vacuum_chilled_cap" not in result.rules


def test_sambal_in_a_jar_from_the_domain_review() -> None:
    # DOMAIN §8.1: sambal, pH 4.9, 30 °C. sl/2 read as vacuum: pH 4.9 < 5.0 lifted every limit,
    # E = 30 · 1.5 = 45 d; sl/3: refused. The explanation names what would date it.
    inputs = sambal(ph=4.9)
    vacuum = make_inputs(**{**_fields(inputs), "packaging": "vacuum"})
    assert estimate_shelf_life(vacuum, "radura-sl/2").extended_days == 45
    with pytest.raises(ShelfLifeRefused) as refused:
        estimate_shelf_life(inputs)
    assert refused.value.refusals[0].field == "packaging"
    assert "Kemasan hermetis (kedap udara) pada 30 °C (pH 4,9)" in refused.value.explanation_id
    assert "aw ≤ 0,85 atau pH ≤ 4,6" in refused.value.explanation_id
    assert "proteolytic C. botulinum can grow" in refused.value.explanation_en


def test_exactly_ten_degrees_is_already_the_warm_rule() -> None:
    at_ten = sambal(reference_temp_c=10.0, storage_temp_c=10.0, water_activity=0.95)
    assert refusal_codes(at_ten) == ["reduced_oxygen_uncontrolled"]
    just_below = sambal(reference_temp_c=9.9, storage_temp_c=9.9, water_activity=0.95)
    assert estimate_shelf_life(just_below).extended_days == 45


def test_a_group_i_control_is_explained_with_its_own_limit() -> None:
    result = estimate_shelf_life(sambal(ph=4.5))
    assert result.extended_days == 45
    assert "dengan faktor pengendali pH 4,5 ≤ 4,6" in result.explanation.id
    assert "batas 10 hari tidak berlaku" in result.explanation.id
    assert "the 10-day limit does not apply" in result.explanation.en


def test_every_refusal_is_listed_in_order() -> None:
    # DOMAIN §8.1: non-sterile rendang (meat_poultry), vacuum, 30 °C, aw 0.95 → sl/2 10 days;
    # sl/3: raw meat out of the cold chain and a warm reduced-oxygen pack, both listed
    rendang = make_inputs(
        packaging="vacuum", reference_temp_c=30.0, storage_temp_c=30.0, water_activity=0.95
    )
    assert estimate_shelf_life(rendang, "radura-sl/2").extended_days == 10
    assert refusal_codes(rendang) == ["raw_food_requires_chilling", "reduced_oxygen_uncontrolled"]


def test_an_applicable_study_covers_a_warm_reduced_oxygen_pack() -> None:
    # a challenge test at 30 °C in the same jar and at 2.0 kGy dates the pack (DOMAIN §8.1)...
    covered = sambal(**study(60, 30.0, 2.0, "hermetic"))
    result = estimate_shelf_life(covered)
    # ...but without aw < 0.97 or pH < 5.0 the 10-day cap still holds, as at 3–8 °C
    assert result.extended_days == 10
    assert result.rules == ["dose_credit_produce", "validated_study", "vacuum_chilled_cap"]
    # with pH 4.9 the cap is lifted: the study's 60 days
    assert (
        estimate_shelf_life(sambal(ph=4.9, **study(60, 30.0, 2.0, "hermetic"))).extended_days == 60
    )
    # a study of another packaging covers nothing
    assert refusal_codes(sambal(**study(60, 30.0, 2.0, "vacuum"))) == [
        "reduced_oxygen_uncontrolled"
    ]


def test_vacuum_cap_between_three_and_eight_degrees_is_unchanged() -> None:
    # fish, S0 = 20 d at 0 °C, vacuum, 8 °C, 2 kGy: no credit above 3 °C; B = 20 · (10/18)²
    # = 6.17 → 6 d; the cap (10 d) is in force and listed
    result = estimate_shelf_life(
        make_inputs(
            category="fish_seafood",
            base_shelf_life_days=20,
            reference_temp_c=0.0,
            storage_temp_c=8.0,
            packaging="vacuum",
            dose_min_kgy=2.0,
        )
    )
    assert result.extended_days == 6
    assert result.rules == ["temp_adjust_sqrt", "no_credit_warm_storage", "vacuum_chilled_cap"]


# --- step 3: the study holds only inside its conditions ----------------------------------------


def test_an_applicable_study_sets_the_date() -> None:
    # chicken at 4 °C, 3.0 kGy; a 14-day study at 4 °C, 3.0 kGy, air: E = 14 (model 10)
    inputs = make_inputs(reference_temp_c=4.0, storage_temp_c=4.0, **study(14, 4.0, 3.0, "air"))
    result = estimate_shelf_life(inputs)
    assert result.extended_days == 14
    assert result.rules == ["dose_credit_capped", "validated_study"]
    assert "berlaku dan menetapkan 14 hari" in result.explanation.id


def test_the_low_dose_study_from_the_domain_review() -> None:
    # DOMAIN §8.4: a 30-day meat study (4 °C, 3.0 kGy, air) gave 30 days to a 0.5 kGy batch.
    # sl/3: the study does not apply (dose); model: no credit below 1.0 kGy, E = min(5, 30) = 5
    inputs = make_inputs(
        reference_temp_c=4.0,
        storage_temp_c=4.0,
        dose_min_kgy=0.5,
        **study(30, 4.0, 3.0, "air"),
    )
    assert estimate_shelf_life(inputs, "radura-sl/2").extended_days == 30
    result = estimate_shelf_life(inputs)
    assert result.extended_days == 5
    assert result.rules == ["no_credit_low_dose", "study_not_applicable"]
    assert "dosis serap 0,50 kGy di bawah dosis serap studi 3,0 kGy" in result.explanation.id
    assert "absorbed dose 0.50 kGy below the study's 3.0 kGy" in result.explanation.en


def test_a_study_at_4c_does_not_date_a_pack_labelled_8c() -> None:
    # DOMAIN §8.4; S0 5 d at 8 °C: no credit at 8 °C → 5 d; study 30 d → min(5, 30) = 5
    inputs = make_inputs(**study(30, 4.0, 3.0, "air"))
    result = estimate_shelf_life(inputs)
    assert result.extended_days == 5
    assert derive(inputs).study_failed == ("temperature",)
    assert "disimpan pada 8 °C, di atas suhu studi 4 °C" in result.explanation.id


def test_a_shorter_study_outside_its_conditions_still_holds() -> None:
    # chicken at 4 °C, 3.0 kGy (model 10 d); a 7-day study of vacuum packs: min(10, 7) = 7
    inputs = make_inputs(reference_temp_c=4.0, storage_temp_c=4.0, **study(7, 4.0, 3.0, "vacuum"))
    result = estimate_shelf_life(inputs)
    assert result.extended_days == 7
    assert result.rules == ["dose_credit_capped", "study_not_applicable"]
    assert "kemasan udara biasa (tidak kedap udara), studi dengan kemasan vakum" in (
        result.explanation.id
    )
    assert "lebih pendek, 7 hari, tetap berlaku" in result.explanation.id


def test_the_study_dose_is_compared_with_the_dose_less_its_uncertainty() -> None:
    # 3.1 kGy less 5 % = 2.945 kGy < the study's 3.0: the study does not apply
    inputs = make_inputs(
        reference_temp_c=4.0,
        storage_temp_c=4.0,
        dose_min_kgy=3.1,
        expanded_uncertainty_pct=5.0,
        **study(14, 4.0, 3.0, "air"),
    )
    assert derive(inputs).study_failed == ("dose",)
    # m = 1 + 2.945/3 = 1.9816…, E = floor(9.9) = 9 = min(9, 14)
    assert estimate_shelf_life(inputs).extended_days == 9


def test_a_study_without_its_conditions_is_refused() -> None:
    inputs = make_inputs(validated_shelf_life_days=14, validated_study_ref=STUDY_REF)
    with pytest.raises(ShelfLifeRefused) as refused:
        estimate_shelf_life(inputs)
    assert refused.value.code == "study_conditions_missing"
    assert refused.value.refusals[0].field == "validated_study_temp_c"


# --- refusal 3: the sterile meal is dated only by its study -----------------------------------


def test_a_sterile_meal_inside_its_study_gets_the_study() -> None:
    result = estimate_shelf_life(sterile_rendang())
    assert result.extended_days == 540
    assert result.rules == ["no_credit_purpose", "validated_study", "sterile_validated"]
    assert "dosis serap minimum 46,0 kGy ≥ 45,0 kGy" in result.explanation.id


@pytest.mark.parametrize(
    ("overrides", "fragment_en"),
    [
        ({"packaging": "hermetic"}, "hermetic (airtight) packaging, the study's was vacuum"),
        ({"storage_temp_c": 35.0}, "stored at 35 °C, above the study's 30 °C"),
        ({"validated_study_dose_kgy": 50.0}, "absorbed dose 46.0 kGy below the study's 50.0 kGy"),
        (
            {"dose_min_kgy": 46.0, "expanded_uncertainty_pct": 5.0},
            "absorbed dose 43.7 kGy below the sterilising 45.0 kGy",
        ),
    ],
)
def test_a_sterile_meal_outside_its_study_is_refused(
    overrides: dict[str, Any], fragment_en: str
) -> None:
    with pytest.raises(ShelfLifeRefused) as refused:
        estimate_shelf_life(sterile_rendang(**overrides))
    assert [r.code for r in refused.value.refusals] == ["study_not_applicable"]
    assert fragment_en in refused.value.explanation_en
    assert refused.value.explanation_id.startswith(
        "Pangan siap saji steril hanya diberi tanggal oleh studi umur simpannya"
    )


def test_a_hermetic_sterile_meal_with_a_hermetic_study_is_dated() -> None:
    can = sterile_rendang(packaging="hermetic", validated_study_packaging="hermetic")
    assert estimate_shelf_life(can).extended_days == 540


# --- earlier versions never see `hermetic` ----------------------------------------------------


@pytest.mark.parametrize("model", ["radura-sl/1", "radura-sl/2"])
def test_earlier_versions_refuse_to_read_hermetic(model: str) -> None:
    with pytest.raises(ValueError, match="does not know packaging 'hermetic'"):
        estimate_shelf_life(sambal(ph=4.5), model)


def _fields(inputs: ShelfLifeInputs) -> dict[str, Any]:
    return {f: getattr(inputs, f) for f in inputs.__struct_fields__}
