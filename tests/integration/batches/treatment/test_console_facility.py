"""Facility pages over plain HTTP with a cookie jar: the incoming queue, the receipt and treatment
forms posted empty, wrong and right (with the "one more row" and "check" submits and the htmx
dose fragment), the QA queue, release refused to the recorder and for a non-conforming treatment,
reject with a reason, and another facility's batch as the 404 page."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from schemas.batches import JAKARTA
from tests.integration.batch_steps import batch_in, chicken, create_product, register
from tests.integration.batches.products.test_console_products import (
    english,
    field_error,
    input_value,
)
from tests.integration.console import Browser, signed_in
from tests.integration.test_dose_maps import dose_map_body
from tests.integration.world import World


async def _browser(client: AsyncTestClient, pool: asyncpg.Pool, user_id: Any) -> Browser:
    browser = await signed_in(client, pool, user_id)
    await english(browser)
    return browser


@pytest.fixture
async def operator(client: AsyncTestClient, pool: asyncpg.Pool, world: World) -> Browser:
    return await _browser(client, pool, world.operator.id)


@pytest.fixture
async def qa(client: AsyncTestClient, pool: asyncpg.Pool, world: World) -> Browser:
    return await _browser(client, pool, world.qa.id)


async def _status(client: AsyncTestClient, world: World, batch_id: str) -> str:
    answer = await client.get(f"/api/v1/batches/{batch_id}", headers=world.producer.headers)
    status: str = answer.json()["status"]
    return status


def _local(moment: datetime) -> str:
    """A `datetime-local` value as the facility's PC sends it: Jakarta time, no offset."""
    return moment.astimezone(JAKARTA).strftime("%Y-%m-%dT%H:%M")


def treatment_form(world: World, doses: list[tuple[str, str]], **changes: Any) -> dict[str, Any]:
    """The treatment form filled in: one dosimeter row per (position, dose as typed)."""
    ended = datetime.now(JAKARTA) - timedelta(minutes=10)
    return {
        "irradiator_id": str(world.irradiator),
        "run_id": f"RUN-{world.tag}",
        "started_at": _local(ended - timedelta(hours=2)),
        "ended_at": _local(ended),
        "passes": "2",
        "product_temp_c": "-18",
        "atmosphere": "udara",
        "pq_ref": "PQ-2026-01",
        "dosimeter_id": [f"AM-{i}" for i in range(len(doses))],
        "dosimeter_type": ["Amber PMMA"] * len(doses),
        "position": [p for p, _ in doses],
        "dose_kgy": [d for _, d in doses],
        "calibration_ref": ["CAL-2026-03"] * len(doses),
        "action": "save",
    } | changes


def row_value(page: str, name: str, row: int) -> str:
    """What row `row`'s input of the repeated field `name` holds."""
    match = re.search(rf'<input id="{name}-{row}" name="{name}"[^>]*value="([^"]*)"', page)
    assert match, f"no input {name} in row {row}"
    return html.unescape(match.group(1))


def figure(page: str, name: str) -> str:
    match = re.search(rf'<dd id="{name}">([^<]*)</dd>', page)
    return html.unescape(match.group(1)) if match else ""


async def _received(client: AsyncTestClient, world: World) -> str:
    return await batch_in(client, world, "received")


# --- queues ---------------------------------------------------------------------------------


async def test_incoming_queue_lists_this_facilitys_registered_batches_oldest_first(
    client: AsyncTestClient, operator: Browser, pool: asyncpg.Pool, world: World
) -> None:
    product = await create_product(client, world.producer, chicken())
    first = (await register(client, world, product["id"], lot=f"A-{world.tag}"))["id"]
    second = (await register(client, world, product["id"], lot=f"B-{world.tag}"))["id"]
    await pool.execute(
        "UPDATE batches SET created_at = now() - interval '3 days' WHERE id = $1", first
    )
    elsewhere = (
        await register(
            client,
            world,
            product["id"],
            lot=f"C-{world.tag}",
            facility_id=str(world.other_facility),
        )
    )["id"]
    answer = await operator.get("/app/incoming")
    assert answer.status_code == 200
    assert answer.text.index(first) < answer.text.index(second)
    assert elsewhere not in answer.text
    row = answer.text[answer.text.index(first) : answer.text.index(second)]
    assert f"Rendang Uni {world.tag}" in row  # the producer
    assert '<td data-label="Days waiting">3</td>' in row
    assert "120 pieces" in row.replace("&nbsp;", " ")


