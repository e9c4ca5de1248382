"""The served OpenAPI document tells the truth: who needs a token, what each refusal looks like,
and what each operation does in words."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from uuid import UUID

import asyncpg
from jsonschema import Draft7Validator, Draft202012Validator
from litestar.testing import AsyncTestClient
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from labels.codes import is_code
from labels.gtin import gtin_check_digit_ok
from labels.uri import parse_label_uri
from tests.epcis_schema import schema_path as epcis_schema_path
from tests.integration.batch_steps import batch_in
from tests.integration.batches.shipments.test_export_certificate import us_shipment
from tests.integration.test_labels_api import pdf_pages
from tests.integration.verify_fixtures import label_path, make_batch, server_keyring
from tests.integration.world import World
from tests.unit.labels.samples import decode_all

STANDARDS = Path(__file__).resolve().parents[1] / "standards"

LABEL_PATHS = {
    "/v/{code}",
    "/v/{code}/{serial}",
    "/label/01/{gtin}/10/{lot}",
    "/label/01/{gtin}/10/{lot}/21/{serial}",
}
RESOLVER_PATHS = {"/01/{gtin}", "/01/{gtin}/10/{lot}", "/01/{gtin}/10/{lot}/21/{serial}"}
PUBLIC = {
    ("get", "/health"),
    ("get", "/ready"),
    *(("get", path) for path in LABEL_PATHS | RESOLVER_PATHS),
    *(("head", path) for path in RESOLVER_PATHS),
    ("get", "/.well-known/jwks.json"),
    ("get", "/.well-known/gs1resolver"),
    ("post", "/api/v1/shelf-life/estimate"),
    ("get", "/c/{number}"),
}
# the label paths answer an unknown label by content negotiation (a page, JSON or a linkset
# saying `invalid`), as a shopper's phone and a resolver expect, not with a problem document;
# so does an export certificate's check
NEGOTIATED_404 = LABEL_PATHS | {"/c/{number}"}


async def _document(client: AsyncTestClient) -> dict[str, Any]:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


async def test_public_operations_need_no_token_and_the_rest_a_bearer_one(client) -> None:  # type: ignore[no-untyped-def]
    document = await _document(client)
    operations = _operations(document)
    assert {(m, p) for m, p, _ in operations} >= PUBLIC
    for method, path, operation in operations:
        if (method, path) in PUBLIC:
            assert operation["security"] == [], (method, path)
            assert "401" not in operation["responses"], (method, path)
        else:
            assert operation["security"] == [{"bearer": []}], (method, path)
            assert {"401", "503"} <= operation["responses"].keys(), (method, path)
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


async def test_every_documented_refusal_is_a_problem_document(client) -> None:  # type: ignore[no-untyped-def]
    document = await _document(client)
    problem = document["components"]["schemas"]["ProblemDetails"]
    assert {"type", "title", "status", "detail", "code", "errors"} <= problem["properties"].keys()
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            if not 400 <= int(status) < 500 or (status == "404" and path in NEGOTIATED_404):
                continue
            assert response["content"].keys() == {"application/problem+json"}, (method, path)
            schema = response["content"]["application/problem+json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ProblemDetails"}, (method, path)
    assert "status_code" not in str(document)  # Litestar's own error shape is gone


async def test_refusals_follow_each_route(client) -> None:  # type: ignore[no-untyped-def]
    operations = {(m, p): o for m, p, o in _operations(await _document(client))}
    release = operations[("post", "/api/v1/batches/{batch_id}/release")]["responses"]
    assert {"400", "401", "403", "404", "409", "422", "503"} <= release.keys()
    # open to every role: no 403; no path parameter: no 404; no query nor body: no 400
    assert operations[("get", "/api/v1/me")]["responses"].keys() == {"200", "401", "503"}
    # the public rate limit
    assert "429" in operations[("get", "/v/{code}")]["responses"]
    assert "429" in operations[("post", "/api/v1/shelf-life/estimate")]["responses"]
    assert "429" not in operations[("get", "/health")]["responses"]
    too_many = operations[("get", "/.well-known/jwks.json")]["responses"]["429"]
    assert too_many["headers"]["Retry-After"]["required"] is True


async def test_every_operation_says_what_it_does_in_words(client) -> None:  # type: ignore[no-untyped-def]
    for method, path, operation in _operations(await _document(client)):
        summary = operation.get("summary", "")
        assert summary and " " in summary, (method, path, summary)
        assert not re.search(r"[a-z][A-Z]", summary), (method, path, summary)  # not CamelCase
        description = operation.get("description", "").strip()
        assert description and description != summary, (method, path)


async def test_the_root_redirects_to_the_console(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/app/"


async def test_the_docs_page_loads_nothing_from_outside(client) -> None:  # type: ignore[no-untyped-def]
    page = await client.get("/schema")
    assert page.status_code == 200
    assert "http" not in re.sub(r'href="/[^"]*"', "", page.text)  # no absolute URL at all
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]
    for asset in re.findall(r'(?:src|href)="(/schema/static/[^"]+)"', page.text):
        response = await client.get(asset)
        assert response.status_code == 200, asset


async def test_options_lists_every_method_of_the_path(client) -> None:  # type: ignore[no-untyped-def]
    for path, methods in (
        ("/api/v1/organizations", {"GET", "POST", "OPTIONS"}),
        ("/api/v1/batches", {"GET", "POST", "OPTIONS"}),
        ("/.well-known/jwks.json", {"GET", "HEAD", "OPTIONS"}),
    ):
        response = await client.options(path)
        assert response.status_code == 204, path
        assert {m.strip() for m in response.headers["allow"].split(",")} == methods, path


# --- what a generated client needs: GS1 paths, real examples, typed bodies, files as files ------


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """A validator of `schema` whose `#/components/…` references resolve in `document`."""
    registry: Registry = Registry().with_resource(
        "urn:radura:openapi", Resource(contents=document, specification=DRAFT202012)
    )
    rooted = json.loads(
        json.dumps(schema).replace('"#/components/', '"urn:radura:openapi#/components/')
    )
    return Draft202012Validator(rooted, registry=registry)


def _errors(document: dict[str, Any], schema: dict[str, Any], value: Any) -> list[str]:
    return [error.message for error in _validator(document, schema).iter_errors(value)]


async def test_label_and_resolver_routes_are_documented_as_gs1_paths(client) -> None:  # type: ignore[no-untyped-def]
    document = await _document(client)
    assert "{label_path}" not in json.dumps(document["paths"])
    assert {p for p in document["paths"] if p.startswith(("/v/", "/label/", "/01/"))} == (
        LABEL_PATHS | RESOLVER_PATHS
    )
    for path in LABEL_PATHS | RESOLVER_PATHS:
        for method, operation in document["paths"][path].items():
            parameters = [(p["in"], p["name"]) for p in operation["parameters"]]
            in_path = [name for where, name in parameters if where == "path"]
            assert in_path == re.findall(r"\{(\w+)\}", path), (method, path)
            query = [name for where, name in parameters if where == "query"]
            expected = ["s", "linkType", "lang"] if path.startswith("/v/") else ["17", "s"]
            assert query[: len(expected)] == expected, (method, path, query)  # `s` after `17`
            assert {"linkType", "lang"} <= set(query), (method, path)
    resolver = document["paths"]["/01/{gtin}/10/{lot}"]["get"]["responses"]
    assert {"307", "400", "404"} <= resolver.keys()


async def test_the_certificate_check_is_documented_as_it_answers(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """`/c/{number}`: its number, `s` and `lang` with their patterns and examples, a page or
    JSON for a genuine certificate and for anything else (404, nothing more said); and what the
    app really sends for a certificate it issued, and for a forged one, passes those schemas."""
    document = await _document(client)
    operation = document["paths"]["/c/{number}"]["get"]
    assert operation["operationId"] == "checkExportCertificate"
    parameters = {(p["in"], p["name"]): p for p in operation["parameters"]}
    assert parameters.keys() == {("path", "number"), ("query", "s"), ("query", "lang")}
    number = parameters[("path", "number")]
    assert re.fullmatch(number["schema"]["pattern"], number["example"])
    assert parameters[("query", "lang")]["schema"]["enum"] == ["id", "en"]
    responses = operation["responses"]
    assert responses["200"]["content"].keys() == {"application/json", "text/html"}
    assert responses["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CertificateCheck"
    }
    assert responses["404"]["content"].keys() == {"application/json", "text/html"}
    assert responses["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/InvalidVerification"
    }
    assert {"429", "503"} <= responses.keys() and "401" not in responses

    sent = await us_shipment(client, world)
    pdf = await client.get(
        f"/api/v1/shipments/{sent['shipment']['id']}/certificate.pdf",
        headers=world.producer.headers,
    )
    assert pdf.status_code == 200, pdf.text
    (uri,) = decode_all(pdf_pages(pdf.content, dpi=200)[0])
    parts = urlsplit(uri)
    as_json = {"Accept": "application/json"}
    genuine = await client.get(f"{parts.path}?{parts.query}", headers=as_json)
    assert genuine.status_code == 200
    schema = {"$ref": "#/components/schemas/CertificateCheck"}
    assert _errors(document, schema, genuine.json()) == []
    forged = await client.get(f"{parts.path}?s=AAAA", headers=as_json)
    assert forged.status_code == 404
    schema = {"$ref": "#/components/schemas/InvalidVerification"}
    assert _errors(document, schema, forged.json()) == []
    page = await client.get(f"{parts.path}?{parts.query}&lang=en")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")


async def test_a_label_built_from_the_documented_path_verifies(  # type: ignore[no-untyped-def]
    client, pool: asyncpg.Pool, world: World, data_dir: Path
) -> None:
    """Fill in the documented path and query the way a client does (each value in its own,
    percent-encoded segment), and a genuine label answers `genuine`."""
    document = await _document(client)
    async with pool.acquire() as conn:
        batch = await make_batch(conn, world)
    parsed = parse_label_uri(label_path(server_keyring(data_dir), batch, batch.serials[0]))
    values = {
        "gtin": parsed.gtin14,
        "lot": parsed.lot,
        "serial": parsed.serial,
        "17": parsed.canonical_path.partition("17=")[2][:6],
        "s": parsed.signature_b64,
        "linkType": "gs1:verificationService",
    }
    template = "/label/01/{gtin}/10/{lot}/21/{serial}"
    operation = document["paths"][template]["get"]
    path = template.format(
        **{k: quote(str(v), safe="") for k, v in values.items() if k in template}
    )
    query = [
        (p["name"], values[p["name"]])
        for p in operation["parameters"]
        if p["in"] == "query" and p["name"] in values
    ]
    response = await client.get(path, params=query)
    assert response.status_code == 200, response.text
    assert response.json()["verdict"] == "genuine"


def _scalars(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(where, name, schema, holder of the example) of every property and parameter the
    document describes, GS1's own schemas left out (their examples are whole bodies)."""
    found = []
    for schema_name, schema in document["components"]["schemas"].items():
        if schema_name.startswith(("EPCIS", "Linkset", "ResolverDescription")):
            continue
        for name, property_schema in schema.get("properties", {}).items():
            found.append((schema_name, name, property_schema, property_schema))
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                found.append(
                    (f"{method} {path}", parameter["name"], parameter["schema"], parameter)
                )
    return found


