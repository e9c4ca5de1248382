"""The outbox's guarantees against a real SMTP server: at least once, never a notice nobody
wrote, retries while the server is down, and one Message-ID per notice however often it is sent
(a crash between the server's 250 and the commit; a restart in the middle of sending)."""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import secrets
import ssl
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from uuid import UUID

import asyncpg
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from service.mail.outbox import enqueue_notice
from service.mail.settings import MailSettings, parse_smtp_url
from service.mail.smtp import Outcome
from service.mail.worker import MailWorker, lease_s
from tests.integration.mail.conftest import Mail, running_worker
from tests.smtp_sink import running_sink

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _notices(pool: asyncpg.Pool, settings: MailSettings, count: int) -> dict[str, UUID]:
    """`count` password-less test notices (a batch notice's text), each to its own address;
    recipient → notice id."""
    written = {}
    async with pool.acquire() as conn, conn.transaction():
        for n in range(count):
            recipient = f"pembeli-{n}-{secrets.token_hex(4)}@example.id"
            written[recipient] = await enqueue_notice(
                conn,
                "batch_received",
                recipient,
                "id",
                {
                    "batch_id": "00000000-0000-0000-0000-000000000000",
                    "name": f"Pembeli {n}",
                    "code": "AFVFNPT6ZT",
                    "lot": "L-1",
                    "product": "Rendang",
                },
                settings=settings,
            )
    return written


async def _status(pool: asyncpg.Pool, ids: Sequence[UUID]) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT id, status, attempts, message_id, last_error FROM mail_notices"
        " WHERE id = ANY($1::uuid[])",
        list(ids),
    )


async def _until(condition, timeout_s: float = 20) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not await condition():
        assert asyncio.get_running_loop().time() < deadline, "not within the time"
        await asyncio.sleep(0.1)


async def test_a_notice_written_in_a_rolled_back_transaction_is_never_sent(
    client, pool: asyncpg.Pool, mail_on: Mail
) -> None:
    recipient = f"tidak-ada-{secrets.token_hex(4)}@example.id"
    conn = await pool.acquire()
    try:
        transaction = conn.transaction()
        await transaction.start()
        notice = await enqueue_notice(
            conn, "password_reset", recipient, "id", {}, settings=mail_on.settings
        )
        await transaction.rollback()
    finally:
        await pool.release(conn)
    kept = await _notices(pool, mail_on.settings, 1)
    async with running_worker(client, pool, mail_on.settings):
        await mail_on.sink.wait_for(1, lambda m: m["To"] in kept)
        await asyncio.sleep(0.5)
    assert await _status(pool, [notice]) == []
    assert mail_on.sink.messages_to(recipient) == []


class CrashAfterSending(MailWorker):
    """Sends, then dies before recording the outcome, once: as a process killed after the
    server's 250 and before its commit."""

    crashed = 0

    async def record(self, pool, rows, outcomes: Sequence[Outcome]) -> None:  # type: ignore[no-untyped-def]
        if not CrashAfterSending.crashed and any(o.sent for o in outcomes):
            CrashAfterSending.crashed += 1
            raise ConnectionResetError("the process died here")
        await super().record(pool, rows, outcomes)


async def test_a_crash_between_the_250_and_the_commit_resends_the_same_message_id(
    client, pool: asyncpg.Pool, mail_on: Mail
) -> None:
    [(recipient, notice)] = (await _notices(pool, mail_on.settings, 1)).items()
    worker = CrashAfterSending(mail_on.settings, "https://radura.test", client.app.state.mail_box)
    with pytest.raises(ConnectionResetError):
        await worker.send_due(pool)
    [first] = mail_on.sink.messages_to(recipient)
    [row] = await _status(pool, [notice])
    assert row["status"] == "pending"  # the attempt was not recorded: its lease holds it
    assert await worker.send_due(pool) == 0  # nobody takes it while the lease runs
    await asyncio.sleep(lease_s(mail_on.settings) + 0.2)
    assert await worker.send_due(pool) == 1
    again = mail_on.sink.messages_to(recipient)
    assert len(again) == 2
    assert again[1]["Message-ID"] == first["Message-ID"] == row["message_id"]
    assert again[1].get_content() == first.get_content()
    [done] = await _status(pool, [notice])
    assert (done["status"], done["attempts"]) == ("sent", 2)


async def test_while_the_mail_server_is_down_notices_wait_and_are_retried(
    client, pool: asyncpg.Pool, mail_on: Mail
) -> None:
    mail_on.sink.stop()
    written = await _notices(pool, mail_on.settings, 3)
    ids = list(written.values())

    async def retried() -> bool:
        rows = await _status(pool, ids)
        return all(r["attempts"] >= 2 and r["status"] == "pending" for r in rows)

    async with running_worker(client, pool, mail_on.settings):
        await _until(retried)
        assert mail_on.sink.received == []
        [error] = {r["last_error"] for r in await _status(pool, ids)}
        assert "ConnectionRefusedError" in error
        mail_on.sink.start()
        await mail_on.sink.wait_for(3, lambda m: m["To"] in written)
        await asyncio.sleep(1)
    assert sorted(m["To"] for m in mail_on.sink.received) == sorted(written)
    assert {r["status"] for r in await _status(pool, ids)} == {"sent"}


async def test_a_notice_past_its_time_is_failed_not_sent_late(
    client, pool: asyncpg.Pool, mail_on: Mail
) -> None:
    mail_on.sink.stop()
    written = await _notices(pool, mail_on.settings, 1)
    await pool.execute(
        "UPDATE mail_notices SET send_until = now() + interval '1 second' WHERE id = $1",
        *written.values(),
    )

    async def failed() -> bool:
        return [r["status"] for r in await _status(pool, list(written.values()))] == ["failed"]

    async with running_worker(client, pool, mail_on.settings):
        await _until(failed)
    mail_on.sink.start()


