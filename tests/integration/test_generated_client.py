"""A Python client generated from the document a live server serves (openapi-python-client, run
in a subprocess into a temporary folder) verifies a genuine GS1 label — the GTIN, lot, `17` and
`s` as the documented path segments and query parameters, no `{label_path}` to percent-encode —
and reads a treatment certificate PDF whose QR is that label.

openapi-python-client reads only JSON and `application/octet-stream` bodies by itself; its
documented `content_type_overrides` maps every other file type the document declares as
`format: binary` (PDF, PNG, SVG, workbooks, CSV) to a file, which is what a caller configures."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import UUID

import httpx
import pytest

from tests.integration.batch_steps import batch_in, chicken, create_product
from tests.integration.test_labels_api import pdf_pages
from tests.integration.verify_fixtures import random_gtin14
from tests.integration.world import World
from tests.live_server import live_server, server_env
from tests.unit.labels.samples import decode_all, decode_png

PACKAGE = "radura_generated_client"


@pytest.fixture(scope="module")
def server_url(database_url: str, data_dir: Path) -> Iterator[str]:
    with live_server(server_env(database_url, data_dir)) as url:
        yield url


def _file_types(document: dict[str, Any]) -> set[str]:
    """Every media type the document answers with as a file."""
    return {
        media_type
        for item in document["paths"].values()
        for operation in item.values()
        for response in operation["responses"].values()
        for media_type, content in response.get("content", {}).items()
        if content.get("schema", {}).get("format") == "binary"
    }


@pytest.fixture(scope="module")
def generated(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The generated package, imported from a temporary folder."""
    folder = tmp_path_factory.mktemp("client")
    document = httpx.get(server_url + "/schema/openapi.json", timeout=30).json()
    (folder / "openapi.json").write_text(json.dumps(document), encoding="utf-8")
    overrides = {media_type: "application/octet-stream" for media_type in _file_types(document)}
    (folder / "config.json").write_text(json.dumps({"content_type_overrides": overrides}))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(folder / "openapi.json"),
            "--config",
            str(folder / "config.json"),
            "--meta",
            "none",
            "--output-path",
            str(folder / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    # every operation is generated; none of its answers is left out as unreadable
    assert "WARNING" not in run.stdout, run.stdout
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


async def test_a_generated_client_verifies_a_label_and_reads_its_certificate(  # type: ignore[no-untyped-def]
    client, world: World, server_url: str, generated: Any
) -> None:
    product = await create_product(client, world.producer, chicken(gtin=random_gtin14()))
    batch_id = await batch_in(client, world, "released", product_id=product["id"])
    label = await client.get(
        f"/api/v1/batches/{batch_id}/label.png", headers=world.producer.headers
    )
    (uri,) = decode_png(label.content)
    parts = urlsplit(uri)
    _, ai_01, gtin, ai_10, lot = parts.path.split("/")
    assert (ai_01, ai_10) == ("01", "10")
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}

    verify = importlib.import_module(f"{PACKAGE}.api.verification.verify_gs_1_label")
    link_types = importlib.import_module(f"{PACKAGE}.models.verify_gs_1_label_link_type")
    public = generated.Client(base_url=server_url, raise_on_unexpected_status=True)
    answer = verify.sync_detailed(
        gtin=gtin,
        lot=unquote(lot),
        field_17=query["17"],
        s=query["s"],
        link_type=link_types.VerifyGs1LabelLinkType("gs1:verificationService"),
        client=public,
    )
    assert answer.status_code == 200, answer.content
    verification = answer.parsed
    assert type(verification).__name__ == "Verification"
    assert (verification.verdict, verification.signature) == ("genuine", "valid")
    assert verification.lot == unquote(lot)
    assert verification.product.gtin == gtin
    # a forged signature through the same call: 404 `invalid`, read as the document says
    forged = verify.sync_detailed(
        gtin=gtin,
        lot=unquote(lot),
        field_17=query["17"],
        s=query["s"][:-4] + "AAAA",
        link_type=link_types.VerifyGs1LabelLinkType("gs1:verificationService"),
        client=public,
    )
    assert forged.status_code == 404
    assert (forged.parsed.verdict, forged.parsed.signature) == ("invalid", "invalid")

    certificate = importlib.import_module(f"{PACKAGE}.api.batches.get_treatment_certificate")
    token = world.producer.headers["Authorization"].removeprefix("Bearer ")
    signed_in = generated.AuthenticatedClient(base_url=server_url, token=token)
    pdf = certificate.sync_detailed(batch_id=UUID(batch_id), client=signed_in)
    assert pdf.status_code == 200
    payload = pdf.parsed.payload.read()
    assert payload.startswith(b"%PDF-")
    # the label's own URI (the live server's base URL is its own; what is signed is the same)
    (printed,) = decode_all(pdf_pages(payload, dpi=200)[0])
    assert urlsplit(printed)[2:] == parts[2:]
