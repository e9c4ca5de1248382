"""HTTP endpoints of EPCIS 2.0 (SPEC §11): one batch's document, and the events query."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.params import FromPath, QueryParameter

from service.batches.epcis import events as epcis
from service.batches.epcis import queries as epcis_queries
from service.batches.rules import invalid_field
from service.batches.transitions import load_batch
from service.core.auth import ANY_ROLE, AuthUser
from service.core.db import Db, connection
from service.core.download_gate import DownloadGate, owner_of
from service.core.pagination import Cursor, Limit

AuthRequest = Request[AuthUser, None, State]
_ISO_DATE_START = re.compile(r"^\d{4}-\d{2}-\d{2}")
Instant = Annotated[datetime | None, QueryParameter(description="ISO 8601 with offset.")]


def _ld_json(document: dict[str, object], headers: dict[str, str] | None = None) -> Response[bytes]:
    return Response(msgspec.json.encode(document), media_type=epcis.MEDIA_TYPE, headers=headers)


def _aware(request: AuthRequest, name: str, value: datetime | None) -> datetime | None:
    # Litestar also reads a bare number as a Unix time; the API takes ISO 8601 only
    raw = request.query_params.get(name)
    if value is not None and not _ISO_DATE_START.match(raw or ""):
        raise invalid_field(name, "must be ISO 8601 with an offset, e.g. 2026-05-01T00:00:00+07:00")
    if value is not None and value.tzinfo is None:
        raise invalid_field(name, "must carry a UTC offset, e.g. 2026-05-01T00:00:00+07:00")
    return value


class EpcisController(Controller):
    tags = ["epcis"]

    @get(
        "/api/v1/batches/{batch_id:uuid}/epcis",
        operation_id="getBatchEpcis",
        opt=ANY_ROLE,
        media_type=epcis.MEDIA_TYPE,
    )
    async def batch_document(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Response[bytes]:
        """The batch's life cycle as an EPCIS 2.0 `EPCISDocument` (JSON-LD): one `ObjectEvent`
        per step (commissioning, receiving, the treatment with an `AbsorbedDose` report per
        dosimeter, release, rejection, recall) and, to those who read the batch's shipments,
        one `shipping` event per shipment (the customer as destination `owning_party`) with the
        same event again carrying an `errorDeclaration` when it was cancelled; in the order they
        were recorded, each with its event hash id; `eventTime` is when the step happened,
        `recordTime` when it was stored."""
        await load_batch(db, batch_id, request.user)
        steps = await epcis_queries.batch_steps(db, request.user, batch_id)
        base_url = request.app.state.settings.public_base_url
        return _ld_json(epcis.batch_document(base_url, steps, datetime.now(UTC)))

    @get(
        "/api/v1/epcis/events",
        operation_id="queryEpcisEvents",
        opt=ANY_ROLE,
        media_type=epcis.MEDIA_TYPE,
    )
    async def events(
        self,
        request: AuthRequest,
        since: Instant = None,
        until: Instant = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Response[bytes]:
        """The same events across the batches the caller may see, `since` ≤ `recordTime` <
        `until`, in record order, as an `EPCISQueryDocument`. The next page's URL, when there
        is one, is in the `Link` header (`rel="next"`), as EPCIS 2.0's REST binding pages
        results."""
        since, until = _aware(request, "since", since), _aware(request, "until", until)
        if since is not None and until is not None and until <= since:
            raise invalid_field("until", "must be after `since`")
        state = request.app.state
        # a long download (service/core/download_gate.py): within the process's and the
        # organization's bounds, the page read on a connection held for the read only, its
        # events (a hash id each) built and encoded in a worker thread
        gate: DownloadGate = state.download_gate
        async with gate.slot(owner_of(request.user)) as ticket:
            async with connection(state.pool) as conn:
                steps, next_cursor = await epcis_queries.visible_steps(
                    conn, request.user, since=since, until=until, limit=limit, cursor=cursor
                )
            base_url = state.settings.public_base_url
            body = await gate.run(ticket, _query_body, base_url, steps, datetime.now(UTC))
        headers = None
        if next_cursor is not None:
            query = {"limit": str(limit), "cursor": next_cursor}
            query |= {k: v.isoformat() for k, v in (("since", since), ("until", until)) if v}
            url = f"{base_url.rstrip('/')}/api/v1/epcis/events?{urlencode(query)}"
            headers = {"Link": f'<{url}>; rel="next"'}
        return Response(body, media_type=epcis.MEDIA_TYPE, headers=headers)


def _query_body(base_url: str, steps: list[epcis.EpcisStep], now: datetime) -> bytes:
    return msgspec.json.encode(epcis.query_document(base_url, steps, now))
