"""The served OpenAPI document, made to say what the app really does.

Litestar documents every refusal in its own error shape (`status_code`/`detail`/`extra`), lets a
public route inherit the app-wide bearer requirement and names operations after their handler.
One pass over the generated document, keyed by each route's own facts (public or not, roles,
rate limit, parameters, body) and by `REFUSALS` below, puts in their place the problem details
the exception handlers of `service/core/errors.py` send, `security: []` on public operations and
a summary in words. Request bodies are described by msgspec's own JSON Schema of their Structs,
which keeps what Litestar's drops (`additionalProperties: false` of a Struct that refuses unknown
fields, `exclusiveMinimum: 0` of an optional number). A route that takes the rest of its path is
shown as the GS1 Digital Link forms it answers (`opt["documented_as"]`, see
`service/verify/documented_forms.py`); the JSON the app writes itself gets its real schema
(`bodies.py`: GS1's for EPCIS, linksets and the resolver description); every file (a PDF, an
image, a workbook, a CSV) is `format: binary`; and every value gets a real example
(`examples.py`). Schemathesis (`tests/integration/test_schemathesis.py`) holds the result to the
app's real answers, and `tests/integration/test_generated_client.py` a client generated from it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator
from typing import Any

import msgspec
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

from service.api_docs import bodies, examples
from service.core.auth import ANY_ROLE
from service.core.errors import PROBLEM_MEDIA_TYPE

PROBLEM_SCHEMA_NAME = "ProblemDetails"
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details. A refusal by a domain rule has a stable `code`; "
    "a malformed request lists each field at fault in `errors`; some add their own members "
    "(a state conflict: `current_status`, `expected_status`).",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "`about:blank` or a URI naming the `code`"},
        "title": {"type": "string"},
        "status": {"type": "integer", "description": "the HTTP status code"},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "the machine-readable reason"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}

# What each refusal means, as the response's description.
_MEANING = {
    400: "Malformed request: each field at fault is named in `errors`.",
    401: "No bearer token, or an unknown, expired or revoked one.",
    403: "The caller's role may not do this.",
    404: "No such resource, or one of another organization (the two look alike).",
    409: "The resource is not in a state that allows this, or the record already exists.",
    422: "Well-formed, but a domain rule refuses it; `code` names the rule.",
    429: "Too many requests from this client's network; `Retry-After` says when to return.",
    503: "Busy, or the database is unreachable; `Retry-After` says when to retry.",
}

# Refusals a handler's domain code raises, beyond what the route's own facts already imply
# (400 with parameters or a body, 401/403 when authenticated, 404 with a path parameter,
# 429 on public routes, 503 everywhere the database is read).
REFUSALS: dict[str, tuple[int, ...]] = {
    "changePurposeLimit": (422,),
    "createIrradiator": (404, 422),
    "createOrganization": (422,),
    "createUser": (404, 409, 422),
    "disableUser": (422,),
    "inviteUser": (422,),
    "listUsers": (404,),
    "listIrradiators": (404,),
    "listTokens": (404,),
    "createToken": (422,),
    "createDoseMap": (403, 422),
    "newDoseMapVersion": (409, 422),
    "editOrganization": (422,),
    "editIrradiator": (422,),
    "editUser": (422,),
    "issueLabels": (409, 422),
    "getLabelPng": (409, 422),
    "getLabelSvg": (409, 422),
    "getLabelsCsv": (409,),
    "getLabelsXlsx": (409,),
    "getLabelsPdf": (409, 422),
    "getQrPng": (409, 422),
    "getQrSvg": (409,),
    "createProduct": (404, 409, 422),
    "editProduct": (422,),
    "listProducts": (404,),
    "registerBatch": (404, 409, 422),
    "listBatches": (404,),
    "cancelBatch": (409,),
    "recallBatch": (409,),
    "receiveBatch": (409, 422),
    "recordTreatment": (404, 409, 422),
    "rejectBatch": (403, 409, 422),
    "releaseBatch": (403, 409, 422),
    "getTreatmentCertificate": (409,),
    "estimateShelfLife": (404, 422),
    "createWebhook": (422,),
    "shipBatch": (409, 422),
    "cancelShipment": (409,),
    "getShipmentCertificate": (409, 422),
}

# The label paths answer by `Accept` (and `linkType`): a page by default, JSON, a GS1 linkset or
# the certificate; Litestar's ResponseSpec names one media type, so the others are added here.
_PAGE = {"schema": {"type": "string"}}
NEGOTIATED: dict[str, dict[str, dict[str, Any]]] = {
    "200": {
        "text/html": _PAGE,
        "application/linkset+json": {"schema": bodies.ref(bodies.LINKSET)},
        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    },
    "404": {"text/html": _PAGE},
}
# The export certificate's check (`/c/{number}`) answers a page or JSON, nothing else.
NEGOTIATED_PAGE: dict[str, dict[str, dict[str, Any]]] = {
    "200": {"text/html": _PAGE},
    "404": {"text/html": _PAGE},
}
_NEGOTIATED_BY_KIND = {"label": NEGOTIATED, "page": NEGOTIATED_PAGE}
# JSON a handler writes itself, by the media type it is sent as or by the operation
_BODY_BY_MEDIA_TYPE = {
    "application/ld+json": bodies.EPCIS,
    "application/linkset+json": bodies.LINKSET,
}
_BODY_BY_OPERATION = {
    "getJwks": bodies.JWKS,
    "gs1ResolverDescription": bodies.RESOLVER_DESCRIPTION,
}

# words a summary writes in capitals
_ACRONYMS = {"png", "svg", "csv", "xlsx", "pdf", "qr", "jwks", "epcis", "gs1"}
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_PATH_PARAMETER = re.compile(r"\{[^}]+\}")
_HEALTH_PROBES = frozenset({"/health", "/ready"})


def summary_of(operation_id: str) -> str:
    """`getLabelsPdf` → `Get labels PDF`."""
    words = [w.lower() for w in _WORD.findall(operation_id)]
    words = [w.upper() if w in _ACRONYMS else w for w in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _handlers(app: Litestar) -> dict[tuple[str, str], HTTPRouteHandler]:
    found = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for method, (handler, _) in route.route_handler_map.items():
                found[(route.path_format or "/", method.lower())] = handler
    return found


def _request_body_schemas(handlers: Iterable[HTTPRouteHandler]) -> dict[str, Any]:
    """msgspec's schemas of every request body Struct and the Structs inside them, by name."""
    bodies = set()
    for handler in handlers:
        data = handler.parsed_fn_signature.parameters.get("data")
        body = data.annotation if data is not None else None
        if isinstance(body, type) and issubclass(body, msgspec.Struct):
            bodies.add(body)
    _, schemas = msgspec.json.schema_components(
        sorted(bodies, key=lambda t: t.__name__), ref_template="#/components/schemas/{name}"
    )
    return schemas


