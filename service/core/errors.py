"""Domain exceptions and the one place that turns every error into RFC 9457 problem details."""

from __future__ import annotations

import re
import time
from typing import Any

import asyncpg
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

log = structlog.get_logger()

PROBLEM_BASE = "https://radura.id/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"


class DomainError(Exception):
    """A request that is well-formed but refused; `code` is the stable machine-readable reason."""

    status_code = 422
    title = "Unprocessable request"

    def __init__(self, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.extra = extra


class RuleViolation(DomainError):
    """A domain rule refused the request (422)."""


class Conflict(DomainError):
    status_code = 409
    title = "Conflict"


class NotFound(DomainError):
    status_code = 404
    title = "Not found"

    def __init__(self, what: str = "resource") -> None:
        super().__init__("not_found", f"No such {what}.")
        self.what = what


class Forbidden(DomainError):
    status_code = 403
    title = "Forbidden"


class Unavailable(DomainError):
    """Busy for now (503); `Retry-After` says when to come back."""

    status_code = 503
    title = "Service unavailable"

    def __init__(self, code: str, detail: str, *, retry_after_s: int = 2, **extra: Any) -> None:
        super().__init__(code, detail, **extra)
        self.retry_after_s = retry_after_s


def field_error(field: str, message: str) -> ValueError:
    """A validation error raised from a Struct's `__post_init__`, naming the field it is about."""
    return ValueError(f"{field}: {message}")


def _problem(
    status: int,
    title: str,
    detail: str,
    *,
    code: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response[Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code if code else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if code:
        body["code"] = code
    body.update(extra)
    return Response(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


_POST_INIT_FIELD = re.compile(r"^(?P<field>[a-z_][a-z0-9_.]*): (?P<message>.+)$", re.S)
# msgspec names a missing or unknown field only in its message: "Object missing required field `x`"
_MSGSPEC_FIELD = re.compile(r"field `(?P<field>[^`]+)`")


def _field_errors(exc: ValidationException) -> list[dict[str, str]]:
    errors = []
    extra = exc.extra if isinstance(exc.extra, list) else [exc.extra] if exc.extra else []
    for item in extra:
        if not isinstance(item, dict):
            errors.append({"field": "", "message": str(item)})
            continue
        message = str(item.get("message", ""))
        field = str(item.get("key", ""))
        if match := _POST_INIT_FIELD.match(message):
            field, message = match["field"], match["message"]
        elif field in ("", "data") and (named := _MSGSPEC_FIELD.search(message)):
            field = named["field"]
        field = field or str(item.get("source", ""))
        errors.append({"field": field, "message": message})
    return errors


def validation_handler(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    errors = _field_errors(exc)
    named = ", ".join(e["field"] for e in errors if e["field"]) or "request"
    return _problem(400, "Invalid request", f"Invalid value for {named}.", errors=errors)


def domain_handler(_: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, Unavailable) else None
    return _problem(
        exc.status_code, exc.title, exc.detail, code=exc.code, headers=headers, **exc.extra
    )


def http_handler(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    title = {
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not found",
        405: "Method not allowed",
        429: "Too many requests",
    }.get(exc.status_code, "Error")
    if exc.status_code == 400:
        # e.g. a body that is not JSON at all: the whole body is the field at fault
        return _problem(
            400,
            "Invalid request",
            str(exc.detail),
            headers=exc.headers,
            errors=[{"field": "body", "message": str(exc.detail)}],
        )
    return _problem(exc.status_code, title, str(exc.detail), headers=exc.headers)


# constraint name → (field, code): unique violations become a 409 naming what clashed
UNIQUE_CONSTRAINTS: dict[str, tuple[str, str]] = {
    "products_gtin_key": ("gtin", "duplicate_gtin"),
    "batches_product_lot_key": ("lot", "duplicate_lot"),
    "users_email_key": ("email", "duplicate_email"),
}


def unique_violation(exc: asyncpg.UniqueViolationError) -> tuple[str, str]:
    """(field, code) of a unique violation, by the name of its constraint; ("", "duplicate")
    for a constraint not listed. The API's 409 and the console's forms both read it."""
    return UNIQUE_CONSTRAINTS.get(exc.constraint_name or "", ("", "duplicate"))


def postgres_handler(_: Request[Any, Any, Any], exc: asyncpg.PostgresError) -> Response[Any]:
    if isinstance(exc, asyncpg.UniqueViolationError):
        field, code = unique_violation(exc)
        return _problem(
            409,
            "Conflict",
            f"A record with this {field or 'key'} already exists.",
            code=code,
            field=field,
        )
    if isinstance(exc, asyncpg.ForeignKeyViolationError):
        return _problem(
            422,
            "Unprocessable request",
            "A referenced record does not exist.",
            code="unknown_reference",
        )
    if isinstance(exc, asyncpg.CheckViolationError | asyncpg.NotNullViolationError):
        return _problem(
            422,
            "Unprocessable request",
            "The record breaks a stored rule.",
            code="constraint_violation",
            constraint=exc.constraint_name or "",
        )
    if isinstance(exc, asyncpg.SerializationError | asyncpg.DeadlockDetectedError):
        return _problem(
            503,
            "Service unavailable",
            "A concurrent change won; retry the request.",
            code="retry",
            headers={"Retry-After": "1"},
        )
    if isinstance(exc, asyncpg.DataError):
        message = "A value is out of range for its field."
        return _problem(
            400, "Invalid request", message, errors=[{"field": "body", "message": message}]
        )
    return unexpected_handler(_, exc)


# While the database is away every request would log this: one line per interval is enough,
# with how many were left out.
_UNAVAILABLE_LOG_INTERVAL_S = 10.0
_unavailable_log = {"last_at": float("-inf"), "unlogged": 0}


def unavailable_handler(_: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    now = time.monotonic()
    if now - _unavailable_log["last_at"] >= _UNAVAILABLE_LOG_INTERVAL_S:
        log.warning(
            "database_unavailable", error=type(exc).__name__, also=_unavailable_log["unlogged"]
        )
        _unavailable_log.update(last_at=now, unlogged=0)
    else:
        _unavailable_log["unlogged"] += 1
    return _problem(
        503,
        "Service unavailable",
        "The service is busy or its database unreachable; retry shortly.",
        code="database_unavailable",
        headers={"Retry-After": "2"},
    )


def too_deep_handler(_: Request[Any, Any, Any], exc: RecursionError) -> Response[Any]:
    # msgspec follows nesting until Python's recursion limit: a JSON body nested ~1000 levels
    # deep ends here wherever it is decoded
    message = "The JSON body is nested too deeply."
    return _problem(400, "Invalid request", message, errors=[{"field": "body", "message": message}])


def unexpected_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.error("unhandled_error", method=request.method, path=request.url.path, exc_info=exc)
    return _problem(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "Internal server error",
        "Something went wrong on our side; it has been logged.",
    )


def exception_handlers() -> dict[Any, Any]:
    return {
        ValidationException: validation_handler,
        DomainError: domain_handler,
        HTTPException: http_handler,
        asyncpg.PostgresConnectionError: unavailable_handler,
        asyncpg.OperatorInterventionError: unavailable_handler,
        asyncpg.InterfaceError: unavailable_handler,
        # a connection cut mid-query (the server stopping) can leave asyncpg in this state
        asyncpg.InternalClientError: unavailable_handler,
        ConnectionError: unavailable_handler,
        TimeoutError: unavailable_handler,
        OSError: unavailable_handler,
        asyncpg.PostgresError: postgres_handler,
        RecursionError: too_deep_handler,
        Exception: unexpected_handler,
    }