async def test_every_notice_arrives_across_a_restart_in_the_middle_of_sending(
    client, pool: asyncpg.Pool, mail_on: Mail
) -> None:
    """The mail server and Radura's sender both stop while notices go out, and start again:
    every notice arrives, and however often one was sent, it always had one Message-ID."""
    mail_on.sink.delay_s = 0.05  # a server that takes its time, so the stop falls mid-batch
    written = await _notices(pool, mail_on.settings, 40)
    ids = list(written.values())
    async with running_worker(client, pool, mail_on.settings):
        await mail_on.sink.wait_for(8, lambda m: m["To"] in written)
        mail_on.sink.stop()  # the mail server goes down ...
    # ... and so does the sender, wherever it was; a new one starts after the leases end
    await asyncio.sleep(lease_s(mail_on.settings))
    mail_on.sink.start()
    async with running_worker(client, pool, mail_on.settings):

        async def all_sent() -> bool:
            return {r["status"] for r in await _status(pool, ids)} == {"sent"}

        await _until(all_sent, timeout_s=60)
    rows = await _status(pool, ids)
    arrived = [m for m in mail_on.sink.received if m["To"] in written]
    by_recipient = {m["To"]: m["Message-ID"] for m in arrived}
    assert set(by_recipient) == set(written)  # every notice arrived
    # each recipient's copies carry one Message-ID, the notice's
    assert {(m["To"], m["Message-ID"]) for m in arrived} == set(by_recipient.items())
    assert len({m["Message-ID"] for m in arrived}) == 40
    assert {r["message_id"] for r in rows} == set(by_recipient.values())
    print(f"40 notices: {len(arrived)} messages arrived, {len(arrived) - 40} of them resent")


async def test_a_mail_server_that_asks_for_a_password_gets_it(
    client, pool: asyncpg.Pool, mail_on: Mail
) -> None:
    with running_sink(user="radura", password="p@ss:w/rd") as secured:
        url = f"smtp://radura:{'p%40ss%3Aw%2Frd'}@127.0.0.1:{secured.port}"
        settings = dataclasses.replace(mail_on.settings, server=parse_smtp_url(url))
        written = await _notices(pool, settings, 1)
        async with running_worker(client, pool, settings):
            await secured.wait_for(1, lambda m: m["To"] in written)
        assert secured.logins == ["radura"]
        wrong = dataclasses.replace(
            settings,
            server=parse_smtp_url(f"smtp://radura:salah@127.0.0.1:{secured.port}"),
        )
        refused = await _notices(pool, wrong, 1)
        async with running_worker(client, pool, wrong):

            async def tried() -> bool:
                return (await _status(pool, list(refused.values())))[0]["last_error"] is not None

            await _until(tried)
        [row] = await _status(pool, list(refused.values()))
        assert row["last_error"].startswith("535")
        assert "salah" not in row["last_error"]


def _certificates(folder: Path) -> tuple[Path, ssl.SSLContext]:
    """An authority (its PEM file, for the client to trust) and a server context for a
    certificate it issued to 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Radura test CA")])
    now = datetime.now(UTC)
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    ca_file = folder / "ca.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "server.pem").write_bytes(server.public_bytes(serialization.Encoding.PEM))
    (folder / "server.key").write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "server.pem", folder / "server.key")
    return ca_file, context


@pytest.mark.parametrize("scheme", ["smtp", "smtps"])
async def test_the_password_goes_only_over_a_checked_tls_connection(
    client, pool: asyncpg.Pool, mail_on: Mail, tmp_path: Path, monkeypatch, scheme: str
) -> None:
    """`smtp://` upgrades with STARTTLS, which the server offers, before logging in; `smtps://`
    speaks TLS from the start; both check the server's certificate."""
    ca_file, server_context = _certificates(tmp_path)
    with running_sink(
        user="radura", password="rahasia", tls=server_context, implicit_tls=scheme == "smtps"
    ) as secured:
        url = f"{scheme}://radura:rahasia@127.0.0.1:{secured.port}"
        settings = dataclasses.replace(mail_on.settings, server=parse_smtp_url(url))
        # not trusted yet: the certificate check refuses the server
        untrusted = await _notices(pool, settings, 1)
        async with running_worker(client, pool, settings):

            async def refused() -> bool:
                rows = await _status(pool, list(untrusted.values()))
                return rows[0]["last_error"] is not None

            await _until(refused)
        [row] = await _status(pool, list(untrusted.values()))
        assert "CERTIFICATE_VERIFY_FAILED" in row["last_error"]
        assert secured.received == [] and secured.logins == []
        monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # the system now trusts it
        trusted = await _notices(pool, settings, 1)
        async with running_worker(client, pool, settings):
            await secured.wait_for(1, lambda m: m["To"] in trusted | untrusted, timeout_s=30)
        assert secured.logins and set(secured.logins) == {"radura"}


async def test_no_password_crosses_a_network_unencrypted(
    mail_on: Mail, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that offers no STARTTLS gets no password unless it listens on loopback (a local
    relay); here the sink is taken for a server elsewhere."""
    from service.mail import smtp

    monkeypatch.setattr(smtp, "_is_loopback", lambda host: False)
    with running_sink(user="radura", password="rahasia") as plain:
        server = parse_smtp_url(plain.url)
        message = EmailMessage()
        message["To"] = "siti@example.id"
        message["From"] = "noreply@radura.test"
        message.set_content("Halo")
        [outcome] = smtp.send_messages(server, [message], 2)
        assert not outcome.sent
        assert outcome.error is not None and "no STARTTLS" in outcome.error
        assert "rahasia" not in outcome.error
        assert plain.logins == [] and plain.received == []
