"""GS1's reference implementation of the EPCIS event hash (PyPI `epcis-event-hash-generator`),
for tests to compare Radura's event ids with, offline."""

from __future__ import annotations

from typing import Any

import pytest
from epcis_event_hash_generator import hash_generator, json_to_py
from pyld import jsonld


def refuse_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tool falls back to downloading a JSON-LD context it does not bundle: make that
    fail, so a document naming another context than the versioned EPCIS 2.0 one fails."""

    def no_download(*_args: object, **_kwargs: object) -> Any:
        raise AssertionError("the hash tool tried to download a JSON-LD context")

    monkeypatch.setattr(jsonld, "requests_document_loader", no_download)


def reference_hashes(document_json: str) -> tuple[list[str], list[str]]:
    """The tool's pre-hash strings and event ids of an EPCISDocument's events, in order."""
    events = json_to_py.event_list_from_epcis_document_str(document_json)
    pre_hashes = hash_generator.derive_prehashes_from_events(events)
    return pre_hashes, hash_generator.calculate_hashes_from_pre_hashes(pre_hashes)
