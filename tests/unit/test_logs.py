"""JSON log lines survive objects that JSON cannot hold (asyncpg's pool warnings carry some)."""

from __future__ import annotations

import io
import json

import structlog

from service.core.logs import logging_config


class _Connection:
    def __str__(self) -> str:
        return "<PoolConnectionProxy 0x1>"


def test_an_unknown_object_is_logged_as_its_text() -> None:
    processors = logging_config(as_json=True).processors
    assert processors is not None
    out = io.BytesIO()
    logger = structlog.wrap_logger(structlog.BytesLogger(out), processors=processors)
    logger.warning("pool_connection_released", connection=_Connection(), size=3)
    line = json.loads(out.getvalue())
    assert line["event"] == "pool_connection_released"
    assert line["connection"] == "<PoolConnectionProxy 0x1>"
    assert line["size"] == 3