def _domain_errors(name: str, schema: dict[str, Any], value: Any) -> list[str]:
    """The rules a value of this kind follows, beyond its schema."""
    kind = next(
        (o.get("format") for o in schema.get("anyOf") or schema.get("oneOf") or [schema]), None
    )
    errors = []
    if isinstance(value, str):
        if re.fullmatch(r"[A-Za-z]{12,}", value):
            errors.append("random letters")
        if name == "gtin" and not gtin_check_digit_ok(value):
            errors.append("GTIN check digit")
        if name == "lot" and not re.fullmatch(r"[A-Za-z0-9-]{1,20}", value):
            errors.append("not a lot Radura takes")
        if name == "serial" and not is_code(value):
            errors.append("not a serial Radura issues")
        if kind == "uuid" and UUID(value).version != 4:
            errors.append("not a random UUID")
        if kind == "date":
            date.fromisoformat(value)
        if kind == "date-time" and datetime.fromisoformat(value).tzinfo is None:
            errors.append("time without offset")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if name.endswith("_kgy") and not 0 < value <= 10:
            errors.append("not a food irradiation dose in kGy")
        if name.endswith("_c") and not -40 <= value <= 60:
            errors.append("not a food temperature")
    return errors


async def test_every_value_has_a_real_example(client) -> None:  # type: ignore[no-untyped-def]
    document = await _document(client)
    missing, wrong = [], []
    for where, name, schema, holder in _scalars(document):
        options = [
            o
            for o in (schema.get("anyOf") or schema.get("oneOf") or [schema])
            if o.get("type") != "null"
        ]
        # an example a Struct declares itself stands in its type's option (msgspec's schema)
        values = [
            *holder.get("examples", []),
            *([holder["example"]] if "example" in holder else []),
            *(v for o in options if o is not schema for v in o.get("examples", [])),
        ]
        scalar = len(options) == 1 and options[0].get("type") in ("string", "number", "integer")
        if scalar and "enum" not in options[0] and "const" not in options[0] and not values:
            missing.append(f"{where}.{name}")
        for value in values:
            problems = _errors(document, schema, value) + _domain_errors(name, schema, value)
            if problems:
                wrong.append(f"{where}.{name} = {value!r}: {problems}")
    assert missing == [] and wrong == []
    assert (
        len(
            [
                1
                for *_, holder in _scalars(document)
                if holder.get("examples") or "example" in holder
            ]
        )
        > 300
    )


