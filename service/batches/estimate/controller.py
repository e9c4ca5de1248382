"""POST /api/v1/shelf-life/estimate: the public preview of the date a treatment would give."""

from __future__ import annotations

from litestar import Controller, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from schemas.shelf_life import ShelfLifeEstimateRequest, ShelfLifeResult
from service.batches.estimate.preview import preview_shelf_life
from service.core.db import Db


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
        """Preview the best-before date radura-sl/3 would give a product treated with a measured
        minimum dose (less `expanded_uncertainty_pct`, when given): the same result object a
        released batch carries, with its rules and a Bahasa Indonesia / English explanation.
        Inputs the model will not date are a 422 whose `code` is the first reason and whose
        `errors` list every one with its explanation: `raw_food_requires_chilling`,
        `vacuum_requires_chilling`, `reduced_oxygen_uncontrolled`, `study_not_applicable`, and
        `dose_below_purpose_minimum` when `min_dose_kgy` is given. Public; nothing is stored."""
        return await preview_shelf_life(db, data)
