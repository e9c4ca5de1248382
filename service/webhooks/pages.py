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
from service.console.form import Form, Refusals
from service.console.i18n import gettext_for
from service.console.render import flash, page
from service.core.auth import AuthUser
from service.core.db import Db
from service.core.forms import FieldError
from service.core.gettext_marker import N_
from service.core.pagination import Cursor
from service.webhooks import endpoints
from service.webhooks.endpoints import MANAGERS

AuthRequest = Request[AuthUser, Any, State]
RECENT_DELIVERIES = 20
ENDPOINTS_PER_PAGE = 50
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
URL_REFUSALS: Refusals = {
    "webhook_url_refused": lambda exc: [
        FieldError("url", URL_RULE_MESSAGES.get(exc.extra["rule"], ENTER_A_URL))
    ],
}


class WebhookPages(Controller):
    path = "/app/webhooks"
    include_in_schema = False

    @get("/", opt=MANAGERS)
    async def list_page(self, request: AuthRequest, db: Db, cursor: Cursor = None) -> Template:
        """The organization's endpoints, newest first, a page at a time."""
        listed = await endpoints.list_endpoints(db, request.user, ENDPOINTS_PER_PAGE, cursor)
        return page(
            request,
            "webhooks/webhooks.html",
            endpoints=listed.items,
            next_cursor=listed.next_cursor,
        )

    @get("/new", opt=MANAGERS)
    async def new_page(self, request: AuthRequest) -> Template:
        """An empty endpoint form; every event is ticked."""
        return self._form(Form(request, {"url": ""}), list(EVENT_TYPES))

    @post("/new", opt=MANAGERS)
    async def create(self, request: AuthRequest, db: Db) -> Template:
        """Register the endpoint; the answer shows its secret once."""
        form = await Form.read(request, ("url",))
        events = [str(event) for event in form.post.getall("events", [])]
        form.expect(bool(events), "events", N_("Choose at least one event."))
        form.expect(bool(form.values.get("url")), "url", ENTER_A_URL)
        if form.ok and (data := form.decode(WebhookCreate, events=events)) is not None:
            with form.refusals(URL_REFUSALS):
                created = await endpoints.register_endpoint(
                    db,
                    request.user,
                    data,
                    request.app.state.webhook_box,
                    allow_private=request.app.state.webhook_settings.allow_private,
                )
        if not form.ok:
            return self._form(form, events)
        return page(request, "webhooks/webhook_created.html", endpoint=created)

    def _form(self, form: Form, events: list[str]) -> Template:
        return page(
            form.request,
            "webhooks/webhook_new.html",
            status_code=form.status_code,
            chosen=events,
            event_types=EVENT_TYPES,
            **form.context(),
        )

    @get("/{endpoint_id:uuid}", opt=MANAGERS)
    async def deliveries_page(
        self, request: AuthRequest, db: Db, endpoint_id: FromPath[UUID], cursor: Cursor = None
    ) -> Template:
        """One endpoint and its latest deliveries with their attempts, a page at a time (404:
        not ours)."""
        endpoint = await endpoints.endpoint_of(db, request.user, endpoint_id)
        deliveries = await endpoints.recent_deliveries(
            db, request.user, endpoint_id, RECENT_DELIVERIES, cursor
        )
        return page(
            request,
            "webhooks/webhook.html",
            endpoint=endpoint,
            deliveries=deliveries.items,
            next_cursor=deliveries.next_cursor,
        )

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