async def test_json_bodies_have_their_schemas_and_real_examples(client, world: World) -> None:  # type: ignore[no-untyped-def]
    document = await _document(client)
    operations = {op["operationId"]: op for _, _, op in _operations(document)}
    schemas = document["components"]["schemas"]

    def body(operation_id: str, media_type: str) -> dict[str, Any]:
        return dict(operations[operation_id]["responses"]["200"]["content"][media_type])

    for operation_id in ("getBatchEpcis", "queryEpcisEvents"):
        assert body(operation_id, "application/ld+json")["schema"] == {
            "$ref": "#/components/schemas/EPCISDocument"
        }
    gs1_epcis = json.loads(epcis_schema_path().read_text(encoding="utf-8"))
    assert {f"EPCIS.{name.lstrip('@')}" for name in gs1_epcis["definitions"]} <= schemas.keys()
    assert body("getJwks", "application/json")["schema"] == {"$ref": "#/components/schemas/JWKS"}
    assert body("gs1ResolverDescription", "application/json")["schema"] == {
        "$ref": "#/components/schemas/ResolverDescription"
    }
    for operation_id in ("resolveGtin", "verifyGs1Label", "verifyShortLabel"):
        assert body(operation_id, "application/linkset+json")["schema"] == {
            "$ref": "#/components/schemas/Linkset"
        }
    # no JSON answer is a bare object any more
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            for media_type, content in response.get("content", {}).items():
                if media_type.endswith("json") and status.startswith("2"):
                    assert content["schema"] not in (
                        {"type": "object"},
                        {"type": "object", "additionalProperties": {}},
                    ), (method, path)
    # the examples are what the app writes, and pass GS1's own schemas as its suite reads them
    for operation_id, media_type, component, gs1_file in (
        ("resolveGtin", "application/linkset+json", "Linkset", "gs1-linkset-schema.json"),
        (
            "gs1ResolverDescription",
            "application/json",
            "ResolverDescription",
            "gs1-resolver-description-schema.json",
        ),
        ("getJwks", "application/json", "JWKS", None),
    ):
        example = body(operation_id, media_type)["example"]
        assert _errors(document, {"$ref": f"#/components/schemas/{component}"}, example) == [], (
            component
        )
        if gs1_file is not None:
            gs1 = json.loads((STANDARDS / gs1_file).read_text(encoding="utf-8"))
            assert list(Draft7Validator(gs1).iter_errors(example)) == [], gs1_file
    # and what the app really sends passes the document's schemas
    batch_id = await batch_in(client, world, "released")
    for url, headers, component in (
        (f"/api/v1/batches/{batch_id}/epcis", world.producer.headers, "EPCISDocument"),
        ("/.well-known/jwks.json", {}, "JWKS"),
        ("/.well-known/gs1resolver", {}, "ResolverDescription"),
    ):
        answer = await client.get(url, headers=headers)
        assert answer.status_code == 200, url
        assert (
            _errors(document, {"$ref": f"#/components/schemas/{component}"}, answer.json()) == []
        ), url


async def test_every_file_is_binary(client) -> None:  # type: ignore[no-untyped-def]
    document = await _document(client)
    files = []
    for method, path, operation in _operations(document):
        for response in operation["responses"].values():
            for media_type, content in response.get("content", {}).items():
                if media_type.startswith(
                    ("image/", "application/pdf", "text/csv", "application/vnd")
                ):
                    files.append((method, path, media_type))
                    assert content["schema"] == {"type": "string", "format": "binary"}, (
                        path,
                        media_type,
                    )
    kinds = {media_type.split(";")[0] for _, _, media_type in files}
    assert {"image/png", "image/svg+xml", "application/pdf", "text/csv"} <= kinds


async def test_webhook_lists_are_paged(client) -> None:  # type: ignore[no-untyped-def]
    document = await _document(client)
    schemas = document["components"]["schemas"]
    for path in ("/api/v1/webhooks", "/api/v1/webhooks/{webhook_id}/deliveries"):
        operation = document["paths"][path]["get"]
        assert {"limit", "cursor"} <= {p["name"] for p in operation["parameters"]}, path
        reference = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        page = schemas[reference.rsplit("/", 1)[1]]
        assert set(page["required"]) == {"items", "next_cursor"}, path
