"""The console pages of an organization's webhook endpoints: the list of endpoints, a
new endpoint with its secret shown once, one endpoint's delivery log, and deleting one.

They call the same functions as /api/v1/webhooks, so the same roles, ownership and URL rules
hold. The secret is shown on the page that answers the post, never through a redirect or a
flash message (which would keep it in the session table)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from schemas.webhooks import EVENT_TYPES, WebhookCreate
from service.console.i18n import gettext_for
from service.console.render import errors_text, flash, page
from service.core.auth import AuthUser
from service.core.db import Db
from service.core.forms import FieldError, FormInvalid, decode_form, form_values
from service.core.gettext_marker import N_
from service.webhooks import endpoints
from service.webhooks.addresses import ForbiddenUrl
from service.webhooks.endpoints import MANAGERS

AuthRequest = Request[AuthUser, Any, State]
RECENT_DELIVERIES = 20
# what each refusal of an address means to the person typing it
URL_RULE_MESSAGES = {
    "https_required": N_("The address must start with https://."),
    "private_address": N_(
        "This address leads into a private or local network. Use an address on the internet."
    ),
    "unresolvable": N_("No server by this name can be found. Check the address."),
    "no_credentials": N_("Leave the user name and password out of the address."),
    "no_fragment": N_("Leave out the part of the address from # on."),
}
ENTER_A_URL = N_("Enter the full address, such as https://contoh.co.id/radura-webhook.")


class WebhookPages(Controller):
    path = "/app/webhooks"
    include_in_schema = False

    @get("/", opt=MANAGERS)
    async def list_page(self, request: AuthRequest, db: Db) -> Template:
        """The organization's endpoints, newest first."""
        return page(
            request,
            "webhooks/webhooks.html",
            endpoints=await endpoints.list_endpoints(db, request.user),
        )

    @get("/new", opt=MANAGERS)
    async def new_page(self, request: AuthRequest) -> Template:
        """An empty endpoint form; every event is ticked."""
        return self._form(request, {"url": ""}, list(EVENT_TYPES), {})

    @post("/new", opt=MANAGERS)
    async def create(self, request: AuthRequest, db: Db) -> Template:
        """Register the endpoint; the answer shows its secret once."""
        form = await request.form()
        values = form_values(form, ("url",))
        events = [str(event) for event in form.getall("events", [])]
        errors: list[FieldError] = []
        status = 422
        if not events:
            errors.append(FieldError("events", N_("Choose at least one event.")))
        if not values.get("url"):
            errors.append(FieldError("url", ENTER_A_URL))
        if not errors:
            try:
                data = decode_form(values, WebhookCreate, events=events)
                created = await endpoints.register_endpoint(
                    db,
                    request.user,
                    data,
                    request.app.state.webhook_box,
                    allow_private=request.app.state.webhook_settings.allow_private,
                )
            except FormInvalid as exc:
                errors, status = exc.errors, exc.status_code
            except ForbiddenUrl as exc:
                errors = [FieldError("url", URL_RULE_MESSAGES.get(exc.extra["rule"], ENTER_A_URL))]
        if errors:
            return self._form(request, values, events, errors_text(request, errors), status)
        return page(request, "webhooks/webhook_created.html", endpoint=created)

    def _form(
        self,
        request: AuthRequest,
        values: dict[str, str],
        events: list[str],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        return page(
            request,
            "webhooks/webhook_new.html",
            status_code=status_code,
            values=values,
            chosen=events,
            event_types=EVENT_TYPES,
            errors=errors,
        )

    @get("/{endpoint_id:uuid}", opt=MANAGERS)
    async def deliveries_page(
        self, request: AuthRequest, db: Db, endpoint_id: FromPath[UUID]
    ) -> Template:
        """One endpoint and its latest deliveries with their attempts (404: not ours)."""
        endpoint = await endpoints.endpoint_of(db, request.user, endpoint_id)
        deliveries = await endpoints.recent_deliveries(
            db, request.user, endpoint_id, RECENT_DELIVERIES
        )
        return page(request, "webhooks/webhook.html", endpoint=endpoint, deliveries=deliveries)

    @get("/{endpoint_id:uuid}/delete", opt=MANAGERS)
    async def delete_confirm(
        self, request: AuthRequest, db: Db, endpoint_id: FromPath[UUID]
    ) -> Template:
        """Asks before deleting."""
        endpoint = await endpoints.endpoint_of(db, request.user, endpoint_id)
        return page(request, "webhooks/webhook_delete.html", endpoint=endpoint)

    @post("/{endpoint_id:uuid}/delete", opt=MANAGERS)
    async def delete(self, request: AuthRequest, db: Db, endpoint_id: FromPath[UUID]) -> Redirect:
        """Delete the endpoint: nothing more is sent to it."""
        await endpoints.delete_endpoint(db, request.user, endpoint_id)
        _ = gettext_for(request)
        flash(request, _("The endpoint is deleted. Nothing more is sent to it."))
        return Redirect("/app/webhooks", status_code=303)