async def test_review_queue_shows_treated_batches_and_who_recorded_them(
    client: AsyncTestClient, qa: Browser, world: World
) -> None:
    treated = await batch_in(client, world, "treated")
    received = await batch_in(client, world, "received")
    answer = await qa.get("/app/review")
    assert answer.status_code == 200
    assert treated in answer.text and received not in answer.text
    assert f"Operator {world.tag}" in answer.text


async def test_queues_are_for_facility_staff(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, operator: Browser
) -> None:
    producer = await _browser(client, pool, world.producer.id)
    assert (await producer.get("/app/incoming")).status_code == 403
    assert (await producer.get("/app/review")).status_code == 403
    assert (await operator.get("/app/review")).status_code == 403  # QA's queue


# --- receipt --------------------------------------------------------------------------------


async def test_receipt_form_empty_wrong_and_right(
    client: AsyncTestClient, operator: Browser, world: World
) -> None:
    batch_id = await batch_in(client, world, "registered")
    path = f"/app/batches/{batch_id}/receipt"
    form_page = await operator.get(path)
    assert input_value(form_page.text, "quantity_received") == "120"
    answer = await operator.submit(path, {"quantity_received": ""})
    assert answer.status_code == 400
    assert field_error(answer.text, "quantity_received") == "This field is required."
    answer = await operator.submit(path, {"quantity_received": "banyak", "condition": "baik"})
    assert answer.status_code == 400
    assert field_error(answer.text, "quantity_received") == "Enter a number, such as 2,5."
    assert input_value(answer.text, "condition") == "baik"
    tomorrow = _local(datetime.now(JAKARTA) + timedelta(days=1))
    answer = await operator.submit(path, {"quantity_received": "119,5", "received_at": tomorrow})
    assert field_error(answer.text, "received_at") == "The time must not be in the future."
    answer = await operator.submit(path, {"quantity_received": "119,5", "condition": "beku"})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/app/batches/{batch_id}"
    assert await _status(client, world, batch_id) == "received"
    record = (
        await client.get(f"/api/v1/batches/{batch_id}", headers=world.operator.headers)
    ).json()
    assert record["receipt"]["quantity_received"] == 119.5
    # a second receipt: the 409 page, not a 500
    assert (
        await operator.submit(
            path, {"quantity_received": "1"}, form_page=f"/app/batches/{batch_id}"
        )
    ).status_code == 409


# --- treatment ------------------------------------------------------------------------------


async def test_treatment_posted_empty_names_every_required_field(
    client: AsyncTestClient, operator: Browser, world: World
) -> None:
    batch_id = await _received(client, world)
    answer = await operator.submit(f"/app/batches/{batch_id}/treatment", {"action": "save"})
    assert answer.status_code == 400
    for field in ("run_id", "started_at", "ended_at"):
        assert field_error(answer.text, field) == "This field is required.", field
    assert field_error(answer.text, "dosimeters") == "Enter at least two dosimeter readings."
    assert await _status(client, world, batch_id) == "received"


async def test_treatment_with_wrong_values_names_the_row_and_keeps_the_input(
    client: AsyncTestClient, operator: Browser, world: World
) -> None:
    batch_id = await _received(client, world)
    form = treatment_form(world, [("min", "2,2"), ("max", "-1"), ("somewhere", "2,5")])
    form["ended_at"] = form["started_at"]
    answer = await operator.submit(f"/app/batches/{batch_id}/treatment", form)
    assert answer.status_code == 400
    assert field_error(answer.text, "dose_kgy-1") == "Enter a value of at least 0.001."
    assert field_error(answer.text, "position-2") == "Choose one of the options."
    assert row_value(answer.text, "dose_kgy", 0) == "2,2"
    # the cross-field rule of the API's schema, once the rows are right
    form = treatment_form(world, [("min", "2,2"), ("max", "2,6")])
    form["ended_at"] = form["started_at"]
    answer = await operator.submit(f"/app/batches/{batch_id}/treatment", form)
    assert field_error(answer.text, "ended_at") == "The end must be after the start."
    # another facility's irradiator is an unknown option (422), never recorded
    form = treatment_form(world, [("min", "2,2"), ("max", "2,6")])
    form["irradiator_id"] = str(world.other_irradiator)
    answer = await operator.submit(f"/app/batches/{batch_id}/treatment", form)
    assert answer.status_code == 422
    assert field_error(answer.text, "irradiator_id") == "Choose one of the options."
    # two reference readings without a dose map say nothing about the extremes
    form = treatment_form(world, [("reference", "2,2"), ("reference", "2,6")])
    answer = await operator.submit(f"/app/batches/{batch_id}/treatment", form)
    assert answer.status_code == 422
    assert field_error(answer.text, "dosimeters").startswith("Add a reading at a min")
    assert await _status(client, world, batch_id) == "received"


