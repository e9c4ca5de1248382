"""Schemas of the JSON bodies the app writes itself, which Litestar can only call `object`: EPCIS
documents, linksets and the resolver description by GS1's own published schemas (copies in
`standards/`, unchanged: `tests/unit/test_api_docs_standards.py` holds them to the copies the
tests validate against), and the JWKS by RFC 7517/8037.

GS1's schemas are JSON Schema draft-07 files with their own `definitions`; an OpenAPI 3.1
document speaks JSON Schema 2020-12, whose keywords these schemas use in the same sense. Each is
placed in `components/schemas` whole, its `$schema` and `$id` left out (as an embedded resource
its `$id` would move the base of every reference in it) and named in its description; EPCIS's
definitions stand beside it as `EPCIS.*` components, its `#/definitions/…` references pointing
there.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

STANDARDS = Path(__file__).parent / "standards"
EPCIS_FILE = "epcis-2.0-json-schema.json"
LINKSET_FILE = "gs1-linkset-schema.json"
RESOLVER_DESCRIPTION_FILE = "gs1-resolver-description-schema.json"

EPCIS = "EPCISDocument"
LINKSET = "Linkset"
RESOLVER_DESCRIPTION = "ResolverDescription"
JWKS = "JWKS"
_EPCIS_DEFINITION = "EPCIS."
_NOT_IN_A_NAME = re.compile(r"[^A-Za-z0-9._-]")


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _load(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((STANDARDS / name).read_text(encoding="utf-8"))
    return schema


def _definition_name(name: str) -> str:
    return _EPCIS_DEFINITION + _NOT_IN_A_NAME.sub("", name)


def _pointing_at_components(node: Any) -> Any:
    if isinstance(node, dict):
        moved = {key: _pointing_at_components(value) for key, value in node.items()}
        target = moved.get("$ref")
        if isinstance(target, str) and target.startswith("#/definitions/"):
            # a JSON pointer: `@context` is written `%40context`
            name = unquote(target.removeprefix("#/definitions/"))
            moved["$ref"] = ref(_definition_name(name))["$ref"]
        return moved
    if isinstance(node, list):
        return [_pointing_at_components(item) for item in node]
    return node


def _embedded(schema: dict[str, Any], origin: str) -> dict[str, Any]:
    body = {k: v for k, v in schema.items() if k not in ("$schema", "$id", "@id", "definitions")}
    said = body.get("description") or body.get("title") or ""
    body["description"] = f"{said} (GS1's schema, {origin}, unchanged)".lstrip()
    return body


@cache
def components() -> dict[str, dict[str, Any]]:
    """Every schema above by its component name."""
    epcis = _load(EPCIS_FILE)
    found = {
        EPCIS: _pointing_at_components(
            _embedded(
                epcis | {"description": "An EPCIS 2.0 document"},
                f"{epcis['$id']}; its definitions are the `EPCIS.*` components",
            )
        )
    }
    for name, definition in epcis["definitions"].items():
        found[_definition_name(name)] = _pointing_at_components(definition)
    linkset = _load(LINKSET_FILE)
    found[LINKSET] = _embedded(linkset, linkset["@id"])
    found[RESOLVER_DESCRIPTION] = _embedded(
        _load(RESOLVER_DESCRIPTION_FILE),
        "GS1 Digital Link resolver description file schema, as its open-source resolver "
        "publishes it",
    )
    found[JWKS] = JWKS_SCHEMA
    return found


JWKS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The public keys that sign Radura labels (RFC 7517; Ed25519 keys as RFC 8037 "
    "writes them). A label's `s` starts with the `kid` of its key; a `retired` key no longer "
    "signs but still verifies the labels it signed.",
    "required": ["keys"],
    "properties": {
        "keys": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["kty", "crv", "x", "kid", "alg", "use", "status"],
                "properties": {
                    "kty": {"const": "OKP"},
                    "crv": {"const": "Ed25519"},
                    "x": {
                        "type": "string",
                        "description": "The public key, base64url without padding.",
                        "pattern": "^[A-Za-z0-9_-]{43}$",
                        "examples": ["oyEFJuJsJezJf5WqNI6MlnNAUTXGJwKX80E7gIAxm_c"],
                    },
                    "kid": {
                        "type": "string",
                        "description": "Key id: 8 bytes in hex.",
                        "pattern": "^[0-9a-f]{16}$",
                        "examples": ["a857fcbd7099429d"],
                    },
                    "alg": {"const": "EdDSA"},
                    "use": {"const": "sig"},
                    "status": {"type": "string", "enum": ["active", "retired"]},
                },
            },
        }
    },
}
