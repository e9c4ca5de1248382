"""A recall reaches the buyers (SPEC §13.2): each customer that received the batch gets one
notice with what it received (shipments summed, cancelled ones left out), and acknowledges it
with the link's button — never by opening the link."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from collections.abc import Sequence
from uuid import UUID

import asyncpg
import pytest

from service.mail.smtp import Outcome
from service.mail.worker import MailWorker, lease_s
from tests.integration.batches.shipments.shipment_steps import create_customer, recall, shipped
from tests.integration.console import signed_in
from tests.integration.mail.conftest import BASE_URL, Mail, running_worker
from tests.integration.test_labels_market_words import spices_approved_for
from tests.integration.webhook_steps import register_endpoint
from tests.integration.world import World
from tests.webhook_receiver import running_receiver

pytestmark = pytest.mark.asyncio(loop_scope="session")

LINK = re.compile(re.escape(BASE_URL) + r"/r/(\S+)")


def _email(name: str) -> str:
    return f"{name}-{secrets.token_hex(4)}@example.id"


async def _cancel(client, world: World, shipment_id: str) -> None:  # type: ignore[no-untyped-def]
    response = await client.post(
        f"/api/v1/shipments/{shipment_id}/cancel",
        json={"reason": "Salah pelanggan"},
        headers=world.producer.headers,
    )
    assert response.status_code == 200, response.text


async def _shipped_batch(client, world: World) -> tuple[str, dict[str, dict]]:  # type: ignore[no-untyped-def]
    """A released batch of ground pepper shipped to four customers: `twice` (10 + 15 pcs,
    email, Indonesia), `silent` (20 pcs, no email), `export` (a cancelled 30 and a live 5 pcs,
    email, an importer in the US, which admits the pepper) and `cancelled` (only a cancelled
    shipment)."""
    batch_id = await spices_approved_for(client, world, ("US", "fda_registration"))
    customers = {
        "twice": await create_customer(client, world.producer, email=_email("twice")),
        "silent": await create_customer(client, world.producer, email=None),
        "export": await create_customer(
            client,
            world.producer,
            email=_email("export"),
            country="US",
            city="Seattle",
            name="Lim Trading",
        ),
        "cancelled": await create_customer(client, world.producer, email=_email("cancelled")),
    }
    await shipped(client, world.producer, batch_id, customers["twice"]["id"], quantity=10)
    await shipped(client, world.producer, batch_id, customers["twice"]["id"], quantity=15)
    await shipped(client, world.producer, batch_id, customers["silent"]["id"], quantity=20)
    # the importer abroad reads its notice in English
    wrong = await shipped(client, world.producer, batch_id, customers["export"]["id"], quantity=30)
    await _cancel(client, world, wrong["id"])
    await shipped(client, world.producer, batch_id, customers["export"]["id"], quantity=5)
    gone = await shipped(client, world.producer, batch_id, customers["cancelled"]["id"], quantity=7)
    await _cancel(client, world, gone["id"])
    return batch_id, customers


async def test_each_customer_that_received_the_batch_gets_one_notice_of_what_it_received(
    client, pool: asyncpg.Pool, world: World, mail_on: Mail
) -> None:
    batch_id, customers = await _shipped_batch(client, world)
    twice, export = customers["twice"]["email"], customers["export"]["email"]
    async with running_worker(client, pool, mail_on.settings):
        await recall(client, world, batch_id, "Kemasan bocor di gudang")
        await mail_on.sink.wait_for(2, lambda m: m["To"] in (twice, export))
        await asyncio.sleep(1.5)  # several polls: anything sent twice would be here by now
    sink = mail_on.sink
    assert sink.messages_to(customers["cancelled"]["email"]) == []
    [to_twice] = sink.messages_to(twice)
    [to_export] = sink.messages_to(export)
    lot = await pool.fetchval("SELECT lot FROM batches WHERE id = $1", UUID(batch_id))
    # in the customer's language: Indonesia reads Bahasa Indonesia, Singapore English
    assert lot in to_twice["Subject"] and to_twice["Subject"].startswith("Penarikan")
    assert to_export["Subject"].startswith("Recall:") and lot in to_export["Subject"]
    twice_body, export_body = to_twice.get_content(), to_export.get_content()
    # the unit by its name in the reader's language, never the code `pcs`
    assert "25 buah" in twice_body and "Kemasan bocor di gudang" in twice_body
    # only the live 5 (a batch code may hold the digits 35: the quantity is read with its unit)
    assert re.search(r"(?<!\d)5 pieces", export_body)
    assert "30 pieces" not in export_body and "35 pieces" not in export_body
    assert "pcs" not in twice_body and "pcs" not in export_body
    assert to_twice["Message-ID"] != to_export["Message-ID"]
    # each has its own link; only the hash of its token is kept
    twice_token = LINK.search(twice_body)[1]  # type: ignore[index]
    export_token = LINK.search(export_body)[1]  # type: ignore[index]
    assert twice_token != export_token
    rows = await pool.fetch(
        """SELECT customer_id, quantity, notice_id, token_sha256,
                  expires_at - created_at AS lifetime
           FROM recall_notices WHERE batch_id = $1""",
        UUID(batch_id),
    )
    by_customer = {str(r["customer_id"]): r for r in rows}
    assert {
        c: by_customer[customers[c]["id"]]["quantity"] for c in ("twice", "silent", "export")
    } == {
        "twice": 25,
        "silent": 20,
        "export": 5,
    }
    assert customers["cancelled"]["id"] not in by_customer
    assert by_customer[customers["silent"]["id"]]["notice_id"] is None
    assert all(r["lifetime"].days == 90 for r in rows)
    stored = await pool.fetchval(
        "SELECT count(*) FROM recall_notices WHERE token_sha256 = convert_to($1, 'UTF8')",
        twice_token,
    )
    assert stored == 0


async def test_opening_the_link_acknowledges_nothing_and_the_button_does_once(
    client, pool: asyncpg.Pool, world: World, mail_on: Mail
) -> None:
    batch_id, customers = await _shipped_batch(client, world)
    twice = customers["twice"]["email"]
    async with running_worker(client, pool, mail_on.settings):
        await recall(client, world, batch_id)
        [message] = await mail_on.sink.wait_for(1, lambda m: m["To"] == twice)
    token = LINK.search(message.get_content())[1]  # type: ignore[index]
    path = f"/r/{token}"

    async def acknowledged_at():  # type: ignore[no-untyped-def]
        return await pool.fetchval(
            "SELECT acknowledged_at FROM recall_notices WHERE batch_id = $1 AND customer_id = $2",
            UUID(batch_id),
            UUID(customers["twice"]["id"]),
        )

    # a link previewer, or the reader opening it, twice: nothing recorded. The page speaks the
    # notice's language (this customer is at home), whatever the browser asks
    for accept in ("id-ID,id;q=0.9,en;q=0.5", "en-GB,en;q=0.9"):
        page = await client.get(path, headers={"Accept-Language": accept})
        assert page.status_code == 200
        assert '<html lang="id">' in page.text and "Kemasan bocor" in page.text
        assert '<form method="post" action="?lang=id">' in page.text and "25 buah" in page.text
        assert '<a href="?lang=en" hreflang="en" lang="en">English</a>' in page.text
    head = await client.head(path)
    assert head.status_code == 200 and head.content == b""
    assert await acknowledged_at() is None
    english = await client.get(f"{path}?lang=en")
    assert '<html lang="en">' in english.text and "I have read this recall notice" in english.text
    # the button, without any cookie or CSRF token: the token in the path is the secret
    first = await client.post(f"{path}?lang=en")
    assert first.status_code == 200, first.text
    assert "Thank you." in first.text and "<form" not in first.text
    at = await acknowledged_at()
    assert at is not None
    again = await client.post(path)
    assert again.status_code == 200 and await acknowledged_at() == at
    # a wrong token, and the right one after 90 days: 404, nothing recorded
    for wrong in ("/r/" + secrets.token_urlsafe(32), "/r/" + token[:-1]):
        assert (await client.get(wrong)).status_code == 404
        assert (await client.head(wrong)).status_code == 404
        assert (await client.post(wrong)).status_code == 404
    export_token = LINK.search(
        (await mail_on.sink.wait_for(1, lambda m: m["To"] == customers["export"]["email"]))[
            0
        ].get_content()
    )[1]  # type: ignore[index]
    # the customer abroad read its notice in English: so does its page, even on a browser
    # that asks for Indonesian or names no language (a link previewer)
    for headers in ({"Accept-Language": "id-ID,id"}, {}):
        abroad = await client.get(f"/r/{export_token}", headers=headers)
        assert '<html lang="en">' in abroad.text and "I have read this recall notice" in abroad.text
    await pool.execute(
        """UPDATE recall_notices SET expires_at = now() - interval '1 second',
                  created_at = now() - interval '90 days 1 second'
           WHERE batch_id = $1 AND customer_id = $2""",
        UUID(batch_id),
        UUID(customers["export"]["id"]),
    )
    expired = await client.post(f"/r/{export_token}")
    assert expired.status_code == 404 and "90" in expired.text
    assert (
        await pool.fetchval(
            """SELECT acknowledged_at FROM recall_notices
               WHERE batch_id = $1 AND customer_id = $2""",
            UUID(batch_id),
            UUID(customers["export"]["id"]),
        )
        is None
    )


class StopsAfterTheFirstSend(MailWorker):
    """A sender whose process stops once after the server's 250 and before its commit, as a
    restart in the middle of sending leaves it."""

    stopped = False

    async def record(self, pool, rows, outcomes: Sequence[Outcome]) -> None:  # type: ignore[no-untyped-def]
        if not self.stopped and any(o.sent for o in outcomes):
            self.stopped = True
            raise ConnectionResetError("the process stopped here")
        await super().record(pool, rows, outcomes)


async def test_a_recall_notice_resent_after_a_restart_keeps_its_message_id_and_link(
    client, pool: asyncpg.Pool, world: World, mail_on: Mail
) -> None:
    batch_id, customers = await _shipped_batch(client, world)
    twice = customers["twice"]["email"]
    await recall(client, world, batch_id)
    stopping = StopsAfterTheFirstSend(mail_on.settings, BASE_URL, client.app.state.mail_box)
    with pytest.raises(ConnectionResetError):
        await stopping.send_due(pool)
    [first] = mail_on.sink.messages_to(twice)
    # the next process takes the notices over once the lease of the stopped one has run out
    await asyncio.sleep(lease_s(mail_on.settings) + 0.2)
    async with running_worker(client, pool, mail_on.settings):
        copies = await mail_on.sink.wait_for(2, lambda m: m["To"] == twice)
        await asyncio.sleep(1)  # several polls: a third copy would be here by now
    assert len(mail_on.sink.messages_to(twice)) == 2
    assert copies[1]["Message-ID"] == first["Message-ID"]
    assert copies[1].get_content() == first.get_content()  # the same acknowledgement link
    row = await pool.fetchrow(
        """SELECT m.status, m.attempts, m.message_id FROM recall_notices r
           JOIN mail_notices m ON m.id = r.notice_id
           WHERE r.batch_id = $1 AND r.customer_id = $2""",
        UUID(batch_id),
        UUID(customers["twice"]["id"]),
    )
    assert (row["status"], row["attempts"]) == ("sent", 2)
    assert row["message_id"] == first["Message-ID"]
    # the link of either copy acknowledges, once
    token = LINK.search(copies[1].get_content())[1]  # type: ignore[index]
    assert (await client.post(f"/r/{token}")).status_code == 200
    acknowledged = await pool.fetchval(
        """SELECT count(*) FROM recall_notices
           WHERE batch_id = $1 AND acknowledged_at IS NOT NULL""",
        UUID(batch_id),
    )
    assert acknowledged == 1


async def test_without_a_mail_server_the_notices_are_kept_not_sent(
    client, pool: asyncpg.Pool, world: World
) -> None:
    batch_id, _customers = await _shipped_batch(client, world)
    await recall(client, world, batch_id)
    statuses = await pool.fetch(
        "SELECT status, kind FROM mail_notices WHERE batch_id = $1 AND kind = 'recall_notice'",
        UUID(batch_id),
    )
    assert [(r["status"], r["kind"]) for r in statuses] == [("not_sent", "recall_notice")] * 2


async def test_the_recall_webhook_names_customers_only_to_the_producers_own_endpoints(
    client, pool: asyncpg.Pool, world: World
) -> None:
    batch_id, customers = await _shipped_batch(client, world)
    with running_receiver() as receiver:
        own = await register_endpoint(client, world.producer, f"{receiver.url}/own")
        facility = await register_endpoint(client, world.qa, f"{receiver.url}/facility")
        try:
            await recall(client, world, batch_id)
        finally:
            for endpoint, actor in ((own, world.producer), (facility, world.qa)):
                await client.delete(f"/api/v1/webhooks/{endpoint['id']}", headers=actor.headers)
    rows = await pool.fetch(
        """SELECT d.endpoint_id, m.payload FROM webhook_deliveries d
           JOIN webhook_messages m ON m.id = d.message_id
           WHERE m.batch_id = $1 AND m.event_type = 'batch.recalled'""",
        UUID(batch_id),
    )
    payloads = {str(r["endpoint_id"]): r["payload"]["data"] for r in rows}
    assert set(payloads) >= {own["id"], facility["id"]}
    mine, theirs = payloads[own["id"]], payloads[facility["id"]]
    assert mine["customers_count"] == theirs["customers_count"] == 3
    assert sorted((c["customer_id"], c["quantity"]) for c in mine["customers"]) == sorted(
        [
            (customers["twice"]["id"], 25),
            (customers["silent"]["id"], 20),
            (customers["export"]["id"], 5),
        ]
    )
    assert {c["name"] for c in mine["customers"]} >= {"Lim Trading"}
    assert "customers" not in theirs and "Lim Trading" not in json.dumps(theirs)
    assert mine["reason"] == theirs["reason"] == "Kemasan bocor"


async def test_the_recall_figures_for_the_producer_and_regulators_only(
    client, pool: asyncpg.Pool, world: World
) -> None:
    batch_id, customers = await _shipped_batch(client, world)
    path = f"/api/v1/batches/{batch_id}/recall"
    before = await client.get(path, headers=world.producer.headers)
    assert before.status_code == 404, before.text
    scan = """INSERT INTO scans (scanned_at, batch_id, serial, verdict, fingerprint)
              VALUES (now(), $1, NULL, $2, '\\x00'::bytea)"""
    await pool.execute(scan, UUID(batch_id), "genuine")  # the same day, before the recall
    await recall(client, world, batch_id)
    await pool.execute(
        """UPDATE recall_notices SET acknowledged_at = now()
           WHERE batch_id = $1 AND customer_id = $2""",
        UUID(batch_id),
        UUID(customers["twice"]["id"]),
    )
    answer = await client.get(path, headers=world.producer.headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["reason"] == "Kemasan bocor" and body["recalled_at"]
    by_id = {c["customer_id"]: c for c in body["customers"]}
    assert set(by_id) == {customers[c]["id"] for c in ("twice", "silent", "export")}
    assert by_id[customers["twice"]["id"]]["quantity"] == 25
    assert by_id[customers["twice"]["id"]]["acknowledged_at"] is not None
    assert by_id[customers["silent"]["id"]]["notified_at"] is None  # no email, no mail server
    assert all(c["unit"] == "pcs" for c in body["customers"])
    assert body["acknowledged_share"] == pytest.approx(25 / 50)
    assert body["scans_after_recall"] == []  # the scan of the morning was before it
    for _ in range(2):
        await pool.execute(scan, UUID(batch_id), "recalled")
    body = (await client.get(path, headers=world.producer.headers)).json()
    assert [day["scans"] for day in body["scans_after_recall"]] == [2]
    for actor in (world.regulator, world.admin):
        seen = await client.get(path, headers=actor.headers)
        assert seen.status_code == 200 and seen.json() == body
    assert (await client.get(path, headers=world.other_producer.headers)).status_code == 404
    for actor in (world.operator, world.qa):
        assert (await client.get(path, headers=actor.headers)).status_code == 403


async def test_the_console_recall_status_page_with_whatsapp_links(
    client, pool: asyncpg.Pool, world: World
) -> None:
    batch_id, customers = await _shipped_batch(client, world)
    await recall(client, world, batch_id, "Kemasan bocor & basah")
    browser = await signed_in(client, pool, world.producer.id)
    batch_page = await browser.get(f"/app/batches/{batch_id}")
    assert f'href="/app/batches/{batch_id}/recall-status"' in batch_page.text
    # the recall form of a batch recalled already leads there too
    again = await browser.get(f"/app/batches/{batch_id}/recall")
    assert f'href="/app/batches/{batch_id}/recall-status"' in again.text
    status = await browser.get(f"/app/batches/{batch_id}/recall-status")
    assert status.status_code == 200, status.text
    text = status.text
    assert "Lim Trading" in text and customers["silent"]["name"] in text
    assert customers["cancelled"]["name"] not in text
    # every customer here has the default WhatsApp number; the text is the notice, encoded
    links = re.findall(r'href="(https://wa\.me/[^"]+)"', text)
    assert len(links) == 3
    assert all(link.startswith("https://wa.me/6281234567890?text=") for link in links)
    assert any("Kemasan%20bocor%20%26%20basah" in link for link in links)
    assert any("25%20buah" in link for link in links)
    assert "pcs" not in text
    # why no email went out, per customer: no address, or no mail server here
    assert text.count("Tidak ada alamat email: beri tahu lewat WhatsApp") == 1  # silent
    assert text.count("Tidak diemail: Radura ini tidak memiliki server email") == 2
    other = await signed_in(client, pool, world.other_producer.id)
    assert (await other.get(f"/app/batches/{batch_id}/recall-status")).status_code == 404
    operator = await signed_in(client, pool, world.operator.id)
    assert (await operator.get(f"/app/batches/{batch_id}/recall-status")).status_code == 403
