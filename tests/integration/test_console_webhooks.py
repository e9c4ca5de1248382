"""The console's webhook pages: the form posted empty, wrong and right, the secret shown once,
the delivery log, deleting, and who may see them."""

from __future__ import annotations

import asyncio
import re

import asyncpg
import pytest

from tests.integration.batch_steps import batch_in
from tests.integration.console import signed_in
from tests.integration.webhook_steps import until_received, verified
from tests.integration.world import World
from tests.webhook_receiver import running_receiver

pytestmark = pytest.mark.asyncio(loop_scope="session")

_ENDPOINT_LINK = re.compile(r'href="/app/webhooks/([0-9a-f-]{36})"')


def _endpoint_id(page: str) -> str:
    match = _ENDPOINT_LINK.search(page)
    assert match, "no endpoint on the page"
    return match.group(1)


async def test_the_form_posted_empty_wrong_and_right(client, pool: asyncpg.Pool, world: World):
    browser = await signed_in(client, pool, world.producer.id)
    listing = await browser.get("/app/webhooks")
    assert listing.status_code == 200 and "Belum ada endpoint." in listing.text
    empty = await browser.submit("/app/webhooks/new", {"url": ""})
    assert empty.status_code == 422
    assert "Pilih sedikitnya satu peristiwa." in empty.text
    assert "Masukkan alamat lengkap" in empty.text
    wrong = await browser.submit(
        "/app/webhooks/new", {"url": "ftp://contoh.co.id/x", "events": ["batch.released"]}
    )
    assert wrong.status_code == 422
    assert "Alamat harus diawali https://." in wrong.text
    assert 'value="ftp://contoh.co.id/x"' in wrong.text  # input kept
    with running_receiver() as receiver:
        right = await browser.submit(
            "/app/webhooks/new",
            {"url": receiver.url, "events": ["batch.released", "batch.recalled"]},
            form_page="/app/webhooks/new",
        )
        assert right.status_code == 200, right.text
        [secret] = [
            part.split('"')[0] for part in right.text.split('value="')[1:] if "whsec_" in part
        ]
        batch_id = await batch_in(client, world, "released")
        [received] = await until_received(receiver, batch_id, 1)
        assert verified(secret, received)["data"]["batch_id"] == batch_id
        listing = await browser.get("/app/webhooks")
        assert receiver.url in listing.text and "whsec_" not in listing.text
        endpoint_id = _endpoint_id(listing.text)
        for _ in range(50):  # the receiver has it; the worker records the attempt next
            log = await browser.get(f"/app/webhooks/{endpoint_id}")
            if "Terkirim" in log.text:
                break
            await asyncio.sleep(0.1)
        assert log.status_code == 200
        assert "Bets diluluskan" in log.text and "Terkirim" in log.text and "HTTP 204" in log.text
        confirm = await browser.get(f"/app/webhooks/{endpoint_id}/delete")
        assert confirm.status_code == 200
        deleted = await browser.submit(
            f"/app/webhooks/{endpoint_id}/delete",
            {},
            form_page=f"/app/webhooks/{endpoint_id}/delete",
        )
        assert deleted.status_code == 303
        assert receiver.url not in (await browser.get("/app/webhooks")).text


async def test_another_organization_and_other_roles_cannot_see_them(
    client, pool: asyncpg.Pool, world: World
):
    owner = await signed_in(client, pool, world.producer.id)
    other = await signed_in(client, pool, world.other_producer.id)
    operator = await signed_in(client, pool, world.operator.id)
    with running_receiver() as receiver:
        created = await owner.submit(
            "/app/webhooks/new", {"url": receiver.url, "events": ["batch.rejected"]}
        )
        assert created.status_code == 200
    endpoint_id = _endpoint_id((await owner.get("/app/webhooks")).text)
    assert (await other.get(f"/app/webhooks/{endpoint_id}")).status_code == 404
    assert (await other.get(f"/app/webhooks/{endpoint_id}/delete")).status_code == 404
    assert (await operator.get("/app/webhooks")).status_code == 403
    assert 'href="/app/webhooks"' not in (await operator.get("/app/")).text
