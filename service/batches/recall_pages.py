"""The console's recall-status page (`/app/batches/{id}/recall-status`, SPEC §13.2): what the API's
`GET /api/v1/batches/{id}/recall` says, and for each customer with a WhatsApp number a
click-to-chat link with the notice prefilled (the producer sends it from their own phone)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote
from uuid import UUID

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Template

from service.batches import actions
from service.batches.recall_status import recall_customers, recall_facts, recall_status
from service.console.i18n import language_of, translations
from service.console.render import page
from service.core.auth import AuthUser
from service.core.db import Db
from service.mail.messages import recall_summary

AuthRequest = Request[AuthUser, Any, State]


def whatsapp_link(number: str, text: str) -> str:
    """wa.me wants the number in digits only, with its country code and without the plus."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return f"https://wa.me/{digits}?text={quote(text, safe='')}"


class RecallPages(Controller):
    path = "/app/batches"
    include_in_schema = False

    @get("/{batch_id:uuid}/recall-status", opt=actions.route_roles("recall"))
    async def recall_status_page(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> Template:
        """Per customer: quantity, notified, acknowledged, WhatsApp; the share acknowledged;
        scans since the recall."""
        status = await recall_status(db, request.user, batch_id)
        facts = await recall_facts(db, batch_id)
        lang = language_of(request)
        gettext = translations(lang).gettext
        rows = await recall_customers(db, batch_id)
        numbers = {r["customer_id"]: r["whatsapp"] for r in rows}
        links = {}
        for customer in status.customers:
            number = numbers.get(customer.customer_id)
            if number:
                params = dict(facts) | {
                    "quantity": customer.quantity,
                    "unit": customer.unit,
                    "reason": status.reason,
                }
                links[customer.customer_id] = whatsapp_link(
                    number, recall_summary(gettext, lang, params)
                )
        return page(
            request,
            "batches/recall_status.html",
            batch_id=batch_id,
            facts=facts,
            status=status,
            whatsapp=links,
            mail_status={r["customer_id"]: r["mail_status"] for r in rows},
        )
