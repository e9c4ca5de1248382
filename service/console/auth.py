"""Who is signed in to the console: the session's user, as the same `AuthUser` the API uses."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from service.core.auth import check_role, user_from_session

# Every console page needs a signed-in user, except handlers marked
# `opt={"exclude_from_auth": True}` (sign-in, invite, language, static files); the rest of the
# app authenticates by bearer token.
NOT_CONSOLE_PATHS = "^/(?!app(?:/|$))."


class ConsoleAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    """Session cookie → `request.user`; then the handler's roles (`opt=roles(...)`) are checked
    exactly as for the API. Not signed in raises 401, which the console shows as a redirect to
    the sign-in page; a role the handler does not list raises 403 (the 403 page)."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        user = await user_from_session(connection)
        if user is None:
            raise NotAuthorizedException("Not signed in.")
        # known before the role is judged: the 403 page then leads to the dashboard, not to
        # the sign-in page of someone already signed in
        connection.scope["user"] = user
        check_role(user, connection.scope["route_handler"])
        return AuthenticationResult(user=user, auth=None)
