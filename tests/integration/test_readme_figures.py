"""Figures the README states, measured: they change together with the code or this fails."""

from __future__ import annotations

import re
from pathlib import Path

import asyncpg
from litestar.testing import AsyncTestClient

from tests.integration.verify_fixtures import label_path, make_batch, server_keyring
from tests.integration.world import World

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


async def test_scan_page_weighs_what_the_readme_says(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, data_dir: Path
) -> None:
    stated = re.search(r"weighs (\d+)–(\d+) kB of HTML \((\d+)–(\d+) kB gzipped", README)
    assert stated, "the README's sentence on the scan page's weight"
    html_low, html_high, gzip_low, gzip_high = (int(n) * 1000 for n in stated.groups())
    async with pool.acquire() as conn:
        batch = await make_batch(conn, world, status="recalled", recall_reason="Kemasan bocor")
    path = label_path(server_keyring(data_dir), batch, batch.serials[0])
    for lang in ("id", "en"):  # a recalled label: the longest page, with the recall's reason
        plain = await client.get(
            f"{path}&lang={lang}", headers={"Accept": "text/html", "Accept-Encoding": "identity"}
        )
        assert plain.status_code == 200
        assert html_low <= len(plain.content) <= html_high, (lang, len(plain.content))
        zipped = await client.get(
            f"{path}&lang={lang}", headers={"Accept": "text/html", "Accept-Encoding": "gzip"}
        )
        wire_bytes = int(zipped.headers["content-length"])
        assert zipped.headers["content-encoding"] == "gzip"
        assert gzip_low <= wire_bytes <= gzip_high, (lang, wire_bytes)
