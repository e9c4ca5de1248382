"""`/`: a person who types the bare host name lands on the console (its sign-in when signed out)."""

from __future__ import annotations

from litestar import get
from litestar.response import Redirect
from litestar.status_codes import HTTP_302_FOUND


@get("/", exclude_from_auth=True, include_in_schema=False, cache=False)
async def root() -> Redirect:
    return Redirect("/app/", status_code=HTTP_302_FOUND)
