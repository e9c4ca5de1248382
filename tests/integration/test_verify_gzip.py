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


def test_public_routes_pass_no_session_sign_in_or_csrf_layer(settings) -> None:  # type: ignore[no-untyped-def]
    """A scan pays for none of the console's middleware; the console keeps all of it."""
    from service.app import create_app

    app = create_app(settings)
    layers: dict[str, set[str]] = {}
    for route in app.routes:
        for handler in route.route_handlers:
            names = {getattr(m, "middleware", m).__name__ for m in handler.resolve_middleware()}
            layers[f"{route.path} {handler.handler_name}"] = names
    # only the request metrics, which count every route (service/core/metrics.py)
    metrics_only = {"_RouteMetricsMiddleware"}
    assert layers["/label/01/{label_path:path} verify_gs1_label"] == metrics_only
    assert layers["/01/{label_path:path} resolve_gs1_uri"] == metrics_only
    assert layers["/v/{label_path:path} verify_short_label"] == metrics_only
    console = {
        "SessionMiddleware",
        "TokenAuthenticationMiddleware",
        "CSRFMiddleware",
        "CompressionMiddleware",
    }
    assert console <= layers["/app dashboard_page"]
    assert console <= layers["/api/v1/batches/{batch_id:uuid}/scans batch_scans"]


async def test_the_rest_of_the_app_stays_gzipped(client: AsyncTestClient) -> None:
    """What left the app-wide layer for the scans' sake still reaches browsers compressed."""
    for path in ("/schema/openapi.json", "/app/static/console.css"):
        response = await client.get(path, headers=GZIP)
        assert response.status_code == 200, path
        assert response.headers["content-encoding"] == "gzip", path
        plain = await client.get(path, headers=IDENTITY)
        assert "content-encoding" not in plain.headers
        assert plain.content == response.content
