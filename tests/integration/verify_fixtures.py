"""Labelled batches made straight in SQL (released, recalled, expired…) and their signed URIs,
so the verification tests do not depend on the batch life-cycle API."""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import msgspec
from litestar import Litestar
from litestar.testing import AsyncTestClient

from labels.codes import random_code
from labels.gtin import gtin_check_digit
from labels.signing import Keyring
from labels.uri import signed_uri, unsigned_path, with_signature
from schemas.labels import LabelRef
from schemas.shelf_life import ShelfLifeExplanation, ShelfLifeInputs, ShelfLifeResult
from tests.integration.world import World


def _today() -> date:
    """Today in Asia/Jakarta, read when a fixture is built (a run may cross midnight)."""
    return datetime.now(ZoneInfo("Asia/Jakarta")).date()


# The GTIN sets of the apps this process's tests talk to (the session's `client`), by the
# database each listens to: a new product's GTIN reaches each by NOTIFY a moment after its
# insert, so `make_batch` waits for it.
WATCHED_GTIN_SETS: list[tuple[str, Any]] = []


def random_gtin14() -> str:
    """A GTIN-14 with a valid check digit under GS1 Indonesia's 899 prefix."""
    body = "0899" + "".join(secrets.choice("0123456789") for _ in range(9))
    return body + str(gtin_check_digit(body))


@dataclass
class LabelledBatch:
    batch_id: UUID
    code: str
    lot: str
    gtin14: str | None
    best_before: date
    product_name: str
    serials: list[str] = field(default_factory=list)

    def ref(self, serial: str | None = None, *, short: bool = False) -> LabelRef:
        return LabelRef(
            code=self.code,
            lot=self.lot,
            gtin14=None if short else self.gtin14,
            serial=serial,
            best_before=None if short or self.gtin14 is None else self.best_before,
        )


def server_keyring(data_dir: Path) -> Keyring:
    """The keyring the app under test signs and verifies with (same data folder)."""
    return Keyring.load_or_create(data_dir, None)


def label_path(
    keyring: Keyring, batch: LabelledBatch, serial: str | None = None, *, short: bool = False
) -> str:
    """Path + query (with `s`) of a label, as a phone would request it."""
    path = unsigned_path(batch.ref(serial, short=short))
    return with_signature(path, keyring.sign(path.encode("ascii")))


def page_path(
    keyring: Keyring, batch: LabelledBatch, serial: str | None = None, *, short: bool = False
) -> str:
    """Where a label's scan lands: a GS1 label's page is at /label/01/…, where the resolver at
    /01/… redirects (to RADURA_PUBLIC_BASE_URL); the short form is its own page."""
    path = label_path(keyring, batch, serial, short=short)
    return path if short else "/label" + path


def label_uri(
    base_url: str,
    keyring: Keyring,
    batch: LabelledBatch,
    serial: str | None = None,
    *,
    short: bool = False,
) -> str:
    return signed_uri(base_url, batch.ref(serial, short=short), keyring)


async def _product(conn: asyncpg.Connection, world: World, name: str, gtin14: str | None) -> UUID:
    product_id: UUID = await conn.fetchval(
        """INSERT INTO products (organization_id, name, category, purpose, min_dose_kgy,
               base_shelf_life_days, reference_temp_c, storage_temp_c, packaging, gtin,
               registration_no, net_content)
           VALUES ($1, $2, 'meat_poultry', 'extend_shelf_life', 1.5, 5, 8, 8, 'air', $3,
                   'MD224010001234', '250 g') RETURNING id""",
        world.producer_org,
        name,
        gtin14,
    )
    return product_id


async def make_batch(
    conn: asyncpg.Connection,
    world: World,
    *,
    status: str = "released",
    best_before: date | None = None,
    with_gtin: bool = True,
    serials: int = 3,
    recall_reason: str | None = None,
    product_name: str | None = None,
) -> LabelledBatch:
    """A batch of the world's producer, treated at its facility, in `status`, with `serials`
    issued serials. `expired` is a released batch whose best-before date has passed."""
    gtin14 = random_gtin14() if with_gtin else None
    name = product_name or f"Rendang Daging Sapi {world.tag}"
    product_id = await _product(conn, world, name, gtin14)
    if status == "expired":
        status, best_before = "released", best_before or _today() - timedelta(days=3)
    best_before = best_before or _today() + timedelta(days=10)
    code, lot = random_code(), f"L{secrets.token_hex(3).upper()}"
    released = status in ("released", "recalled")
    now = datetime.now(UTC)
    batch_id: UUID = await conn.fetchval(
        """INSERT INTO batches (code, product_id, producer_id, facility_id, lot, production_date,
               quantity, unit, status, created_by, shelf_life, best_before, released_by,
               released_at, recalled_by, recalled_at, recall_reason)
           VALUES ($1, $2, $3, $4, $5, $6, 100, 'pcs', $7, $8, $9, $10, $11, $12, $13, $14, $15)
           RETURNING id""",
        code,
        product_id,
        world.producer_org,
        world.facility,
        lot,
        best_before - timedelta(days=10),
        status,
        world.producer.id,
        _shelf_life(best_before) if released else None,
        best_before if released else None,
        world.qa.id if released else None,
        now if released else None,
        world.producer.id if status == "recalled" else None,
        now if status == "recalled" else None,
        recall_reason if status == "recalled" else None,
    )
    if status not in ("registered", "received", "cancelled"):
        await _treatment(conn, world, batch_id)
    issued = [random_code() for _ in range(serials)] if released else []
    if issued:
        await conn.executemany(
            "INSERT INTO label_serials (batch_id, serial) VALUES ($1, $2)",
            [(batch_id, serial) for serial in issued],
        )
    if gtin14 is not None and WATCHED_GTIN_SETS and not conn.is_in_transaction():
        database = await conn.fetchval("SELECT current_database()")  # committed: NOTIFY is sent
        for listening_to, gtins in WATCHED_GTIN_SETS:
            if listening_to == database:
                await _until_known(gtins, gtin14)
    return LabelledBatch(batch_id, code, lot, gtin14, best_before, name, issued)


