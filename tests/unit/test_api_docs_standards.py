"""The GS1 schemas the API document embeds (service/api_docs/standards/) are the very files the
tests validate against (tests/standards/, and shared/standards/ beside the repository when it is
there): byte for byte, so the document says what GS1 says."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVED = ROOT / "service" / "api_docs" / "standards"
NAMES = sorted(p.name for p in SERVED.glob("*.json"))


def test_the_document_embeds_each_gs1_schema_the_tests_use() -> None:
    assert NAMES == [
        "epcis-2.0-json-schema.json",
        "gs1-linkset-schema.json",
        "gs1-resolver-description-schema.json",
    ]


@pytest.mark.parametrize("name", NAMES)
def test_an_embedded_schema_is_gs1s_file_unchanged(name: str) -> None:
    served = (SERVED / name).read_bytes()
    assert served == (ROOT / "tests" / "standards" / name).read_bytes()
    shared = ROOT.parent / "shared" / "standards" / name
    if shared.is_file():
        assert served == shared.read_bytes()
