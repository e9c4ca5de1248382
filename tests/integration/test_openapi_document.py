"""The served OpenAPI document tells the truth: who needs a token, what each refusal looks like,
and what each operation does in words."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import AsyncTestClient

PUBLIC = {
    ("get", "/health"),
    ("get", "/ready"),
    ("get", "/v/{label_path}"),
    ("get", "/01/{label_path}"),
    ("head", "/01/{label_path}"),
    ("get", "/label/01/{label_path}"),
    ("get", "/.well-known/jwks.json"),
    ("get", "/.well-known/gs1resolver"),
    ("post", "/api/v1/shelf-life/estimate"),
}
# the label paths answer an unknown label by content negotiation (a page, JSON or a linkset
# saying `invalid`), as a shopper's phone and a resolver expect, not with a problem document
NEGOTIATED_404 = {"/v/{label_path}", "/01/{label_path}", "/label/01/{label_path}"}


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
    assert "429" in operations[("get", "/v/{label_path}")]["responses"]
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