async def issue_many_serials(conn: asyncpg.Connection, batch_id: UUID, count: int) -> str:
    """`count` more serials for the batch, straight in SQL (a long roll to render); the path of
    its PDF as a 80×50 mm roll (which holds every sticker), for `&count=`."""
    await conn.execute(
        """INSERT INTO label_serials (batch_id, serial)
           SELECT $1::uuid, upper(substr(md5(i::text || $1::text), 1, 10))
           FROM generate_series(1, $2) AS i""",
        batch_id,
        count,
    )
    return f"/api/v1/batches/{batch_id}/labels.pdf?layout=thermal-80x50"


def _shelf_life(best_before: date) -> dict[str, object]:
    """A stored radura-sl result whose date is `best_before` (chicken-like, 5 d at 8 °C)."""
    production = best_before - timedelta(days=10)
    result = ShelfLifeResult(
        model="radura-sl/1",
        base_days=5,
        adjusted_base_days=5.0,
        multiplier=2.0,
        extended_days=10,
        best_before=best_before,
        storage_temp_c=8.0,
        rules=["dose_credit"],
        explanation=ShelfLifeExplanation(id="Uji.", en="Test."),
        inputs=ShelfLifeInputs(
            category="meat_poultry",
            purpose="extend_shelf_life",
            base_shelf_life_days=5,
            reference_temp_c=8.0,
            storage_temp_c=8.0,
            packaging="air",
            dose_min_kgy=2.5,
            production_date=production,
        ),
    )
    builtins: dict[str, object] = msgspec.to_builtins(result)
    return builtins


async def _treatment(conn: asyncpg.Connection, world: World, batch_id: UUID) -> None:
    ended = datetime(2026, 1, 14, 3, 0, tzinfo=UTC)
    await conn.execute(
        """INSERT INTO treatments (batch_id, irradiator_id, run_id, started_at, ended_at, passes,
               dose_min_kgy, dose_max_kgy, dur, legal_max_dose_kgy, product_min_dose_kgy,
               conforming, recorded_by)
           VALUES ($1, $2, 'RUN-0114', $3, $4, 1, 2.5, 2.9, 1.16, 3.0, 1.5, true, $5)""",
        batch_id,
        world.irradiator,
        ended - timedelta(hours=2),
        ended,
        world.operator.id,
    )
    await conn.executemany(
        """INSERT INTO dosimeters (batch_id, ordinal, dosimeter_id, type, position, dose_kgy)
           VALUES ($1, $2, $3, 'alanine', $4, $5)""",
        [(batch_id, 1, "D-1", "min", 2.5), (batch_id, 2, "D-2", "max", 2.9)],
    )


async def recall(conn: asyncpg.Connection, batch_id: UUID, reason: str) -> None:
    """Recall by plain SQL, as any writer could: the trigger must tell every process."""
    await conn.execute(
        """UPDATE batches SET status = 'recalled', recall_reason = $2, recalled_at = now(),
               updated_at = now() WHERE id = $1 AND status = 'released'""",
        batch_id,
        reason,
    )


def tamper(path: str) -> str:
    """The same label with one signature character changed."""
    head, _, signature = path.rpartition("s=")
    index = len(signature) // 2
    swapped = "A" if signature[index] != "A" else "B"
    return f"{head}s={signature[:index]}{swapped}{signature[index + 1 :]}"


def from_client_address(app: Litestar) -> Litestar:
    """`app`, reached from the address an `X-Client-Address` header names (phones on many
    networks, one test client); without the header, from the test client's own address."""
    handler = app.asgi_handler

    async def with_client_address(scope: Any, receive: Any, send: Any) -> None:
        for name, value in scope["headers"]:
            if name == b"x-client-address":
                scope["client"] = (value.decode(), 50000)
        await handler(scope, receive, send)

    app.asgi_handler = with_client_address
    return app


def from_address(address: str, **headers: str) -> dict[str, str]:
    """Request headers that make the test client a phone at `address`."""
    return {"X-Client-Address": address, **headers}


async def raw_get(client: AsyncTestClient[Any], path: str, query: bytes) -> tuple[int, bytes]:
    """GET through the app's ASGI interface with the query's bytes exactly as given."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"accept", b"application/json")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await client.app(scope, receive, send)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body


async def until_resolvable(client: Any, gtin14: str | None, within_s: float = 10.0) -> None:
    """Wait until the app under `client` no longer refuses `gtin14` as unknown: a new product's
    GTIN reaches each process's set by NOTIFY (service/verify/resolver/gtins.py), a moment after
    the insert that a test makes right before its first scan."""
    if gtin14 is not None:
        await _until_known(client.app.state["verifier"].gtins, gtin14, within_s)


async def _until_known(gtins: Any, gtin14: str, within_s: float = 10.0) -> None:
    deadline = time.monotonic() + within_s
    while gtins.knows(gtin14) is False:
        assert time.monotonic() < deadline, f"{gtin14} not known after {within_s} s"
        await asyncio.sleep(0.01)