async def test_one_more_row_without_javascript_adds_an_empty_row_and_saves_nothing(
    client: AsyncTestClient, operator: Browser, world: World
) -> None:
    batch_id = await _received(client, world)
    form_page = await operator.get(f"/app/batches/{batch_id}/treatment")
    assert form_page.text.count('name="dose_kgy"') == 3
    form = treatment_form(world, [("min", "2,2"), ("max", "2,6"), ("reference", "2,4")])
    answer = await operator.submit(f"/app/batches/{batch_id}/treatment", form | {"action": "row"})
    assert answer.status_code == 200
    assert answer.text.count('name="dose_kgy"') == 4
    assert row_value(answer.text, "dose_kgy", 2) == "2,4"
    assert input_value(answer.text, "run_id") == f"RUN-{world.tag}"
    assert await _status(client, world, batch_id) == "received"
    # a row with only its preset position is unused: kept on the page, left out of the record
    form = treatment_form(world, [("min", "2,2"), ("max", "2,6"), ("reference", "")])
    form["dosimeter_id"][2] = form["dosimeter_type"][2] = form["calibration_ref"][2] = ""
    answer = await operator.submit(f"/app/batches/{batch_id}/treatment", form | {"action": "row"})
    assert answer.text.count('name="dose_kgy"') == 4
    saved = await operator.submit(f"/app/batches/{batch_id}/treatment", form)
    assert saved.status_code == 303
    record = (
        await client.get(f"/api/v1/batches/{batch_id}", headers=world.operator.headers)
    ).json()
    assert len(record["treatment"]["dosimeters"]) == 2


async def test_check_and_htmx_fragment_show_the_apis_dose_figures(
    client: AsyncTestClient, operator: Browser, world: World
) -> None:
    batch_id = await _received(client, world)
    form = treatment_form(world, [("min", "2,2"), ("max", "2,75"), ("reference", "2,4")])
    checked = await operator.submit(
        f"/app/batches/{batch_id}/treatment", form | {"action": "check"}
    )
    assert checked.status_code == 200
    assert figure(checked.text, "dose-min") == "2.2 kGy"
    assert figure(checked.text, "dose-max") == "2.75 kGy"
    assert figure(checked.text, "dur") == "1.25"
    assert figure(checked.text, "product-min") == "1.5 kGy"
    assert figure(checked.text, "legal-max") == "3 kGy"
    assert 'id="conformity">Conforms' in checked.text
    fragment = await operator.submit(
        f"/app/batches/{batch_id}/treatment/doses",
        form,
        form_page=f"/app/batches/{batch_id}/treatment",
    )
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="doses"')
    assert figure(fragment.text, "dose-min") == "2.2 kGy"
    assert await _status(client, world, batch_id) == "received"
    # the recorded treatment carries the figures the form showed
    saved = await operator.submit(f"/app/batches/{batch_id}/treatment", form)
    assert saved.status_code == 303
    record = (
        await client.get(f"/api/v1/batches/{batch_id}", headers=world.operator.headers)
    ).json()
    treatment = record["treatment"]
    assert (treatment["dose_min_kgy"], treatment["dose_max_kgy"]) == (2.2, 2.75)
    assert treatment["dur"] == pytest.approx(1.25)
    assert [d["position"] for d in treatment["dosimeters"]] == ["min", "max", "reference"]
    assert treatment["product_temp_c"] == -18 and treatment["pq_ref"] == "PQ-2026-01"
    page = await operator.get(f"/app/batches/{batch_id}")
    assert "Treatment recorded; it conforms." in page.text