def _statuses(
    path: str, operation: dict[str, Any], handler: HTTPRouteHandler, public: bool
) -> Iterator[int]:
    # a malformed path parameter matches no route (404); a query or a body is decoded (400)
    if operation.get("requestBody") or any(
        p.get("in") != "path" for p in operation.get("parameters", [])
    ):
        yield 400
    if not public:
        yield 401
        if handler.opt.get("roles") != ANY_ROLE["roles"]:
            yield 403
    if _PATH_PARAMETER.search(path):
        yield 404
    # every public route but the probes shares the per-client limit (on unless set to 0)
    if public and path not in _HEALTH_PROBES:
        yield 429
    if path not in _HEALTH_PROBES:
        yield 503
    yield from REFUSALS.get(operation.get("operationId", ""), ())


def _is_litestar_error_shape(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return "status_code" in schema.get("properties", {})


def _problem_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": _MEANING.get(status, "Refused."),
        "content": {
            PROBLEM_MEDIA_TYPE: {"schema": {"$ref": f"#/components/schemas/{PROBLEM_SCHEMA_NAME}"}}
        },
    }
    if status in (429, 503):
        response["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "required": True}}
    return response


def make_truthful(document: dict[str, Any], app: Litestar, public_paths: Iterable[str]) -> None:
    """Rewrites the generated `document` in place (see the module's docstring)."""
    public_patterns = [re.compile(p) for p in public_paths]
    handlers = _handlers(app)
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components.update(_request_body_schemas(handlers.values()))
    components[PROBLEM_SCHEMA_NAME] = PROBLEM_SCHEMA
    components.update(bodies.components())
    _show_documented_forms(document, handlers)
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            handler = handlers.get((path, method))
            if handler is None or not isinstance(operation, dict):
                continue
            public = bool(handler.opt.get("exclude_from_auth")) or any(
                p.search(path) for p in public_patterns
            )
            _describe(path, operation, handler, public)
    examples.add_examples(document)


def _show_documented_forms(
    document: dict[str, Any], handlers: dict[tuple[str, str], HTTPRouteHandler]
) -> None:
    """Each operation of a route that names its forms becomes one operation per form, in the
    route's place (the route's own `{label_path}` is no path a client could build)."""
    paths: dict[str, Any] = document.get("paths", {})
    shown: dict[str, Any] = {}
    for path, item in paths.items():
        forms_of_item: dict[str, dict[str, Any]] = {}
        for method, operation in item.items():
            handler = handlers.get((path, method))
            forms = handler.opt.get("documented_as") if handler is not None else None
            if handler is None or not forms or not isinstance(operation, dict):
                forms_of_item.setdefault(path, {})[method] = operation
                continue
            for form in forms:
                shown_operation = copy.deepcopy(operation)
                shown_operation["operationId"] = form.operation_id
                shown_operation["summary"] = form.summary
                shown_operation["parameters"] = form.parameter_objects()
                forms_of_item.setdefault(form.path, {})[method] = shown_operation
                handlers[(form.path, method)] = handler
        for shown_path, operations in forms_of_item.items():
            shown.setdefault(shown_path, {}).update(operations)
    document["paths"] = shown


def _describe(
    path: str, operation: dict[str, Any], handler: HTTPRouteHandler, public: bool
) -> None:
    operation["security"] = [] if public else [{"bearer": []}]
    if not operation.get("summary") or operation["summary"] == _default_summary(handler):
        operation["summary"] = summary_of(operation.get("operationId") or handler.handler_name)
    responses = operation.setdefault("responses", {})
    negotiated_kind = handler.opt.get("negotiated")
    if negotiated_kind:
        for negotiated, media_types in _NEGOTIATED_BY_KIND[negotiated_kind].items():
            responses[negotiated].setdefault("content", {}).update(media_types)
    for code in sorted(set(_statuses(path, operation, handler, public))):
        current = responses.get(str(code))
        if current is None or _is_litestar_error_shape(current):
            responses[str(code)] = _problem_response(code)
    # JSON a handler writes itself (EPCIS, a linkset, the JWKS), which Litestar describes as a
    # string or a bare object, gets its real schema
    body = _BODY_BY_OPERATION.get(operation.get("operationId", ""))
    for status, response in responses.items():
        for media_type, content in response.get("content", {}).items():
            component = _BODY_BY_MEDIA_TYPE.get(media_type)
            if component is None and status == "200" and media_type == "application/json":
                component = body
            if component is not None:
                content["schema"] = bodies.ref(component)
                example = examples.body_example(component)
                if example is not None:
                    content["example"] = example
            elif media_type.endswith("json") and content.get("schema") == {"type": "string"}:
                content["schema"] = {"type": "object"}
    # a file (a PDF, a PNG, an SVG, a workbook, a CSV), which Litestar describes as text or not
    # at all, is a string of bytes: a generated client reads it as a file
    for response in responses.values():
        for media_type, content in response.get("content", {}).items():
            if _is_file(media_type):
                content["schema"] = {"type": "string", "format": "binary"}
    # a handler's own problem answers, declared with a loose schema, get the shared one
    for status, response in responses.items():
        problem = response.get("content", {}).get(PROBLEM_MEDIA_TYPE)
        if status.startswith("4") and problem is not None:
            problem["schema"] = {"$ref": f"#/components/schemas/{PROBLEM_SCHEMA_NAME}"}
    # Litestar's own error shape left on a status none of the above names
    for status, response in list(responses.items()):
        if _is_litestar_error_shape(response):
            responses[status] = _problem_response(int(status))


def _is_file(media_type: str) -> bool:
    """Anything but JSON and a page: images (SVG too), PDFs, workbooks, CSV."""
    kind = media_type.split(";")[0].strip()
    return not (kind == "text/html" or kind.endswith("json") or kind in ("*/*", "text/plain"))


def _default_summary(handler: HTTPRouteHandler) -> str:
    # what Litestar writes when a handler names no summary (litestar/_openapi/path_item.py)
    return re.sub(r"[!#$%&'*+\-.^_`|~:]+", "", handler.handler_name.title())
