"""Every demo product gets a date under the current shelf-life model, at its own minimum dose and
at the doses its demo batches receive (`radura serve --demo` must never seed a refusal)."""

from datetime import date

import msgspec
import pytest

from schemas.products import ProductCreate
from service.batches import rules
from service.demo.batches import BATCHES, DOSE_MAP_OF, PRODUCTS
from service.demo.seed import DOSE_MAPS
from service.shelf_life import MODEL_VERSION
from service.shelf_life import parameters as p


@pytest.mark.parametrize("key", sorted(PRODUCTS))
def test_every_demo_product_is_dated_at_its_minimum_dose(key: str) -> None:
    data = msgspec.convert(PRODUCTS[key], ProductCreate)
    inputs = rules.shelf_life_inputs(
        msgspec.structs.asdict(data), dose_min_kgy=data.min_dose_kgy, production_date=date.today()
    )
    typical = p.TYPICAL_MIN_DOSE_KGY.get(data.purpose)
    below = rules.purpose_minimum_refusal(
        data.purpose, data.min_dose_kgy, typical, data.process_validation_ref
    )
    result = rules.date_shelf_life(inputs, also_refused=below)
    assert result.model == MODEL_VERSION == "radura-sl/3"
    assert result.extended_days >= 1


@pytest.mark.parametrize("batch", [b for b in BATCHES if b[4] and b[0] != "rejected"])
def test_every_demo_treatment_is_dated(batch: tuple) -> None:  # type: ignore[type-arg]
    _status, key, _lot, _days_ago, doses = batch
    dose_map = DOSE_MAPS[DOSE_MAP_OF[key]]
    inputs = rules.shelf_life_inputs(
        PRODUCTS[key] | {k: PRODUCTS[key].get(k) for k in ProductCreate.__struct_fields__},
        dose_min_kgy=min(doses) * dose_map["ratio_min"],
        production_date=date.today(),
        expanded_uncertainty_pct=dose_map["expanded_uncertainty_pct"],
    )
    assert rules.date_shelf_life(inputs).extended_days >= 1