async def test_the_live_dose_check_says_what_saving_would_say(
    client: AsyncTestClient, operator: Browser, world: World
) -> None:
    """One reference reading on a dose map gives doses, but a treatment needs two readings: the
    live check says so before saving (it used to say the treatment could be recorded), and the
    save answers the same."""
    created = await client.post(
        f"/api/v1/irradiators/{world.irradiator}/dose-maps",
        json=dose_map_body(),
        headers=world.qa.headers,
    )
    assert created.status_code == 201, created.text
    batch_id = await _received(client, world)
    form = treatment_form(world, [("reference", "1,2")], dose_map_id=created.json()["id"])
    fragment = await operator.submit(
        f"/app/batches/{batch_id}/treatment/doses",
        form,
        form_page=f"/app/batches/{batch_id}/treatment",
    )
    assert fragment.status_code == 200
    assert figure(fragment.text, "dose-min") == "1.08 kGy"  # 1.2 × the map's 0.9
    assert "Does not conform." in fragment.text
    assert "It can still be recorded" not in fragment.text
    check = html.unescape(fragment.text)
    assert 'id="save-check"' in check
    assert "Dosimeters: Enter at least two dosimeter readings." in check
    saved = await operator.submit(f"/app/batches/{batch_id}/treatment", form)
    assert saved.status_code == 400
    assert field_error(saved.text, "dosimeters") == "Enter at least two dosimeter readings."
    assert "It can still be recorded" not in saved.text
    # the "Check the doses" button of a page without JavaScript answers the same
    checked = await operator.submit(
        f"/app/batches/{batch_id}/treatment", form | {"action": "check"}
    )
    assert checked.status_code == 200
    assert "Dosimeters: Enter at least two dosimeter readings." in html.unescape(checked.text)
    # two readings: the check has nothing to say against saving, and the save records it
    form = treatment_form(
        world, [("reference", "1,2"), ("reference", "1,25")], dose_map_id=created.json()["id"]
    )
    fragment = await operator.submit(
        f"/app/batches/{batch_id}/treatment/doses",
        form,
        form_page=f"/app/batches/{batch_id}/treatment",
    )
    assert 'id="save-check"' not in fragment.text
    assert "It can still be recorded, but QA cannot release the batch." in fragment.text
    saved = await operator.submit(f"/app/batches/{batch_id}/treatment", form)
    assert saved.status_code == 303
    assert await _status(client, world, batch_id) == "treated"


async def test_a_treatment_with_several_problems_shows_them_all_after_one_submit(
    client: AsyncTestClient, operator: Browser, world: World
) -> None:
    batch_id = await _received(client, world)
    form = treatment_form(world, [("min", "2,2"), ("max", "-1")], run_id="")
    form["ended_at"] = form["started_at"]
    answer = await operator.submit(f"/app/batches/{batch_id}/treatment", form)
    assert answer.status_code == 400
    assert field_error(answer.text, "run_id") == "This field is required."
    assert field_error(answer.text, "ended_at") == "The end must be after the start."
    assert field_error(answer.text, "dose_kgy-1") == "Enter a value of at least 0.001."
    # the error summary names each field as the form does
    assert "Dosimeter 2, Dose (kGy): Enter a value of at least 0.001." in answer.text


async def test_nonconforming_treatment_is_recorded_with_a_warning_and_cannot_be_released(
    client: AsyncTestClient, operator: Browser, qa: Browser, world: World
) -> None:
    batch_id = await _received(client, world)
    form = treatment_form(world, [("min", "1,2"), ("max", "2,4")])
    checked = await operator.submit(
        f"/app/batches/{batch_id}/treatment", form | {"action": "check"}
    )
    assert "Does not conform." in checked.text
    assert "D_min is below the product's validated minimum dose" in html.unescape(checked.text)
    saved = await operator.submit(f"/app/batches/{batch_id}/treatment", form)
    assert saved.status_code == 303
    page = await operator.get(f"/app/batches/{batch_id}")
    assert "it does NOT conform" in page.text and "Not conforming" in page.text
    assert await _status(client, world, batch_id) == "treated"
    qa_page = await qa.get(f"/app/batches/{batch_id}")
    assert "/app/products/" not in qa_page.text  # the product page is the producer's (403)
    assert f"/app/batches/{batch_id}/release" not in qa_page.text  # not offered
    assert f"/app/batches/{batch_id}/reject" in qa_page.text
    refused = await qa.submit(
        f"/app/batches/{batch_id}/release", {}, form_page=f"/app/batches/{batch_id}"
    )
    assert refused.status_code == 422
    assert (
        "A batch whose treatment does not conform cannot be released; reject it."
        in html.unescape(refused.text)
    )
    assert '<p class="status-code">Refused by a rule</p>' in refused.text
    assert await _status(client, world, batch_id) == "treated"


# --- QA decision ----------------------------------------------------------------------------


