"""The label and resolver routes as the API document shows them: one path per GS1 Digital Link
form, each segment and query parameter named and typed (SPEC §6, §6.1); and the export
certificate's check, `/c/{number}`, whose number and `s` are shown with their patterns without
the route refusing other values with a 400 (a malformed number is 404, as for labels).

A route takes the whole rest of its path (`/label/01/{label_path:path}`), since it also reads
non-canonical forms and redirects them. Documented as that one parameter, a generated client
would send `/label/01/0899…%2F10%2F…` — one percent-encoded segment that is no label. So each
route names the forms it answers (in its `opt["documented_as"]`), and the document
(`service/api_docs/document.py`) shows those instead: `/label/01/{gtin}/10/{lot}/21/{serial}`
with `17`, `s`, `linkType` and `lang`. Parameters are written in the order a label puts them:
`17` before `s`, which a label always has last.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from labels.codes import CODE_LENGTH
from service.verify.resolver.linkset import LINK_TYPES

# GS1 General Specifications figure 7.11-1, set 82: what AI 10 (lot) and 21 (serial) may hold
_SET_82 = r"""^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$"""
_CROCKFORD = rf"^[0-9A-HJKMNP-TV-Z]{{{CODE_LENGTH}}}$"
# the link types the resolver answers itself or redirects to (`linkset.link_target`)
RESOLVER_LINK_TYPES = (
    "linkset",
    "all",
    "gs1:defaultLink",
    "gs1:pip",
    "gs1:verificationService",
    "gs1:certificationInfo",
    "gs1:recallStatus",
    "radura:jwks",
)

# Real values of one label, so that every example in the document fits every other.
EXAMPLE_GTIN = "08991234567891"
EXAMPLE_LOT = "RDG-2611-01"
EXAMPLE_SERIAL = "7K3M9QX2TB"
EXAMPLE_CODE = "K7M2QX9T4B"
EXAMPLE_EXPIRY = "270131"
EXAMPLE_SIGNATURE = (
    "qFf8vXCZQp1FPGvqHq_YiuzbyRBzu5CylIhr0SZhXwURTTYMjzID7LzatD-W"
    "hgjeV8bhQDYHgPMEXEqV8q_Nkj_YrKjAzMEF"
)
# an export certificate's number as Radura gives it (service/batches/shipments/certificate.py)
EXAMPLE_CERTIFICATE_NUMBER = "RDR-EC-2026-000042"
_CERTIFICATE_NUMBER = r"^RDR-EC-[0-9]{4}-[0-9]{6,}$"


def _path(name: str, description: str, schema: dict[str, Any], example: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema,
        "example": example,
    }


def _query(name: str, description: str, schema: dict[str, Any], example: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
        "example": example,
    }


PARAMETERS: dict[str, dict[str, Any]] = {
    "gtin": _path(
        "gtin",
        "GTIN-14 (AI 01), check digit included; a GTIN-8, -12 or -13 is redirected (301) to "
        "its GTIN-14.",
        {"type": "string", "pattern": r"^([0-9]{8}|[0-9]{12,14})$"},
        EXAMPLE_GTIN,
    ),
    "lot": _path(
        "lot",
        "Batch or lot number (AI 10): 1–20 characters of GS1's set 82, percent-encoded in the "
        "path where RFC 3986 asks (`/` as `%2F`).",
        {"type": "string", "pattern": _SET_82},
        EXAMPLE_LOT,
    ),
    "serial": _path(
        "serial",
        "Serial number (AI 21): 1–20 characters of GS1's set 82, percent-encoded like the lot.",
        {"type": "string", "pattern": _SET_82},
        EXAMPLE_SERIAL,
    ),
    "code": _path(
        "code",
        f"The batch's Radura code: {CODE_LENGTH} Crockford base-32 characters.",
        {"type": "string", "pattern": _CROCKFORD},
        EXAMPLE_CODE,
    ),
    "short_serial": _path(
        "serial",
        f"The pack's serial: {CODE_LENGTH} Crockford base-32 characters.",
        {"type": "string", "pattern": _CROCKFORD},
        EXAMPLE_SERIAL,
    ),
    "17": _query(
        "17",
        "Expiry or best-before date (AI 17), YYMMDD, as printed on the label; part of what `s` "
        "signs.",
        {"type": "string", "pattern": r"^[0-9]{6}$"},
        EXAMPLE_EXPIRY,
    ),
    "s": _query(
        "s",
        "Radura's signature of the label (base64url, no padding), always the last parameter "
        "the label carries. Without it a GS1 label is `unverified` (200) and a `/v/` label "
        "`invalid` (404).",
        {"type": "string", "pattern": r"^[A-Za-z0-9_-]+$", "maxLength": 200},
        EXAMPLE_SIGNATURE,
    ),
    "lang": _query(
        "lang",
        "Language of the page: Bahasa Indonesia (default) or English. Not part of the label; "
        "ignored by the signature check.",
        {"type": "string", "enum": ["id", "en"]},
        "en",
    ),
    "certificate_number": _path(
        "number",
        "The export certificate's number as printed on it: `RDR-EC-`, the year of issue (WIB) "
        "and a serial of at least six digits. A number never given is 404.",
        {"type": "string", "pattern": _CERTIFICATE_NUMBER},
        EXAMPLE_CERTIFICATE_NUMBER,
    ),
    "certificate_s": _query(
        "s",
        "Radura's signature of `/c/{number}` (base64url, no padding), as the certificate's QR "
        "carries it. Missing or forged: 404, and nothing more is said.",
        {"type": "string", "pattern": r"^[A-Za-z0-9_-]+$", "maxLength": 200},
        EXAMPLE_SIGNATURE,
    ),
    "certificate_lang": _query(
        "lang",
        "Language of the page: Bahasa Indonesia (default, or as Accept-Language asks) or "
        "English. The JSON answer is the same in both.",
        {"type": "string", "enum": ["id", "en"]},
        "en",
    ),
    "label_link_type": _query(
        "linkType",
        "GS1 link type of the representation wanted instead of the one `Accept` picks: "
        "`gs1:verificationService` the verification JSON, `gs1:certificationInfo` the treatment "
        "certificate as JSON, `radura:certificatePdf` as PDF, `linkset` or `all` the linkset. "
        "Not part of the label; ignored by the signature check.",
        {"type": "string", "enum": sorted(LINK_TYPES)},
        "gs1:verificationService",
    ),
    "resolver_link_type": _query(
        "linkType",
        "GS1 link type to be redirected to (307), or `linkset`/`all` for the linkset itself; a "
        "type this item has not is 404. GS1's full URIs (`https://gs1.org/voc/pip`) are read "
        "as the `gs1:` names.",
        {"type": "string", "enum": list(RESOLVER_LINK_TYPES)},
        "gs1:verificationService",
    ),
}


@dataclass(frozen=True)
class DocumentedForm:
    """One path a route answers, as the API document shows it."""

    path: str
    operation_id: str
    summary: str
    parameters: tuple[str, ...]  # keys of PARAMETERS, in order

    def parameter_objects(self) -> list[dict[str, Any]]:
        return [dict(PARAMETERS[name]) for name in self.parameters]


_GS1_QUERY = ("17", "s", "label_link_type", "lang")
_RESOLVER_QUERY = ("17", "s", "resolver_link_type", "lang")

SHORT_LABEL_FORMS = (
    DocumentedForm(
        "/v/{code}",
        "verifyShortLabel",
        "Verify a batch label of the short form",
        ("code", "s", "label_link_type", "lang"),
    ),
    DocumentedForm(
        "/v/{code}/{serial}",
        "verifyShortSerialLabel",
        "Verify a pack's serial label of the short form",
        ("code", "short_serial", "s", "label_link_type", "lang"),
    ),
)
GS1_LABEL_FORMS = (
    DocumentedForm(
        "/label/01/{gtin}/10/{lot}",
        "verifyGs1Label",
        "Verify a GS1 batch label",
        ("gtin", "lot", *_GS1_QUERY),
    ),
    DocumentedForm(
        "/label/01/{gtin}/10/{lot}/21/{serial}",
        "verifyGs1SerialLabel",
        "Verify a GS1 serial label",
        ("gtin", "lot", "serial", *_GS1_QUERY),
    ),
)


def _resolver_forms(verb: str, words: str) -> tuple[DocumentedForm, ...]:
    return (
        DocumentedForm("/01/{gtin}", f"{verb}Gtin", f"{words} a GTIN", ("gtin", *_RESOLVER_QUERY)),
        DocumentedForm(
            "/01/{gtin}/10/{lot}",
            f"{verb}GtinLot",
            f"{words} a GTIN's lot",
            ("gtin", "lot", *_RESOLVER_QUERY),
        ),
        DocumentedForm(
            "/01/{gtin}/10/{lot}/21/{serial}",
            f"{verb}GtinSerial",
            f"{words} a serialised item of a GTIN's lot",
            ("gtin", "lot", "serial", *_RESOLVER_QUERY),
        ),
    )


RESOLVER_FORMS = _resolver_forms("resolve", "Resolve the GS1 Digital Link URI of")
RESOLVER_HEAD_FORMS = _resolver_forms("check", "Check the GS1 Digital Link URI of")

CERTIFICATE_FORMS = (
    DocumentedForm(
        "/c/{number}",
        "checkExportCertificate",
        "Check that an export certificate is genuine",
        ("certificate_number", "certificate_s", "certificate_lang"),
    ),
)
