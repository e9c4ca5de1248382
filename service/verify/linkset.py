"""GS1 Digital Link resolver documents: a label's linkset (RFC 9264) and the resolver description.

Radura resolves its own labels: the page, the JSON and the treatment certificate are all served at
the label's URI (chosen by Accept or GS1's `linkType`), so every link carries the signature.
"""

from __future__ import annotations

from typing import Any

from labels.uri import with_signature

GS1_VOC = "https://gs1.org/voc/"
# No registered relation names a JWKS: an extension relation type (a URI, RFC 8288 §2.1.2).
JWKS_REL = "https://radura.id/rel/jwks"
JWKS_PATH = "/.well-known/jwks.json"

# GS1 `linkType` values this resolver answers itself, and the representation each one selects
LINK_TYPES = {
    "all": "linkset",
    "linkset": "linkset",
    "gs1:pip": "page",
    "gs1:defaultLink": "page",
    "gs1:verificationService": "json",
    "gs1:certificationInfo": "certificate",
    # the same certificate as a printable PDF, linked from the page of a released batch
    "radura:certificatePdf": "certificate_pdf",
}


def label_href(base_url: str, unsigned_path: str, signature_b64: str, extra: str = "") -> str:
    """The label's URI with `extra` query parameters placed before `s` (which stays last)."""
    path = unsigned_path
    if extra:
        path += ("&" if "?" in path else "?") + extra
    return base_url + with_signature(path, signature_b64)


def label_linkset(
    base_url: str, unsigned_path: str, signature_b64: str, title: str
) -> dict[str, Any]:
    """The linkset of one label: page, JSON, treatment certificate and the keys that sign."""
    anchor = base_url + unsigned_path
    page = label_href(base_url, unsigned_path, signature_b64)
    certificate = label_href(
        base_url, unsigned_path, signature_b64, "linkType=gs1:certificationInfo"
    )
    page_link = {"href": page, "title": title, "type": "text/html", "hreflang": ["id", "en"]}
    return {
        "linkset": [
            {
                "anchor": anchor,
                GS1_VOC + "defaultLink": [page_link],
                GS1_VOC + "pip": [page_link],
                GS1_VOC + "verificationService": [
                    {
                        "href": label_href(
                            base_url,
                            unsigned_path,
                            signature_b64,
                            "linkType=gs1:verificationService",
                        ),
                        "title": "Verification result (JSON)",
                        "type": "application/json",
                    }
                ],
                GS1_VOC + "certificationInfo": [
                    {
                        "href": certificate,
                        "title": "Irradiation treatment certificate",
                        "type": "application/json",
                    }
                ],
                JWKS_REL: [
                    {
                        "href": base_url + JWKS_PATH,
                        "title": "Public keys that sign Radura labels (JWKS)",
                        "type": "application/jwk-set+json",
                    }
                ],
            }
        ]
    }


def linkset_header(base_url: str, unsigned_path: str, signature_b64: str) -> str:
    """The Link header a GS1 resolver sends with a resolved URI, pointing at its linkset."""
    href = label_href(base_url, unsigned_path, signature_b64, "linkType=linkset")
    return f'<{href}>; rel="linkset"; type="application/linkset+json"'


def resolver_description(base_url: str) -> dict[str, Any]:
    """`/.well-known/gs1resolver`: what this GS1-conformant resolver supports."""
    return {
        "name": "Radura — irradiated food label verification",
        "resolverRoot": base_url,
        "supportedPrimaryKeys": ["01"],
        "supportedLinkType": [
            {
                "namespace": GS1_VOC,
                "prefix": "gs1:",
                "profile": "https://gs1.org/voc/?show=linktypes",
            }
        ],
        "linkTypeDefaultCanBeLinkset": True,
        "linkTypeDefaultCanBeAll": True,
    }
