"""The export-market check (SPEC §13.3) on the rows migration 0165 seeds (DOMAIN §8.10)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.markets import FacilityApproval
from service.batches.markets_check import (
    ProductFacts,
    TreatmentFacts,
    check_market,
    overall_average_kgy,
)
from tests.unit.batches.markets.seeded_rules import seeded_rules

RULES = seeded_rules()
TREATED_ON = date(2026, 3, 10)

POTATO = ProductFacts("bulbs_tubers", "sprout_inhibition", "070190")
ONION = ProductFacts("bulbs_tubers", "sprout_inhibition", "070310")
SPICES = ProductFacts("spices_herbs", "reduce_microbial_load", "090421")
RENDANG = ProductFacts("ready_meal_sterile", "sterilisation", "160250")
CHICKEN = ProductFacts("meat_poultry", "reduce_pathogens", "020714")
SHRIMP = ProductFacts("fish_seafood", "reduce_pathogens", "030617")
TUNA = ProductFacts("fish_seafood", "reduce_pathogens", "030487")

EU_APPROVAL = FacilityApproval(
    market="EU",
    kind="eu_facility_list",
    reference="EU list IR-ID-01",
    valid_from=date(2026, 1, 1),
    valid_until=date(2026, 12, 31),
)
FDA = FacilityApproval(
    market="US",
    kind="fda_registration",
    reference="FFR 12345678901",
    valid_from=date(2025, 1, 1),
    valid_until=date(2026, 12, 31),
)


def treatment(
    *,
    dose_max_kgy: float = 0.1,
    references: tuple[float, ...] = (0.08,),
    ratio_average: float | None = 1.1,
    source_type: str = "cobalt-60",
    energy: float | None = None,
    approvals: tuple[FacilityApproval, ...] = (),
) -> TreatmentFacts:
    return TreatmentFacts(
        treated_on=TREATED_ON,
        dose_max_kgy=dose_max_kgy,
        reference_readings_kgy=references,
        ratio_average=ratio_average,
        source_type=source_type,
        max_energy_mev=energy,
        facility_approvals=approvals,
    )


def rules_failed(market: str, product: ProductFacts, treated: TreatmentFacts | None) -> list[str]:
    return [f.rule for f in check_market(market, RULES.get(market, []), product, treated)]


def test_every_seeded_row_names_its_source_and_confidence():
    rows = [rule for rules in RULES.values() for rule in rules]
    assert len(rows) >= 20
    assert all(rule.source and rule.confidence in ("H", "M", "L") for rule in rows)
    assert {"EU", "US", "AU", "NZ", "CN", "JP"} <= set(RULES)
    # words are seeded in English and Chinese only
    assert {lang for rule in rows for lang in rule.statutory_words} <= {"en", "zh"}


@pytest.mark.parametrize("product", [ONION, SPICES, RENDANG, CHICKEN, SHRIMP])
def test_japan_refuses_everything_but_potatoes(product):
    failures = check_market("JP", RULES["JP"], product, treatment())
    assert [f.rule for f in failures] == ["category_purpose"]
    assert failures[0].confidence == "H" and "potatoes" in failures[0].source


def test_japan_takes_potatoes_within_0_15_kgy():
    assert rules_failed("JP", POTATO, treatment(dose_max_kgy=0.12)) == []
    assert rules_failed("JP", POTATO, treatment(dose_max_kgy=0.2)) == ["dose_limit"]


def test_a_rule_narrowed_to_hs_codes_needs_the_products_hs_code():
    failures = check_market("JP", RULES["JP"], ProductFacts(POTATO.category, POTATO.purpose), None)
    assert [f.rule for f in failures] == ["category_purpose"]
    assert "hs_code" in failures[0].detail


def test_the_eu_refuses_a_meal():
    assert rules_failed("EU", RENDANG, treatment()) == ["category_purpose"]


def test_the_eu_refuses_spices_from_an_unapproved_facility():
    spices = treatment(dose_max_kgy=9, references=(7.0, 7.2), ratio_average=1.15)
    failures = check_market("EU", RULES["EU"], SPICES, spices)
    assert [f.rule for f in failures] == ["facility_approval"]
    assert failures[0].source.startswith("Directive 1999/2/EC")


def test_the_eu_refuses_an_overall_average_above_10_kgy():
    # maximum 12 kGy, yet the overall average 8 × 1.3 = 10.4 kGy is what the EU limits
    spices = treatment(dose_max_kgy=12, references=(8.0, 8.0), ratio_average=1.3)
    assert overall_average_kgy(spices) == pytest.approx(10.4)
    assert rules_failed("EU", SPICES, spices) == ["dose_limit", "facility_approval"]
    approved = treatment(
        dose_max_kgy=12, references=(8.0, 8.0), ratio_average=1.3, approvals=(EU_APPROVAL,)
    )
    assert rules_failed("EU", SPICES, approved) == ["dose_limit"]


def test_the_eu_accepts_spices_after_an_approval():
    # a maximum above 10 kGy passes: the limit is on the overall average (7.1 × 1.2 = 8.52)
    spices = treatment(
        dose_max_kgy=11, references=(7.0, 7.2), ratio_average=1.2, approvals=(EU_APPROVAL,)
    )
    assert rules_failed("EU", SPICES, spices) == []


def test_an_approval_counts_only_on_the_days_it_is_valid():
    later = FacilityApproval(
        market="EU",
        kind="eu_facility_list",
        reference="EU list IR-ID-01",
        valid_from=date(2026, 3, 11),
        valid_until=date(2026, 12, 31),
    )
    other_market = FacilityApproval(
        market="US", kind="eu_facility_list", reference="x", valid_from=date(2026, 1, 1),
        valid_until=date(2026, 12, 31),
    )  # fmt: skip
    for approval in (later, other_market):
        assert rules_failed("EU", SPICES, treatment(approvals=(approval,))) == ["facility_approval"]


def test_without_a_ratio_average_the_eu_dose_entry_says_average_dose_unknown():
    failures = check_market(
        "EU", RULES["EU"], SPICES, treatment(ratio_average=None, approvals=(EU_APPROVAL,))
    )
    assert [f.rule for f in failures] == ["dose_limit"]
    assert failures[0].detail.startswith("average_dose_unknown")


def test_the_eu_limits_x_ray_to_5_mev():
    xray = treatment(source_type="x-ray", energy=7.5, approvals=(EU_APPROVAL,))
    assert rules_failed("EU", SPICES, xray) == ["source_energy"]
    lower = treatment(source_type="x-ray", energy=5, approvals=(EU_APPROVAL,))
    assert rules_failed("EU", SPICES, lower) == []


def test_the_us_accepts_spices_up_to_30_kgy():
    assert rules_failed("US", SPICES, treatment(dose_max_kgy=30, approvals=(FDA,))) == []
    assert rules_failed("US", SPICES, treatment(dose_max_kgy=30.5, approvals=(FDA,))) == [
        "dose_limit"
    ]
    assert rules_failed("US", SPICES, treatment(dose_max_kgy=10)) == ["facility_approval"]


@pytest.mark.parametrize("cooked_meat", [RENDANG, CHICKEN])
def test_the_us_refuses_cooked_meat(cooked_meat):
    assert rules_failed("US", cooked_meat, treatment(approvals=(FDA,))) == ["category_purpose"]


def test_the_us_takes_crustaceans_not_finfish():
    assert rules_failed("US", SHRIMP, treatment(dose_max_kgy=5, approvals=(FDA,))) == []
    assert rules_failed("US", TUNA, treatment(dose_max_kgy=5, approvals=(FDA,))) == [
        "category_purpose"
    ]


@pytest.mark.parametrize("market", ["MY", "SG", "GCC"])
def test_a_market_without_rows_admits_nothing(market):
    assert rules_failed(market, SPICES, treatment()) == ["category_purpose"]


def test_the_home_market_needs_no_row():
    assert rules_failed("ID", RENDANG, treatment(dose_max_kgy=60)) == []


_ALLOWED = [
    (market, rule) for market, rules in RULES.items() for rule in rules if rule.allowed
]  # fmt: skip


@given(
    pick=st.sampled_from(_ALLOWED),
    dose_max_kgy=st.floats(0.01, 80),
    references=st.lists(st.floats(0.01, 60), min_size=0, max_size=4),
    ratio_average=st.none() | st.floats(0.5, 3),
)
def test_no_shipment_passes_whose_dose_exceeds_its_markets_limit(
    pick, dose_max_kgy, references, ratio_average
):
    market, rule = pick
    product = ProductFacts(rule.category, rule.purpose, (rule.hs_prefixes or ["9999"])[0] + "00")
    approvals = tuple(
        FacilityApproval(
            market=market,
            kind=kind,
            reference="r",
            valid_from=date(2000, 1, 1),
            valid_until=date(2100, 1, 1),
        )
        for kind in ("eu_facility_list", "fda_registration", "aphis", "gacc", "other")
    )
    treated = TreatmentFacts(
        treated_on=TREATED_ON,
        dose_max_kgy=dose_max_kgy,
        reference_readings_kgy=references,
        ratio_average=ratio_average,
        source_type="cobalt-60",
        max_energy_mev=None,
        facility_approvals=approvals,
    )
    passes = check_market(market, RULES[market], product, treated) == []
    # the dose by the market's metric, computed here on its own
    if rule.dose_metric == "maximum":
        dose: float | None = dose_max_kgy
    else:
        dose = (
            sum(references) / len(references) * ratio_average
            if references and ratio_average is not None
            else None
        )
    assert rule.dose_limit_kgy is not None
    if passes:
        assert dose is not None and dose <= rule.dose_limit_kgy
    else:
        assert dose is None or dose > rule.dose_limit_kgy


def test_a_product_going_abroad_needs_its_hs_code() -> None:
    unclassified = ProductFacts("spices_herbs", "reduce_microbial_load", None)
    within = treatment(dose_max_kgy=8.0, references=(7.5,), ratio_average=1.0, approvals=(FDA,))
    assert check_market("US", RULES["US"], SPICES, within) == []
    for treated in (None, within):  # before a batch and after: the same refusal
        (failure,) = check_market("US", RULES["US"], unclassified, treated)
        assert failure.rule == "hs_code" and failure.confidence == "H"
    assert check_market("ID", RULES.get("ID", []), unclassified, within) == []
    # a row that narrows itself to HS prefixes names them rather than asking for any code
    (japan,) = check_market(
        "JP", RULES["JP"], ProductFacts("bulbs_tubers", "sprout_inhibition"), None
    )
    assert japan.rule == "category_purpose" and "0701" in japan.detail
