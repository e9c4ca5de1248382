"""`radura serve --access-log`: granian's access log, with the secrets some URLs carry cut short.

An invite link (`/app/invite/{token}`) or a password-reset link signs its holder in, so the log
keeps only the first characters of what follows those paths, and of `token=` and `s=` query
values: enough to match a line with a link one holds, useless to anyone reading the log.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

# the paths whose following segments are secrets (`/r/`: recall acknowledgement links)
SECRET_PATHS = ("/app/invite/", "/app/password-reset/", "/r/")
SECRET_QUERY_KEYS = ("token", "s")
KEPT_CHARS = 6

_SECRET_PATH = re.compile(
    r"(?P<prefix>(?:" + "|".join(re.escape(p) for p in SECRET_PATHS) + r"))(?P<rest>.*)"
)
_SECRET_QUERY = re.compile(
    r"(?P<key>(?:^|[&;])(?:" + "|".join(SECRET_QUERY_KEYS) + r")=)(?P<value>[^&;#]*)",
    re.IGNORECASE,
)


def _shorten(secret: str) -> str:
    return secret if len(secret) <= KEPT_CHARS else secret[:KEPT_CHARS] + "…"


def redact_path(path: str) -> str:
    """`path` with every segment after a secret path, and its secret query values, shortened."""
    path, mark, query = path.partition("?")
    match = _SECRET_PATH.match(path)
    if match is not None:
        rest = "/".join(_shorten(segment) for segment in match["rest"].split("/"))
        path = match["prefix"] + rest
    return path + mark + (redact_query(query) if mark else "")


def redact_query(query: str) -> str:
    return _SECRET_QUERY.sub(lambda m: m["key"] + _shorten(m["value"]), query)


class RedactSecrets(logging.Filter):
    """Shortens the secrets of a granian access-log record's path and query string."""

    def filter(self, record: logging.LogRecord) -> bool:
        atoms = record.args
        if isinstance(atoms, dict):
            fields: dict[str, Any] = dict(atoms)
            if isinstance(fields.get("path"), str):
                fields["path"] = redact_path(fields["path"])
            if isinstance(fields.get("query_string"), str):
                fields["query_string"] = redact_query(fields["query_string"])
            record.args = fields
        return True


def access_log_config() -> dict[str, Any]:
    """Granian's own logging configuration, with RedactSecrets on its access log handler (the
    workers apply it themselves, so it names the filter by its import path)."""
    from granian.log import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"redact_secrets": {"()": f"{__name__}.RedactSecrets"}}
    config["handlers"]["access"]["filters"] = ["redact_secrets"]
    return config
