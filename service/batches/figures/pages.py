"""The regulator's overview page, with the CSV export form (a GET to the API's export, which
the console's session authenticates for reading)."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.response import Template

from schemas.batches import today_in_jakarta
from service.batches.figures.overview import overview
from service.console.i18n import language_of
from service.console.render import page
from service.core.auth import AuthUser, roles
from service.core.db import Db
from service.core.formatting import format_month

AuthRequest = Request[AuthUser, Any, State]


class OverviewPages(Controller):
    path = "/app/overview"
    include_in_schema = False

    @get("/", opt=roles("regulator", "admin"))
    async def overview_page(self, request: AuthRequest, db: Db) -> Template:
        """Batches per facility per month; nonconforming treatments, rejects, recalls and
        suspect serials; the CSV export with its dates."""
        today = today_in_jakarta()
        figures = await overview(db, request.user, today=today)
        return page(
            request,
            "batches/overview.html",
            o=figures,
            month_labels=[format_month(m, language_of(request)) for m in figures.months],
            export_from=date(today.year, 1, 1).isoformat(),
            export_to=today.isoformat(),
        )