async def test_release_is_refused_to_the_recorder_and_done_by_a_second_officer(
    client: AsyncTestClient, pool: asyncpg.Pool, qa: Browser, world: World
) -> None:
    batch_id = await _received(client, world)
    saved = await qa.submit(
        f"/app/batches/{batch_id}/treatment",
        treatment_form(world, [("min", "2,2"), ("max", "2,6")]),
    )
    assert saved.status_code == 303
    own = await qa.get(f"/app/batches/{batch_id}")
    assert f'action="/app/batches/{batch_id}/release"' not in own.text
    refused = await qa.submit(
        f"/app/batches/{batch_id}/release", {}, form_page=f"/app/batches/{batch_id}"
    )
    assert refused.status_code == 403
    assert (
        "The QA officer who decides on a batch must not be the one who recorded its treatment."
        in refused.text
    )
    assert '<p class="status-code">Access denied</p>' in refused.text
    second = await _browser(client, pool, world.second_qa.id)
    offered = await second.get(f"/app/batches/{batch_id}")
    assert f'href="/app/batches/{batch_id}/release"' in offered.text
    released = await second.submit(
        f"/app/batches/{batch_id}/release", {}, form_page=f"/app/batches/{batch_id}"
    )
    assert released.status_code == 303
    assert await _status(client, world, batch_id) == "released"
    # the batch page offers the certificate, which the session cookie fetches
    page = await second.get(f"/app/batches/{batch_id}")
    assert f'href="/api/v1/batches/{batch_id}/certificate.pdf"' in page.text
    certificate = await second.get(f"/api/v1/batches/{batch_id}/certificate.pdf")
    assert certificate.status_code == 200 and certificate.content.startswith(b"%PDF")
    again = await second.submit(
        f"/app/batches/{batch_id}/release", {}, form_page=f"/app/batches/{batch_id}"
    )
    assert again.status_code == 409


async def test_the_officer_who_recorded_the_treatment_is_offered_neither_release_nor_reject(
    client: AsyncTestClient, pool: asyncpg.Pool, qa: Browser, world: World
) -> None:
    """Four eyes holds for reject as for release: the recorder is offered neither (the API would
    refuse both), so no typed reason is lost to a 403; a second officer is offered both."""
    batch_id = await _received(client, world)
    saved = await qa.submit(
        f"/app/batches/{batch_id}/treatment",
        treatment_form(world, [("min", "2,2"), ("max", "2,6")]),
    )
    assert saved.status_code == 303
    own = await qa.get(f"/app/batches/{batch_id}")
    assert f"/app/batches/{batch_id}/release" not in own.text
    assert f"/app/batches/{batch_id}/reject" not in own.text
    reject_page = await qa.get(f"/app/batches/{batch_id}/reject")
    assert "this action is not available now" in reject_page.text
    assert 'name="reason"' not in reject_page.text
    queue = await qa.get("/app/review")
    assert "You recorded it: another QA officer decides." in queue.text
    refused = await qa.submit(
        f"/app/batches/{batch_id}/reject", {"reason": "Dosimeter rusak"}, form_page="/app/"
    )
    assert refused.status_code == 403
    second = await _browser(client, pool, world.second_qa.id)
    offered = await second.get(f"/app/batches/{batch_id}")
    assert f'href="/app/batches/{batch_id}/release"' in offered.text
    assert f'href="/app/batches/{batch_id}/reject"' in offered.text
    assert 'name="reason"' in (await second.get(f"/app/batches/{batch_id}/reject")).text
    assert await _status(client, world, batch_id) == "treated"


async def test_reject_needs_a_reason(client: AsyncTestClient, qa: Browser, world: World) -> None:
    batch_id = await batch_in(client, world, "treated")
    path = f"/app/batches/{batch_id}/reject"
    assert (await qa.get(path)).status_code == 200
    answer = await qa.submit(path, {"reason": ""})
    assert answer.status_code == 400
    assert field_error(answer.text, "reason") == "Write the reason for the rejection."
    answer = await qa.submit(path, {"reason": "Dosimeter AM-1 rusak"})
    assert answer.status_code == 303
    assert await _status(client, world, batch_id) == "rejected"


# --- tenants and roles ----------------------------------------------------------------------


async def test_another_facilitys_batch_is_the_404_page_everywhere(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, operator: Browser
) -> None:
    stranger = await _browser(client, pool, world.other_operator.id)
    registered = await batch_in(client, world, "registered")
    received = await _received(client, world)
    for path in (
        f"/app/batches/{registered}",
        f"/app/batches/{registered}/receipt",
        f"/app/batches/{received}/treatment",
    ):
        assert (await stranger.get(path)).status_code == 404, path
    answer = await stranger.submit(
        f"/app/batches/{registered}/receipt", {"quantity_received": "1"}, form_page="/app/"
    )
    assert answer.status_code == 404
    answer = await stranger.submit(
        f"/app/batches/{received}/treatment",
        treatment_form(world, [("min", "2,2"), ("max", "2,6")]),
        form_page="/app/",
    )
    assert answer.status_code == 404
    assert await _status(client, world, registered) == "registered"
    # an operator cannot release or reject (QA's decision)
    treated = await batch_in(client, world, "treated")
    answer = await operator.submit(f"/app/batches/{treated}/release", {}, form_page="/app/")
    assert answer.status_code == 403
