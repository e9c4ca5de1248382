"""The route metrics of the routes a scan takes, counted by the routes themselves.

The app's metrics middleware wraps a request and every message it sends in one more layer; on a
label scan that layer cost a tenth of the request. The label routes and the GS1 resolver's GET
leave it out and note their answer here instead, in the same series (service/core/metrics.py).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable

from litestar.exceptions import HTTPException
from litestar.types import Scope

from service.core.metrics import count_request
from service.verify.response import RawResponse
from service.verify.verifier import DATABASE_UNREACHABLE


async def counted(scope: Scope, answering: Awaitable[RawResponse]) -> RawResponse:
    """`answering`'s response, counted and timed under the route of `scope` with its status,
    or with the status the app's error handlers give what it raised."""
    started_s = time.perf_counter()
    status = 500
    try:
        response = await answering
        status = response.status
        return response
    except HTTPException as error:
        status = error.status_code
        raise
    except DATABASE_UNREACHABLE:
        status = 503  # service/core/errors.py: unavailable_handler
        raise
    finally:
        count_request(scope, status, time.perf_counter() - started_s)
