"""GS1 Digital Link resolver documents: a label's linkset (RFC 9264) and the resolver description.

Radura resolves its own labels: the page, the JSON and the treatment certificate are all served at
the label's URI (chosen by Accept or GS1's `linkType`), so every link carries the signature.
`ResolverRequest` (what a resolver request asks for) and `content_href` (where its links point)
are defined here; the resolver (`resolver.py`) parses requests into them and answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from labels.uri import with_signature

GS1_VOC = "https://gs1.org/voc/"
# GS1's JSON-LD context that turns a resolver's linkset into linked data
GS1_LINKSET_CONTEXT = "https://ref.gs1.org/standards/resolver/linkset-context"
# No registered relation names a JWKS: an extension relation type (a URI, RFC 8288 §2.1.2),
# declared with its prefix in the resolver description.
RADURA_REL = "https://radura.id/rel/"
JWKS_REL = RADURA_REL + "jwks"
# the spellings GS1 uses for its own link types, all read as the `gs1:` CURIE
_GS1_NAMESPACES = ("https://gs1.org/voc/", "https://ref.gs1.org/voc/", "https://www.gs1.org/voc/")
JWKS_PATH = "/.well-known/jwks.json"
# where the representations of a label live (the page, the JSON, the certificate)
CONTENT_PREFIX = "/label"

# GS1 `linkType` values this resolver answers itself, and the representation each one selects
LINK_TYPES = {
    "all": "linkset",
    "linkset": "linkset",
    "gs1:pip": "page",
    "gs1:defaultLink": "page",
    "gs1:verificationService": "json",
    "gs1:certificationInfo": "certificate",
    "gs1:recallStatus": "page",
    # the same certificate as a printable PDF, linked from the page of a released batch
    "radura:certificatePdf": "certificate_pdf",
}


@dataclass(frozen=True)
class ResolverRequest:
    """A request to the resolver: the identified item and what the reader asked for."""

    gtin14: str
    lot: str | None
    serial: str | None
    path: str  # canonical, e.g. /01/08991234567895/10/L1/21/7
    query: str  # as received, without linkType (AI 17, s and anything else, passed on)
    link_type: str | None

    @property
    def signed(self) -> bool:
        return any(item.startswith("s=") for item in self.query.split("&"))


def content_href(base_url: str, request: ResolverRequest, link_type: str | None = None) -> str:
    """The URL a link of this item points at, carrying the request's query (17, s) on."""
    items = [f"linkType={link_type}"] if link_type else []
    if request.query:
        items.append(request.query)
    return base_url + CONTENT_PREFIX + request.path + ("?" + "&".join(items) if items else "")


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
                "itemDescription": title,
                GS1_VOC + "defaultLink": [{"href": page, "title": title}],
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
                        "type": "application/json",
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
            },
            {"namespace": RADURA_REL, "prefix": "radura:"},
        ],
        "linkTypeDefaultCanBeLinkset": True,
        "linkTypeDefaultCanBeAll": True,
    }


# link types of the resolver's linkset that exist only for some items (a recalled lot)
CONDITIONAL_LINK_TYPES = ("gs1:recallStatus",)


def curie(link_type: str) -> str:
    """A link type as `gs1:…` or `radura:…`, however it was spelled."""
    for namespace in (*_GS1_NAMESPACES, RADURA_REL):
        if link_type.startswith(namespace):
            prefix = "radura:" if namespace == RADURA_REL else "gs1:"
            return prefix + link_type.removeprefix(namespace)
    return link_type


def link_target(base_url: str, request: ResolverRequest, link_type: str) -> str | None:
    """Where the resolver sends a request for `link_type`, or None when this item has none
    (a link in CONDITIONAL_LINK_TYPES needs the database to say)."""
    name = curie(link_type)
    if name in ("gs1:defaultLink", "gs1:pip"):
        return content_href(base_url, request)
    if name == "gs1:verificationService":
        return content_href(base_url, request, name)
    if name == "gs1:certificationInfo" and request.signed and request.lot is not None:
        return content_href(base_url, request, name)
    if name == "radura:jwks":
        return base_url + JWKS_PATH
    return None


def resolver_linkset(
    base_url: str, request: ResolverRequest, product_name: str, *, recalled: bool
) -> dict[str, Any]:
    """The GS1 linkset of an item the resolver was asked about: its page (the one default
    link, with a title and nothing else), the verification JSON, the treatment certificate of a
    signed label, the recall of a recalled lot, and the keys that sign Radura's labels."""
    page = content_href(base_url, request)
    title = f"Radura: {product_name}"
    context: dict[str, Any] = {
        "anchor": base_url + request.path,
        "itemDescription": product_name,
        GS1_VOC + "defaultLink": [{"href": page, "title": title}],
        GS1_VOC + "pip": [
            {"href": page, "title": title, "type": "text/html", "hreflang": ["id", "en"]}
        ],
        GS1_VOC + "verificationService": [
            {
                "href": content_href(base_url, request, "gs1:verificationService"),
                "title": "Verification result (JSON)",
                "type": "application/json",
            }
        ],
    }
    certificate = link_target(base_url, request, "gs1:certificationInfo")
    if certificate is not None:
        context[GS1_VOC + "certificationInfo"] = [
            {
                "href": certificate,
                "title": "Irradiation treatment certificate",
                "type": "application/json",
            }
        ]
    if recalled:
        context[GS1_VOC + "recallStatus"] = [
            {
                "href": content_href(base_url, request, "gs1:recallStatus"),
                "title": "This lot is recalled",
                "type": "text/html",
                "hreflang": ["id", "en"],
            }
        ]
    context[JWKS_REL] = [
        {
            "href": base_url + JWKS_PATH,
            "title": "Public keys that sign Radura labels (JWKS)",
            "type": "application/json",
        }
    ]
    return {"linkset": [context]}
