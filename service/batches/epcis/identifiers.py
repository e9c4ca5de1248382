"""The URIs that name things in Radura's EPCIS events (SPEC §11).

Goods are GS1 Digital Link URIs on the public base URL, as EPCIS 2.0 reads them: a lot is a
class (`/01/{gtin}/10/{lot}`, in `quantityList`), a labelled pack an instance named by its GTIN
and serial alone (`/01/{gtin}/21/{serial}`, in `epcList`), which is why serials are unique per
GTIN. A product without a GTIN has `/v/{code}` as its class and `/v/{code}/{serial}` as an
instance. Places and parties are GLN-based where the organization or customer has a GLN
(`https://id.gs1.org/414/{gln}` for a location, `/417/{gln}` for a party, GS1's own resolver
serving both), else Radura's URI for them.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote
from uuid import UUID

import msgspec

from labels.uri import encode_ai_value, unsigned_path
from schemas.labels import LabelRef

# GS1 Digital Link's canonical domain: where GLN URIs live and what the event hash reads GTIN
# URIs on, whichever host serves them (CBV 2.0 §8.9)
GS1_DOMAIN = "https://id.gs1.org"


class Party(msgspec.Struct, frozen=True, kw_only=True):
    """An organization (producer, facility) or a producer's customer, with its GLN if known."""

    id: UUID
    gln: str | None = None
    kind: Literal["organization", "customer"] = "organization"


class Goods(msgspec.Struct, frozen=True, kw_only=True):
    """What names a batch's goods: its code and lot, and its product's GTIN if it has one."""

    code: str
    lot: str
    gtin14: str | None = None


def organization_uri(base_url: str, organization_id: UUID) -> str:
    return f"{base_url.rstrip('/')}/organizations/{organization_id}"


def customer_uri(base_url: str, customer_id: UUID) -> str:
    return f"{base_url.rstrip('/')}/customers/{customer_id}"


def dosimeter_uri(base_url: str, facility_id: UUID, dosimeter_id: str) -> str:
    return f"{organization_uri(base_url, facility_id)}/dosimeters/{quote(dosimeter_id, safe='')}"


def _own_uri(base_url: str, party: Party) -> str:
    if party.kind == "customer":
        return customer_uri(base_url, party.id)
    return organization_uri(base_url, party.id)


def _gln(party: Party) -> str | None:
    # the column may be char(13) on some databases: blanks are no GLN
    gln = (party.gln or "").strip()
    return gln or None


def location_uri(base_url: str, party: Party) -> str:
    """A `readPoint` or `bizLocation`: the SGLN where the party has a GLN, else its URI."""
    gln = _gln(party)
    return f"{GS1_DOMAIN}/414/{gln}" if gln else _own_uri(base_url, party)


def party_uri(base_url: str, party: Party) -> str:
    """An `owning_party` of a source or destination: the PGLN where known, else its URI."""
    gln = _gln(party)
    return f"{GS1_DOMAIN}/417/{gln}" if gln else _own_uri(base_url, party)


def class_uri(base_url: str, goods: Goods) -> str:
    """The lot as a class: the label's URI without serial, date or signature."""
    ref = LabelRef(code=goods.code, lot=goods.lot, gtin14=goods.gtin14)
    return base_url.rstrip("/") + unsigned_path(ref)


def instance_uri(base_url: str, goods: Goods, serial: str) -> str:
    """One labelled pack: GTIN and serial without the lot (GS1 names an instance by those
    two), or `/v/{code}/{serial}` without a GTIN."""
    base = base_url.rstrip("/")
    if goods.gtin14 is None:
        return base + unsigned_path(LabelRef(code=goods.code, lot=goods.lot, serial=serial))
    return f"{base}/01/{goods.gtin14}/21/{encode_ai_value(serial)}"
