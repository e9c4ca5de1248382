"""The shelf-life preview (SPEC §3.4) as one domain function, for the API and the console alike."""

from __future__ import annotations

import asyncpg

from schemas.shelf_life import ShelfLifeEstimateRequest, ShelfLifeResult
from service.accounts.queries import purpose_limit
from service.batches.rules import (
    check_annex_limit,
    check_sterile_meal,
    date_shelf_life,
    purpose_minimum_refusal,
)
from service.shelf_life import parameters as p


async def preview_shelf_life(
    conn: asyncpg.Connection, data: ShelfLifeEstimateRequest
) -> ShelfLifeResult:
    """The result a release with this measured minimum dose would fix, or the 422 a product
    with these fields would get: a preview never dates a product that could not be registered."""
    limit = await purpose_limit(conn, data.category, data.purpose)
    legal_max = limit.max_dose_kgy if limit else None
    # A measured minimum above the legal maximum means the maximum is above it too: such a
    # treatment is non-conforming and can never be released, so it has no date to preview.
    check_annex_limit(
        data.category, data.purpose, data.dose_min_kgy, legal_max, dose_name="minimum dose"
    )
    # The product rules of a sterile meal that the preview body carries. A measured dose below
    # 45 kGy is not refused: the model itself then withholds the sterile date (see model.py).
    if data.category == p.STERILE_CATEGORY:
        check_sterile_meal(
            packaging=data.packaging, validated_shelf_life_days=data.validated_shelf_life_days
        )
    # A product's validated minimum, when the preview is given one, is held to its purpose's
    # typical minimum like at product creation.
    below_minimum = []
    if data.min_dose_kgy is not None and limit is not None:
        below_minimum = purpose_minimum_refusal(
            data.purpose, data.min_dose_kgy, limit.typical_min_dose_kgy, data.process_validation_ref
        )
    # the model's refusals and that one, all listed in one 422 with their explanations
    return date_shelf_life(data.to_inputs(), also_refused=below_minimum)
