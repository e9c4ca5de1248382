"""A producer's people get an email when their batch is received, released or rejected: once
each, in their own language, unless they turned batch notices off; none without a mail server,
where the console says so instead."""

from __future__ import annotations

import asyncio
import secrets
from uuid import UUID

import asyncpg
import pytest

from tests.integration.batch_steps import batch_in
from tests.integration.console import Browser, give_password, signed_in
from tests.integration.mail.conftest import Mail, running_worker
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _person(
    pool: asyncpg.Pool,
    world: World,
    name: str,
    *,
    language: str = "id",
    notices: bool = True,
    disabled: bool = False,
) -> str:
    """A user of the world's producer with an email; returns the email."""
    email = f"{name.lower()}-{secrets.token_hex(4)}@example.id"
    await pool.execute(
        """INSERT INTO users (name, role, organization_id, email, language, batch_notices,
                              disabled_at)
           VALUES ($1, 'producer', $2, $3, $4, $5, CASE WHEN $6 THEN now() END)""",
        name,
        world.producer_org,
        email,
        language,
        notices,
        disabled,
    )
    return email


async def test_each_step_reaches_each_producer_user_once_in_their_language(
    client, pool: asyncpg.Pool, world: World, mail_on: Mail
) -> None:
    siti = await _person(pool, world, "Siti")
    budi = await _person(pool, world, "Budi", language="en")
    rina = await _person(pool, world, "Rina", notices=False)
    dewi = await _person(pool, world, "Dewi", disabled=True)
    async with running_worker(client, pool, mail_on.settings):
        released = await batch_in(client, world, "released")
        rejected = await batch_in(client, world, "rejected")
        ours = {siti, budi}
        await mail_on.sink.wait_for(8, lambda m: m["To"] in ours)
        await asyncio.sleep(1.5)  # several polls: anything sent twice would be here by now
    sink = mail_on.sink
    assert sink.messages_to(rina) == [] and sink.messages_to(dewi) == []
    code = {
        batch: await pool.fetchval("SELECT code FROM batches WHERE id = $1", UUID(batch))
        for batch in (released, rejected)
    }
    assert sorted(m["Subject"] for m in sink.messages_to(siti)) == sorted(
        [
            f"Bets {code[released]} telah diterima di fasilitas iradiasi",
            f"Bets {code[released]} telah diluluskan",
            f"Bets {code[rejected]} telah diterima di fasilitas iradiasi",
            f"Bets {code[rejected]} ditolak",
        ]
    )
    budi_mail = {m["Subject"]: m for m in sink.messages_to(budi)}
    assert set(budi_mail) == {
        f"Batch {code[released]} was received at the facility",
        f"Batch {code[released]} was released",
        f"Batch {code[rejected]} was received at the facility",
        f"Batch {code[rejected]} was rejected",
    }
    rejection = budi_mail[f"Batch {code[rejected]} was rejected"]
    body = rejection.get_content()
    assert "Dosimeter AM-1 terbaca rendah" in body  # the QA officer's reason
    assert f"https://radura.test/app/batches/{rejected}" in body
    assert "https://radura.test/app/account" in body
    assert rejection["Content-Language"] == "en"
    assert rejection["From"] == "Radura <noreply@radura.test>"
    # every message carries the Message-ID stored with its notice, and each notice is sent
    notices = await pool.fetch(
        "SELECT recipient, message_id, status, sent_at FROM mail_notices"
        " WHERE batch_id = ANY($1::uuid[])",
        [UUID(released), UUID(rejected)],
    )
    assert len(notices) == 8 and {n["status"] for n in notices} == {"sent"}
    sent_ids = sorted(m["Message-ID"] for m in sink.received if m["To"] in ours)
    assert sent_ids == sorted(n["message_id"] for n in notices)


async def test_without_a_mail_server_notices_are_kept_as_not_sent_and_the_console_says_so(
    client, pool: asyncpg.Pool, world: World
) -> None:
    siti = await _person(pool, world, "Siti")
    batch = await batch_in(client, world, "received")
    [notice] = await pool.fetch(
        "SELECT kind, recipient, status, next_attempt_at FROM mail_notices WHERE batch_id = $1",
        UUID(batch),
    )
    assert dict(notice) == {
        "kind": "batch_received",
        "recipient": siti,
        "status": "not_sent",
        "next_attempt_at": None,
    }
    producer = await signed_in(client, pool, world.producer.id)
    qa = await signed_in(client, pool, world.qa.id)
    banner = "Pemberitahuan email belum dikirim"
    assert banner in (await producer.get("/app/")).text
    assert banner in (await producer.get("/app/account")).text
    assert banner not in (await qa.get("/app/")).text  # only producers and admins
    # the producer is told what to do, and only the administrator sees the setting's name
    assert "RADURA_SMTP_URL" not in (await producer.get("/app/")).text
    assert "minta administrator Radura" in (await producer.get("/app/")).text
    admin = await signed_in(client, pool, world.admin.id)
    assert "RADURA_SMTP_URL" in (await admin.get("/app/")).text


async def test_the_banner_goes_once_mail_is_sent(
    client, pool: asyncpg.Pool, world: World, mail_on: Mail
) -> None:
    producer = await signed_in(client, pool, world.producer.id)
    assert "Pemberitahuan email belum dikirim" not in (await producer.get("/app/")).text


async def test_a_user_who_turns_batch_notices_off_gets_none(
    client, pool: asyncpg.Pool, world: World, mail_on: Mail
) -> None:
    email = await give_password(pool, world.producer.id)
    browser = Browser(client)
    assert (await browser.sign_in(email)).status_code == 303
    page = await browser.get("/app/account")
    assert 'name="batch_notices" checked' in page.text  # on by default
    saved = await browser.submit("/app/account/email", {"language": "en"}, form_page="/app/account")
    assert saved.status_code == 303
    row = await pool.fetchrow(
        "SELECT language, batch_notices FROM users WHERE id = $1", world.producer.id
    )
    assert dict(row) == {"language": "en", "batch_notices": False}
    siti = await _person(pool, world, "Siti")  # a colleague who keeps them on
    async with running_worker(client, pool, mail_on.settings):
        await batch_in(client, world, "received")
        await mail_on.sink.wait_for(1, lambda m: m["To"] == siti)
        await asyncio.sleep(1)
    assert mail_on.sink.messages_to(email) == []


async def test_the_api_reads_and_changes_the_callers_email_settings(
    client, pool: asyncpg.Pool, world: World
) -> None:
    headers = world.producer.headers
    mine = await client.get("/api/v1/me/email", headers=headers)
    assert mine.status_code == 200
    assert mine.json() == {"language": "id", "batch_notices": True}
    changed = await client.patch("/api/v1/me/email", json={"batch_notices": False}, headers=headers)
    assert changed.json() == {"language": "id", "batch_notices": False}
    changed = await client.patch("/api/v1/me/email", json={"language": "en"}, headers=headers)
    assert changed.json() == {"language": "en", "batch_notices": False}
    for wrong in ({"language": "fr"}, {"batch_notices": "yes"}, {"email": "x@example.id"}):
        refused = await client.patch("/api/v1/me/email", json=wrong, headers=headers)
        assert refused.status_code == 400, wrong
    # another user's settings are untouched
    other = await client.get("/api/v1/me/email", headers=world.other_producer.headers)
    assert other.json() == {"language": "id", "batch_notices": True}
    assert (await client.get("/api/v1/me/email")).status_code == 401
