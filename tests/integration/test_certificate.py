"""The treatment certificate PDF: one page whose QR decodes (zxing-cpp) to the batch label's URI
and whose text (pypdfium2) carries the doses, facility, irradiator, lot and releasing officer;
who may fetch it and when."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import pytest

from tests.integration.batch_steps import batch_in
from tests.integration.test_labels_api import jwks_keyring, pdf_pages, verifies
from tests.integration.world import World
from tests.unit.labels.samples import decode_all, decode_png

pytestmark = pytest.mark.asyncio(loop_scope="session")


def pdf_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


async def test_certificate_carries_the_label_qr_and_the_dose_record(client, world: World) -> None:  # type: ignore[no-untyped-def]
    batch_id = await batch_in(client, world, "released")
    answer = await client.get(
        f"/api/v1/batches/{batch_id}/certificate.pdf", headers=world.producer.headers
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    pdf = answer.content
    assert len(pdfium.PdfDocument(pdf)) == 1
    label = await client.get(
        f"/api/v1/batches/{batch_id}/label.png", headers=world.producer.headers
    )
    label_uris = decode_png(label.content)
    (certificate_uri,) = decode_all(pdf_pages(pdf, dpi=200)[0])
    assert certificate_uri in label_uris
    assert verifies(await jwks_keyring(client), certificate_uri)
    record = (
        await client.get(f"/api/v1/batches/{batch_id}", headers=world.producer.headers)
    ).json()
    text = " ".join(pdf_text(pdf).split())
    treatment = record["treatment"]
    assert f"{treatment['dose_min_kgy']:.1f} kGy" in text  # 2.1 kGy
    assert f"{treatment['dose_max_kgy']:.1f} kGy" in text  # 2.6 kGy
    assert f"DUR {treatment['dur']:.2f}" in text
    assert record["facility"]["name"] in text
    assert treatment["irradiator"]["name"] in text
    assert record["lot"] in text
    assert f"Released by (QA officer) {world.qa.name}" in text
    assert "SERTIFIKAT IRADIASI PANGAN" in text and "Food irradiation treatment certificate" in text


async def test_certificate_only_for_a_released_batch_its_readers_may_see(  # type: ignore[no-untyped-def]
    client, world: World
) -> None:
    treated = await batch_in(client, world, "treated")
    answer = await client.get(
        f"/api/v1/batches/{treated}/certificate.pdf", headers=world.producer.headers
    )
    assert answer.status_code == 409
    released = await batch_in(client, world, "released")
    for actor in (world.qa, world.regulator, world.operator):
        answer = await client.get(
            f"/api/v1/batches/{released}/certificate.pdf", headers=actor.headers
        )
        assert answer.status_code == 200, actor.role
    answer = await client.get(
        f"/api/v1/batches/{released}/certificate.pdf", headers=world.other_operator.headers
    )
    assert answer.status_code == 404
    assert (await client.get(f"/api/v1/batches/{released}/certificate.pdf")).status_code == 401


async def test_public_page_of_a_released_batch_links_the_certificate(client, world: World) -> None:  # type: ignore[no-untyped-def]
    batch_id = await batch_in(client, world, "released")
    label = await client.get(
        f"/api/v1/batches/{batch_id}/label.png", headers=world.producer.headers
    )
    (uri,) = decode_png(label.content)
    parts = urlsplit(uri)
    page = await client.get(f"{parts.path}?{parts.query}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    match = re.search(r'<a href="([^"]*linkType=radura:certificatePdf[^"]*)"', page.text)
    assert match, "no certificate link on the public page"
    certificate = await client.get(html.unescape(match.group(1)))
    assert certificate.status_code == 200
    assert certificate.headers["content-type"] == "application/pdf"
    assert decode_all(pdf_pages(certificate.content, dpi=200)[0]) == [uri]
    assert "DITARIK" not in pdf_text(certificate.content)


async def test_a_recalled_batch_keeps_its_certificate_marked_recalled(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """What the page and the signed linkset link after a recall is served, and says RECALLED:
    the treatment took place, and a copy given now can never pass for a clean bill."""
    batch_id = await batch_in(client, world, "released")
    label = await client.get(
        f"/api/v1/batches/{batch_id}/label.png", headers=world.producer.headers
    )
    (uri,) = decode_png(label.content)
    parts = urlsplit(uri)
    recalled = await client.post(
        f"/api/v1/batches/{batch_id}/recall",
        json={"reason": "Kemasan bocor di gudang distributor"},
        headers=world.producer.headers,
    )
    assert recalled.status_code == 200
    page = await client.get(f"{parts.path}?{parts.query}", headers={"Accept": "text/html"})
    match = re.search(r'<a href="([^"]*linkType=radura:certificatePdf[^"]*)"', page.text)
    assert match, "the page of a recalled batch no longer links its certificate"
    linkset = await client.get(
        f"{parts.path}?{parts.query}", headers={"Accept": "application/linkset+json"}
    )
    (context,) = linkset.json()["linkset"]
    linked = [
        link["href"]
        for relation, links in context.items()
        if relation.endswith("certificationInfo")
        for link in links
    ]
    assert linked, "the signed linkset no longer links the certificate"
    for href in linked:
        split = urlsplit(href)
        answer = await client.get(f"{split.path}?{split.query}")
        assert answer.status_code == 200, href
        assert answer.json()["status"] == "recalled"
    public = await client.get(html.unescape(match.group(1)))
    private = await client.get(
        f"/api/v1/batches/{batch_id}/certificate.pdf", headers=world.producer.headers
    )
    for answer in (public, private):
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/pdf"
        text = " ".join(pdf_text(answer.content).split())
        assert "DITARIK / RECALLED" in text
        assert "Kemasan bocor di gudang distributor" in text
        assert decode_all(pdf_pages(answer.content, dpi=200)[0]) == [uri]  # still verifies
