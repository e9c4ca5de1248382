"""The shelf-life model in force, and every earlier version, behind one function: a new release
is dated by the current version; a stored result is re-derived by the version that made it."""

from collections.abc import Callable
from datetime import timedelta

from schemas.shelf_life import ShelfLifeExplanation, ShelfLifeInputs, ShelfLifeResult
from service.shelf_life import explain_sl3, sl1, sl2, sl3
from service.shelf_life import parameters as p
from service.shelf_life.derivation import Derivation
from service.shelf_life.explain import explain

_VERSIONS: dict[str, Callable[[ShelfLifeInputs], Derivation]] = {
    sl1.VERSION: sl1.derive,
    sl2.VERSION: sl2.derive,
    sl3.VERSION: sl3.derive,
}
assert p.MODEL_VERSION in _VERSIONS
# each version's words: a stored result re-derives to the same text (explain.py: sl/1, sl/2)
_EXPLAIN: dict[str, Callable[[Derivation], ShelfLifeExplanation]] = {
    sl3.VERSION: explain_sl3.explain,
}


def derive(inputs: ShelfLifeInputs, model: str = p.MODEL_VERSION) -> Derivation:
    """The named version's derivation (ShelfLifeRefused where that version refuses a date)."""
    try:
        version = _VERSIONS[model]
    except KeyError:
        raise ValueError(f"unknown shelf-life model {model!r}") from None
    return version(inputs)


def estimate_shelf_life(inputs: ShelfLifeInputs, model: str = p.MODEL_VERSION) -> ShelfLifeResult:
    """Apply a model version (the current one unless told) to validated inputs; the same inputs
    and version always give the same result."""
    derivation = derive(inputs, model)
    return ShelfLifeResult(
        model=derivation.model,
        base_days=inputs.base_shelf_life_days,
        adjusted_base_days=float(derivation.adjusted_base_days),
        multiplier=float(derivation.multiplier),
        extended_days=derivation.extended_days,
        best_before=inputs.production_date + timedelta(days=derivation.extended_days),
        storage_temp_c=inputs.storage_temp_c,
        rules=[str(code) for code in derivation.rules],
        explanation=_EXPLAIN.get(derivation.model, explain)(derivation),
        inputs=inputs,
    )


def rederive(stored: ShelfLifeResult) -> ShelfLifeResult:
    """A stored result computed again from its own inputs by its own version."""
    return estimate_shelf_life(stored.inputs, stored.model)
