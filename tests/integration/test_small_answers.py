"""Small protocol answers: HEAD and OPTIONS on labels, HEAD on the JWKS."""

from __future__ import annotations

from pathlib import Path

import asyncpg
from litestar.testing import AsyncTestClient

from tests.integration.verify_fixtures import label_path, make_batch, server_keyring
from tests.integration.world import World


async def test_head_on_a_label_names_its_charset_once(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, data_dir: Path
) -> None:
    async with pool.acquire() as conn:
        batch = await make_batch(conn, world)
    path = label_path(server_keyring(data_dir), batch, batch.serials[0], short=True)
    response = await client.head(path)
    assert response.status_code == 200
    assert response.headers.get_list("content-type") == ["text/html; charset=utf-8"]
    assert response.content == b""
    json = await client.head(path, headers={"Accept": "application/json"})
    assert json.headers.get_list("content-type") == ["application/json"]


async def test_options_on_a_label_allows_get(client: AsyncTestClient) -> None:
    for path in ("/v/0000000000/0000000000", "/01/08991234567891/10/L1"):
        response = await client.options(path)
        assert response.status_code == 204, path
        allowed = {m.strip() for m in response.headers["allow"].split(",")}
        assert {"GET", "HEAD", "OPTIONS"} <= allowed, (path, allowed)


async def test_head_on_the_jwks_answers_as_get_does(client: AsyncTestClient) -> None:
    got = await client.get("/.well-known/jwks.json")
    response = await client.head("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-type"] == got.headers["content-type"]
    assert response.headers["access-control-allow-origin"] == "*"
