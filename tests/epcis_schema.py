"""GS1's EPCIS 2.0 JSON schema, for tests to validate Radura's documents against."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

_ROOT = Path(__file__).resolve().parent.parent
SCHEMA_NAME = "epcis-2.0-json-schema.json"
# the shared copy beside the repository, and the one shipped with the tests (tests/standards)
SHARED_SCHEMA = _ROOT.parent / "shared" / "standards" / SCHEMA_NAME
SHIPPED_SCHEMA = Path(__file__).resolve().parent / "standards" / SCHEMA_NAME


def schema_path() -> Path:
    return SHARED_SCHEMA if SHARED_SCHEMA.is_file() else SHIPPED_SCHEMA


@cache
def validator() -> Draft7Validator:
    """The schema declares draft-07; formats (uri, date-time) are checked too."""
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def schema_errors(document: Any) -> list[str]:
    """Every way `document` breaks the schema, as readable lines (empty when it validates)."""
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator().iter_errors(document)
    ]
