"""POST /api/v1/shelf-life/estimate: the public preview of the date a treatment would give."""

from __future__ import annotations

from litestar import Controller, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from schemas.shelf_life import ShelfLifeEstimateRequest, ShelfLifeResult
from service.accounts.queries import legal_max_dose_kgy
from service.batches.rules import check_annex_limit, check_sterile_meal, date_shelf_life
from service.core.db import Db
from service.shelf_life import parameters as p


class ShelfLifeController(Controller):
    path = "/api/v1/shelf-life"
    tags = ["shelf-life"]

    @post(
        "/estimate",
        operation_id="estimateShelfLife",
        exclude_from_auth=True,
        security=[{}],  # public: the OpenAPI document must not ask for the app-wide bearer token
        status_code=HTTP_200_OK,  # nothing is created: the same body always gives the same answer
    )
    async def estimate(self, db: Db, data: JSONBody[ShelfLifeEstimateRequest]) -> ShelfLifeResult:
        """Preview the best-before date radura-sl/2 would give a product treated with a measured
        minimum dose (less `expanded_uncertainty_pct`, when given): the same result object a
        released batch carries, with its rules and a Bahasa Indonesia / English explanation.
        A non-sterile vacuum or MAP pack without a control stored above 8 °C is 422
        `vacuum_requires_chilling`. Public; nothing is stored."""
        await _check_against_the_category_table(db, data)
        _check_sterile_meal(data)
        return date_shelf_life(data.to_inputs())


async def _check_against_the_category_table(db: Db, data: ShelfLifeEstimateRequest) -> None:
    # The same 422s a product gets (SPEC §3.2), so a preview never dates a product that could
    # not be registered.
    legal_max = await legal_max_dose_kgy(db, data.category, data.purpose)
    # A measured minimum above the legal maximum means the maximum is above it too: such a
    # treatment is non-conforming and can never be released, so it has no date to preview.
    check_annex_limit(
        data.category, data.purpose, data.dose_min_kgy, legal_max, dose_name="minimum dose"
    )


def _check_sterile_meal(data: ShelfLifeEstimateRequest) -> None:
    # The product rules of a sterile meal that the preview body carries. A measured dose below
    # 45 kGy is not refused: the model itself then withholds the sterile date (see model.py).
    if data.category == p.STERILE_CATEGORY:
        check_sterile_meal(
            packaging=data.packaging, validated_shelf_life_days=data.validated_shelf_life_days
        )
