"""Hypothesis over the facility's console forms: receipt, treatment (its "check", "one more
row" and save submits, and the htmx dose fragment) and reject. Whatever is posted, the answer is
a page or a redirect, never a 500; each example breaks a valid form (see the desk's form pass)."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient

from tests.integration.batch_steps import batch_in
from tests.integration.console import Browser, post_form, signed_in
from tests.integration.test_console_desk_fuzz import SETTINGS, broken, form_text
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")

TREATMENT = {
    "run_id": "RUN-1",
    "started_at": "2026-11-27T08:00",
    "ended_at": "2026-11-27T10:00",
    "passes": "2",
    "dwell_time_s": "",
    "conveyor_speed_m_min": "1,5",
    "product_temp_c": "-18",
    "atmosphere": "udara",
    "pq_ref": "PQ-1",
    "dose_map_id": "",
}
ROW = {"dosimeter_id": "AM-1", "dosimeter_type": "PMMA", "position": "min", "dose_kgy": "2,2"}


async def _qa(client: AsyncTestClient, pool: asyncpg.Pool, world: World) -> Browser:
    """One signed-in QA officer per test, kept across Hypothesis's examples."""
    if "_facility_qa" not in world.__dict__:
        world.__dict__["_facility_qa"] = await signed_in(client, pool, world.qa.id)
    browser: Browser = world.__dict__["_facility_qa"]
    return browser


async def _batch(client: AsyncTestClient, world: World, status: str) -> str:
    key = f"_facility_{status}"
    if key not in world.__dict__:
        world.__dict__[key] = await batch_in(client, world, status)
    batch_id: str = world.__dict__[key]
    return batch_id


@given(data=st.data())
@SETTINGS
async def test_treatment_form_never_answers_500(client, pool, world: World, data):  # type: ignore[no-untyped-def]
    qa = await _qa(client, pool, world)
    batch_id = await _batch(client, world, "received")
    token = await qa.csrf_token("/app/")
    scalars = data.draw(broken(TREATMENT | {"irradiator_id": str(world.irradiator)}))
    rows = [data.draw(broken(ROW)) for _ in range(data.draw(st.integers(0, 3)))]
    form: dict[str, Any] = dict(scalars)
    for name in ROW:
        form[name] = [row.get(name, "") for row in rows]
    form["action"] = data.draw(st.sampled_from(["check", "row", "save", "", "x"]))
    await post_form(qa, token, f"/app/batches/{batch_id}/treatment", form)
    await post_form(qa, token, f"/app/batches/{batch_id}/treatment/doses", form)


@given(data=st.data())
@SETTINGS
async def test_receipt_and_reject_forms_never_answer_500(client, pool, world: World, data):  # type: ignore[no-untyped-def]
    qa = await _qa(client, pool, world)
    token = await qa.csrf_token("/app/")
    receipt = data.draw(
        broken({"quantity_received": "120", "condition": "baik", "notes": "",
                "received_at": "2026-11-27T07:00"})
    )  # fmt: skip
    await post_form(
        qa, token, f"/app/batches/{await _batch(client, world, 'registered')}/receipt", receipt
    )
    reason = {"reason": data.draw(form_text)}
    await post_form(
        qa, token, f"/app/batches/{await _batch(client, world, 'treated')}/reject", reason
    )
    await post_form(qa, token, f"/app/batches/{await _batch(client, world, 'treated')}/release", {})
