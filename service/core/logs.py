"""How the service logs: JSON lines in production, coloured text at a console."""

from __future__ import annotations

from typing import Any

import msgspec
import structlog
from litestar.logging.config import StructLoggingConfig, default_structlog_processors

# Libraries log objects msgspec cannot encode (asyncpg's pool warnings carry a connection);
# those are written as their str() rather than losing the line to an "Unsupported type" error.
_json_encoder = msgspec.json.Encoder(enc_hook=str)


def json_log_serializer(event: Any, **_: Any) -> bytes:
    return _json_encoder.encode(event)


def logging_config(as_json: bool) -> StructLoggingConfig:
    return StructLoggingConfig(
        processors=default_structlog_processors(
            as_json=as_json, json_serializer=json_log_serializer
        ),
        # the JSON renderer yields bytes, the console renderer text
        logger_factory=structlog.BytesLoggerFactory()
        if as_json
        else structlog.PrintLoggerFactory(),
        log_exceptions="never",  # errors.unexpected_handler logs them once, with the request
    )
