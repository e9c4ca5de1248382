"""The whole life of a batch in real headless Chromium, four people in four browser contexts, in
Bahasa Indonesia, with and without JavaScript: the producer registers, a QA officer receives it
and records a treatment with three dosimeter rows (the dose figures the form shows are the
stored ones), is refused the release by the four-eyes rule, a second QA officer releases, the
producer issues labels, the regulator finds the batch by lot, exports the CSV and recalls it,
and the public page of its label says recalled. Also: a non-conforming treatment recorded with
its warning and refused release, and another facility's operator seeing the 404 page. The
facility's pages are checked by axe-core and photographed at 390 and 1366 px."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from schemas.batches import JAKARTA
from tests.browser.test_console_desk import SHOTS, Desk, _signed_in
from tests.integration.batch_steps import chicken
from tests.integration.world import World

pytestmark = pytest.mark.browser


async def _product(server_url: str, world: World) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server_url) as api:
        answer = await api.post("/api/v1/products", json=chicken(), headers=world.producer.headers)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def _api_record(server_url: str, world: World, batch_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server_url) as api:
        answer = await api.get(f"/api/v1/batches/{batch_id}", headers=world.regulator.headers)
    return dict(answer.json())


def _local(moment: datetime) -> str:
    return moment.astimezone(JAKARTA).strftime("%Y-%m-%dT%H:%M")


async def _register(desk: Desk, server_url: str, product_id: str, world: World, lot: str) -> str:
    page = desk.page
    await desk.goto("/app/batches/new", server_url)
    await page.select_option("#product_id", product_id)
    await page.select_option("#facility_id", str(world.facility))
    await page.fill("#lot", lot)
    # made yesterday: a receipt a few hours ago never comes before it, whatever the hour
    made_on = datetime.now(JAKARTA).date() - timedelta(days=1)
    await page.fill("#production_date", made_on.isoformat())
    await page.fill("#quantity", "120")
    await page.click("main button[type=submit]")
    path = urlsplit(page.url).path
    assert re.fullmatch(r"/app/batches/[0-9a-f-]{36}", path), page.url
    return path.rsplit("/", 1)[1]


async def _receive_and_treat(
    desk: Desk,
    server_url: str,
    batch_id: str,
    doses: list[str],
    *,
    js: bool,
    shots: bool = False,
) -> dict[str, str]:
    """Receipt from the incoming queue, then the treatment form; returns the figures shown."""
    page = desk.page
    await desk.goto("/app/incoming", server_url)
    if shots:
        await desk.check("incoming")
    await page.click(f"a[href='/app/batches/{batch_id}/receipt']")
    if shots:
        await desk.check("receipt")
    await page.fill("#quantity_received", "")
    await page.click("main form button[type=submit]")
    assert await page.locator("#quantity_received-error").count() == 1
    if shots:
        await desk.check("receipt-error")
    await page.fill("#quantity_received", "120")
    await page.fill("#condition", "baik, beku")
    await page.fill("#received_at", _local(datetime.now(JAKARTA) - timedelta(hours=3)))
    await page.click("main form button[type=submit]")
    assert urlsplit(page.url).path == f"/app/batches/{batch_id}"
    await page.click(f"a[href='/app/batches/{batch_id}/treatment']")
    ended = datetime.now(JAKARTA) - timedelta(minutes=5)
    await page.fill("#run_id", "RUN-2611-07")
    await page.fill("#started_at", _local(ended - timedelta(hours=2)))
    await page.fill("#ended_at", _local(ended))
    await page.fill("#passes", "2")
    await page.fill("#product_temp_c", "-18")
    for row, dose in enumerate(doses):
        await page.fill(f"#dosimeter_id-{row}", f"AM-{row + 1}")
        await page.fill(f"#dosimeter_type-{row}", "Amber PMMA")
        await page.fill(f"#dose_kgy-{row}", dose)
    if js:
        # htmx posts the form as it changes and swaps in the figures
        await page.locator("#dose-min").wait_for(timeout=10_000)
    else:
        await page.click("button[name=action][value=check]")
        await page.locator("#dose-min").wait_for()
    figures = {
        name: (await page.locator(f"#{name}").inner_text()).strip()
        for name in ("dose-min", "dose-max", "dur")
    }
    figures["conformity"] = (await page.locator("#conformity").inner_text()).strip()
    if shots:
        await desk.check("treatment")
    await page.click("button[name=action][value=save]")
    summary = page.locator(".error-summary")
    assert await summary.count() == 0, await summary.inner_text()
    assert urlsplit(page.url).path == f"/app/batches/{batch_id}"
    return figures


async def _post_from_page(desk: Desk, path: str) -> tuple[int, str]:
    """A POST as the page's own form would send it (with its CSRF token), for an action the
    page does not offer to this user: what the server answers is the point."""
    token = await desk.page.locator("input[name=_csrf_token]").first.input_value()
    answer = await desk.page.request.post(
        desk.page.url.split("/app/")[0] + path, form={"_csrf_token": token}
    )
    return answer.status, await answer.text()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
async def test_four_people_take_a_batch_through_its_life(browser, server_url, pool, world, js):  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    tag = "js" if js else "nojs"
    product = await _product(server_url, world)
    producer = await _signed_in(browser, server_url, pool, world.producer, f"producer-{tag}", js=js)
    recorder = await _signed_in(browser, server_url, pool, world.qa, f"facility-{tag}", js=js)
    releaser = await _signed_in(browser, server_url, pool, world.second_qa, f"qa-{tag}", js=js)
    regulator = await _signed_in(
        browser, server_url, pool, world.regulator, f"regulator-{tag}", js=js
    )
    lot = f"J{tag.upper()}-{world.tag}"

    batch_id = await _register(producer, server_url, product["id"], world, lot)
    figures = await _receive_and_treat(
        recorder, server_url, batch_id, ["2,2", "2,75", "2,4"], js=js, shots=js
    )
    record = await _api_record(server_url, world, batch_id)
    treatment = record["treatment"]
    assert len(treatment["dosimeters"]) == 3
    assert (treatment["dose_min_kgy"], treatment["dose_max_kgy"]) == (2.2, 2.75)
    # the live figures are the stored ones, as the console writes numbers in Indonesian
    assert figures["dose-min"] == "2,2 kGy" and figures["dose-max"] == "2,75 kGy"
    assert figures["dur"] == "1,25" and treatment["dur"] == pytest.approx(1.25)
    assert figures["conformity"].startswith("Memenuhi syarat (MS)")

    # the recorder is not offered the release, and the server refuses it with the rule's words
    await recorder.goto(f"/app/batches/{batch_id}", server_url)
    assert (
        await recorder.page.locator(f"form[action='/app/batches/{batch_id}/release']").count() == 0
    )
    status, body = await _post_from_page(recorder, f"/app/batches/{batch_id}/release")
    assert status == 403
    assert "tidak boleh orang yang mencatat iradiasinya" in body

    page = releaser.page
    await releaser.goto("/app/review", server_url)
    if js:
        await releaser.check("review")
    await page.click(f"a[href='/app/batches/{batch_id}#actions-title']")
    if js:
        await releaser.check("batch-treated")
    await page.click(f"a[href='/app/batches/{batch_id}/release']")
    if js:
        await releaser.check("release-check")
    assert await page.locator("#release-best-before").count() == 1
    await page.click(f"form[action='/app/batches/{batch_id}/release'] button")
    assert "diluluskan" in (await page.locator(".flash-success").inner_text()).lower()

    page = producer.page
    await producer.goto(f"/app/batches/{batch_id}", server_url)
    await page.fill("#count", "5")
    await page.click(f"form[action='/app/batches/{batch_id}/labels'] button")
    assert await page.locator(".flash-success").count() == 1
    csv = await page.request.get(server_url + f"/api/v1/batches/{batch_id}/labels.csv")
    serials = (await csv.text()).splitlines()
    label_uri = next(c for c in serials[1].split(",") if c.startswith("https://"))

    page = regulator.page
    await regulator.goto("/app/batches", server_url)
    await page.fill("#q", lot)
    await page.click("form.search button[type=submit]")
    await page.click(f"a[href='/app/batches/{batch_id}']")
    export = await page.request.get(server_url + "/api/v1/exports/batches.csv")
    assert export.status == 200 and lot in await export.text()
    await page.click(f"a[href='/app/batches/{batch_id}/recall']")
    await page.fill("#reason", "Inspeksi BPOM: suhu penyimpanan tidak sesuai")
    await page.click("main button[type=submit]")
    assert (await _api_record(server_url, world, batch_id))["status"] == "recalled"

    public = await browser.new_context(locale="id-ID", java_script_enabled=js)
    shopper = await public.new_page()
    parts = urlsplit(label_uri)
    # a GS1 label's scan lands on /label/01/… (the resolver redirects to the public base URL)
    label_page = ("/label" if parts.path.startswith("/01/") else "") + parts.path
    await shopper.goto(f"{server_url}{label_page}?{parts.query}")
    assert "Ditarik" in await shopper.locator("main").inner_text()
    await public.close()
    problems = producer.problems + recorder.problems + releaser.problems + regulator.problems
    assert not problems, "\n".join(problems)


async def test_nonconforming_treatment_is_recorded_and_refused_release(  # type: ignore[no-untyped-def]
    browser, server_url, pool, world
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    product = await _product(server_url, world)
    producer = await _signed_in(browser, server_url, pool, world.producer, "producer-nc")
    recorder = await _signed_in(browser, server_url, pool, world.operator, "operator-nc")
    batch_id = await _register(producer, server_url, product["id"], world, f"NC-{world.tag}")
    figures = await _receive_and_treat(recorder, server_url, batch_id, ["1,2", "2,4"], js=True)
    assert figures["conformity"].startswith("Tidak memenuhi syarat (TMS)")
    assert "di bawah dosis serap minimum" in figures["conformity"]
    assert await recorder.page.locator(".flash-warning").count() == 1
    await recorder.check("batch-nonconforming")
    record = await _api_record(server_url, world, batch_id)
    assert record["treatment"]["conforming"] is False

    qa = await _signed_in(browser, server_url, pool, world.second_qa, "qa-nc")
    await qa.goto(f"/app/batches/{batch_id}", server_url)
    assert await qa.page.locator(f"form[action='/app/batches/{batch_id}/release']").count() == 0
    status, body = await _post_from_page(qa, f"/app/batches/{batch_id}/release")
    assert status == 422
    assert "tidak dapat diluluskan; tolak bets ini" in body
    await qa.goto(f"/app/batches/{batch_id}/reject", server_url)
    await qa.page.click("main button[type=submit]")
    assert await qa.page.locator("#reason-error").count() == 1
    await qa.check("reject-error")
    await qa.page.fill("#reason", "D_min di bawah dosis minimum produk")
    await qa.page.click("main button[type=submit]")
    assert (await _api_record(server_url, world, batch_id))["status"] == "rejected"

    stranger = await _signed_in(browser, server_url, pool, world.other_operator, "stranger")
    assert await stranger.goto(f"/app/batches/{batch_id}", server_url) == 404
    assert await stranger.goto(f"/app/batches/{batch_id}/treatment", server_url) == 404
    await stranger.check("not-found")
    problems = producer.problems + recorder.problems + qa.problems + stranger.problems
    assert not problems, "\n".join(problems)
