"""The verification page reaches phones gzipped, and public routes skip the console's layers."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from service.verify import texts
from tests.integration.verify_fixtures import label_path, make_batch, server_keyring
from tests.integration.world import World

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
IDENTITY = {"Accept-Encoding": "identity"}


@pytest.fixture(scope="module")
def keyring(data_dir: Path):  # type: ignore[no-untyped-def]
    return server_keyring(data_dir)


def _vary(response) -> set[str]:  # type: ignore[no-untyped-def]
    return {token.strip() for token in response.headers["vary"].split(",")}


@pytest.mark.parametrize("lang", ["id", "en"])
async def test_page_is_gzipped_for_a_phone_and_plain_otherwise(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring, lang: str
) -> None:
    async with pool.acquire() as conn:
        batch = await make_batch(conn, world)
    path = label_path(keyring, batch, batch.serials[0]) + f"&lang={lang}"
    plain = await client.get(path, headers=IDENTITY)
    compressed = await client.get(path, headers=GZIP)
    assert plain.status_code == compressed.status_code == 200
    assert "content-encoding" not in plain.headers
    assert compressed.headers["content-encoding"] == "gzip"
    for response in (plain, compressed):
        assert "Accept-Encoding" in _vary(response)
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
    # the client decoded the gzip: the same page, one scan later
    scans = texts.LABELS[lang]["scans"]  # type: ignore[index]
    expected = plain.text.replace(scans.format(n=1), scans.format(n=2))
    assert expected != plain.text
    assert compressed.text == expected
    assert compressed.num_bytes_downloaded < len(compressed.content) / 2
    assert int(compressed.headers["content-length"]) == compressed.num_bytes_downloaded


async def test_invalid_page_is_gzipped_too(client: AsyncTestClient) -> None:
    plain = await client.get("/v/0000000000?s=AAAA", headers=IDENTITY)
    compressed = await client.get("/v/0000000000?s=AAAA", headers=GZIP)
    assert plain.status_code == compressed.status_code == 404
    assert compressed.headers["content-encoding"] == "gzip"
    assert compressed.text == plain.text


def _layers(settings) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Each route handler's middleware by class name, and "before_request" for its hook."""
    from service.app import create_app

    app = create_app(settings)
    layers: dict[str, list[str]] = {}
    for route in app.routes:
        for handler in route.route_handlers:
            names = [getattr(m, "middleware", m).__name__ for m in handler.resolve_middleware()]
            if handler.resolve_before_request() is not None:
                names.append("before_request")
            layers[f"{route.path} {handler.handler_name}"] = names
    return layers


# the routes a scan takes: they count themselves in the request metrics (service/verify/counted.py)
SCAN_ROUTES = (
    "/label/01/{label_path:path} verify_gs1_label",
    "/01/{label_path:path} resolve_gs1_uri",
    "/v/{label_path:path} verify_short_label",
)


def test_public_routes_pass_no_session_sign_in_or_csrf_layer(settings) -> None:  # type: ignore[no-untyped-def]
    """A scan pays for none of the console's middleware, nor the metrics' layer, nor a body
    check; the console keeps all of it."""
    layers = _layers(settings)
    for route in SCAN_ROUTES:
        assert layers[route] == [], route
    console = {
        "SessionMiddleware",
        "TokenAuthenticationMiddleware",
        "CSRFMiddleware",
        "CompressionMiddleware",
        "before_request",
    }
    assert console <= set(layers["/app dashboard_page"])
    assert console <= set(layers["/api/v1/batches/{batch_id:uuid}/scans batch_scans"])


def test_every_other_route_passes_the_request_metrics(settings) -> None:  # type: ignore[no-untyped-def]
    """Leaving the metrics' layer off the scan routes left it on every other one, outermost
    but for the rate limit (which counts its own 429s), and the strict JSON check on every
    route that may take a body."""
    layers = _layers(settings)
    outside_metrics = ("before_request", "_RateLimitWithRetryAfter")
    unmeasured = [
        route
        for route, names in layers.items()
        if route not in SCAN_ROUTES
        and [n for n in names if n not in outside_metrics][-1:] != ["_RouteMetricsMiddleware"]
    ]
    assert unmeasured == []
    assert "before_request" in layers["/api/v1/batches register_batch"]
    assert "before_request" in layers["/api/v1/shelf-life/estimate estimate"]


async def test_the_rest_of_the_app_stays_gzipped(client: AsyncTestClient) -> None:
    """What left the app-wide layer for the scans' sake still reaches browsers compressed."""
    for path in ("/schema/openapi.json", "/app/static/console.css"):
        response = await client.get(path, headers=GZIP)
        assert response.status_code == 200, path
        assert response.headers["content-encoding"] == "gzip", path
        plain = await client.get(path, headers=IDENTITY)
        assert "content-encoding" not in plain.headers
        assert plain.content == response.content
