"""Strict JSON request bodies: `"5"` is not a number, and no body may nest past the parser's depth.

Litestar converts a request body to the handler's type with msgspec's lax rules (made for query
strings, where every value is text), so a JSON string "5" would pass where a number is expected.
This hook decodes the raw body strictly against the handler's `data` type first; where only the
strict decoding fails, it answers 400 naming the field. Every other error is left to Litestar's
usual validation, so messages stay the same everywhere.

One thing the lax rules accept stays accepted: a number with no fractional part (`801.0`) where an
integer is expected. JSON has one number type, JSON Schema counts `801.0` as an `integer`, and
many clients (JavaScript's, generated ones, spreadsheets) write every number as a float; msgspec's
strict mode alone would refuse it.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException
from litestar.handlers import HTTPRouteHandler

# handler → (strict decoder, lax decoder) of its `data` type, or None when it takes no body
_Decoders = tuple[msgspec.json.Decoder[Any], msgspec.json.Decoder[Any]]
_decoders: dict[HTTPRouteHandler, _Decoders | None] = {}
# msgspec's "... - at `$.dosimeters[0].dose_kgy`" → "dosimeters[0].dose_kgy"
_AT_PATH = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")

TOO_DEEP = "The JSON body is nested too deeply."


def _decoders_of(handler: HTTPRouteHandler) -> _Decoders | None:
    if handler not in _decoders:
        data = handler.parsed_fn_signature.parameters.get("data")
        _decoders[handler] = (
            None
            if data is None
            else (
                msgspec.json.Decoder(data.annotation, strict=True),
                msgspec.json.Decoder(data.annotation, strict=False),
            )
        )
    return _decoders[handler]


def _integral_floats_as_ints(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral_floats_as_ints(item) for item in value]
    if isinstance(value, dict):
        return {key: _integral_floats_as_ints(item) for key, item in value.items()}
    return value


def _strict_but_for_integral_floats(body: bytes, handler: HTTPRouteHandler) -> bool:
    """Whether the body passes the strict rules once each integral float is read as an integer
    (a float field still takes the integer: strict msgspec reads an int as a float)."""
    data = handler.parsed_fn_signature.parameters["data"]
    try:
        value = _integral_floats_as_ints(msgspec.json.decode(body))
        msgspec.convert(value, data.annotation, strict=True)
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError, OverflowError):
        return False
    return True


async def refuse_lax_json(request: Request[Any, Any, Any]) -> None:
    """A `before_request` hook; raises ValidationException (400) for a body that only the lax
    rules would accept, or one nested deeper than the decoder can follow."""
    decoders = _decoders_of(request.route_handler)
    if decoders is None:
        return
    body = await request.body()
    if not body:
        return
    strict, lax = decoders
    try:
        strict.decode(body)
    except RecursionError:
        raise ValidationException(
            TOO_DEEP, extra=[{"key": "body", "message": TOO_DEEP, "source": "body"}]
        ) from None
    except msgspec.ValidationError as exc:
        try:
            lax.decode(body)
        except (msgspec.ValidationError, msgspec.DecodeError):
            return  # wrong either way: Litestar names it as usual
        if _strict_but_for_integral_floats(body, request.route_handler):
            return  # Litestar's lax decoding turns 801.0 into 801
        message = str(exc)
        at = _AT_PATH.search(message)
        field = at["path"] if at and at["path"] else "body"
        raise ValidationException(
            f"Invalid value for {field}.",
            extra=[{"key": field, "message": message, "source": "body"}],
        ) from None
    except msgspec.DecodeError:
        return  # not JSON at all: Litestar's 400
