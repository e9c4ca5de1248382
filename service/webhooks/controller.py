"""HTTP endpoints for an organization's webhook endpoints and their delivery log (SPEC §11)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, delete, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from schemas.common import Page
from schemas.webhooks import WebhookCreate, WebhookCreated, WebhookDelivery, WebhookEndpoint
from service.core.auth import AuthUser
from service.core.db import Db
from service.core.pagination import Cursor, Limit
from service.webhooks import endpoints
from service.webhooks.endpoints import MANAGERS

AuthRequest = Request[AuthUser, None, State]


class WebhooksController(Controller):
    path = "/api/v1/webhooks"
    tags = ["webhooks"]

    @get("/", operation_id="listWebhooks", opt=MANAGERS)
    async def list_webhooks(
        self, request: AuthRequest, db: Db, limit: Limit = 50, cursor: Cursor = None
    ) -> Page[WebhookEndpoint]:
        """The caller's organization's endpoints, newest first (never their secrets), a page at
        a time."""
        return await endpoints.list_endpoints(db, request.user, limit, cursor)

    @post("/", operation_id="createWebhook", opt=MANAGERS)
    async def create_webhook(
        self, request: AuthRequest, db: Db, data: JSONBody[WebhookCreate]
    ) -> WebhookCreated:
        """Register an endpoint for some of `batch.released`, `batch.recalled`,
        `batch.rejected` and `scan.suspect`. The answer carries its signing secret
        (`whsec_…`), shown only this once. The URL must be https and resolve only to public
        addresses (422 `webhook_url_refused` naming the rule otherwise)."""
        state = request.app.state
        return await endpoints.register_endpoint(
            db,
            request.user,
            data,
            state.webhook_box,
            allow_private=state.webhook_settings.allow_private,
        )

    @delete("/{webhook_id:uuid}", operation_id="deleteWebhook", opt=MANAGERS)
    async def delete_webhook(
        self, request: AuthRequest, db: Db, webhook_id: FromPath[UUID]
    ) -> None:
        """Delete an endpoint: nothing more is sent to it; its pending deliveries fail."""
        await endpoints.delete_endpoint(db, request.user, webhook_id)

    @get("/{webhook_id:uuid}/deliveries", operation_id="listWebhookDeliveries", opt=MANAGERS)
    async def list_deliveries(
        self,
        request: AuthRequest,
        db: Db,
        webhook_id: FromPath[UUID],
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[WebhookDelivery]:
        """The endpoint's deliveries, newest first, a page at a time, each with its attempts
        (time, HTTP status or error, when the next one is due)."""
        return await endpoints.recent_deliveries(db, request.user, webhook_id, limit, cursor)
