"""The export certificate of a shipment (SPEC §13.3): its number, given once and kept, its facts
read from the shipment, the batch's treatment and the market's rule, and its signed link.

The link is `/c/{number}?s=…`, where `s` signs the path `/c/{number}` exactly as a label's `s`
signs its path (labels/uri.py, the same keyring): a forged or missing `s` is 404 at `/c/`, as
for labels. A shipment the market's rules do not admit gets no certificate: 422
`market_not_permitted`, as shipping it is refused."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import anyio
import asyncpg

from labels.certificate_pdf import format_instant
from labels.export_certificate_pdf import (
    CODEX,
    ExportCertificateFacts,
    export_certificate_pdf,
    printable,
)
from labels.uri import Signer, with_signature
from labels.wording import PURPOSES
from schemas.batches import JAKARTA
from schemas.markets import MarketRule
from service.accounts.markets import queries as market_queries
from service.batches.customers.countries import country_name
from service.batches.market_fit import BatchMarketFit, batch_fit
from service.batches.markets_check import HOME_MARKET
from service.batches.shipments.queries import shipments_visible_to
from service.batches.shipments.shipping import check_market_admits
from service.core.auth import AuthUser
from service.core.code_names import code_name
from service.core.errors import Conflict, NotFound
from service.core.formatting import format_number

NUMBER = re.compile(r"^RDR-EC-[0-9]{4}-[0-9]{6,}$")
_METRIC_WORDS = {"maximum": "maximum dose", "overall_average": "overall average dose"}
APPROVAL_WORDS = {
    "eu_facility_list": "EU list of approved irradiation facilities",
    "fda_registration": "FDA food-facility registration",
    "aphis": "APHIS certification",
    "gacc": "GACC overseas producer registration",
    "other": "Approval",
}

_FACTS = """
SELECT s.id, s.market, s.quantity, s.unit, s.document_no, s.shipped_at, s.cancelled_at,
       s.batch_id, m.name AS market_name,
       b.lot, b.status, b.recalled_at, b.recall_reason, b.facility_id,
       p.name AS product_name, p.hs_code, p.purpose,
       po.name AS producer_name, po.address AS producer_address, po.city AS producer_city,
       c.name AS customer_name, c.city AS customer_city, c.country AS customer_country,
       f.name AS facility_name, f.address AS facility_address, f.city AS facility_city,
       t.facility_licence_no, t.irradiator_name, t.irradiator_source_type AS source_type,
       t.irradiator_max_energy_mev AS max_energy_mev, t.started_at, t.ended_at,
       t.dose_min_kgy, t.dose_max_kgy, t.product_temp_c,
       t.dose_map ->> 'study_ref' AS dose_map_study_ref, t.dose_map ->> 'name' AS dose_map_name,
       (SELECT string_agg(DISTINCT d.type, ', ') FROM dosimeters d WHERE d.batch_id = b.id)
           AS dosimeter_types,
       (SELECT count(*) FROM dosimeters d WHERE d.batch_id = b.id) AS dosimeter_count
FROM shipments s
JOIN markets m ON m.code = s.market
JOIN batches b ON b.id = s.batch_id
JOIN versioned_products p ON p.id = b.product_id AND p.version = b.product_version
JOIN organizations po ON po.id = s.producer_id
JOIN customers c ON c.id = s.customer_id
JOIN organizations f ON f.id = b.facility_id
JOIN treatments t ON t.batch_id = b.id
"""


@dataclass(frozen=True)
class IssuedCertificate:
    """A shipment's certificate as the public check reads it back by its number."""

    number: str
    issued_at: datetime
    row: asyncpg.Record
    fit: BatchMarketFit

    @property
    def verdict(self) -> Literal["genuine", "recalled", "cancelled"]:
        """`recalled` for a recalled batch, `cancelled` for a cancelled shipment, else
        `genuine` (safety first: a recall says so whatever else holds)."""
        if self.row["status"] == "recalled":
            return "recalled"
        if self.row["cancelled_at"] is not None:
            return "cancelled"
        return "genuine"


def _english(msgid: str) -> str:
    """The certificate is in English, the language the code names' msgids are written in."""
    return msgid


def certificate_path(number: str) -> str:
    """What the certificate's `s` signs."""
    return f"/c/{number}"


def certificate_uri(base_url: str, number: str, keys: Signer) -> str:
    path = certificate_path(number)
    return base_url.rstrip("/") + with_signature(path, keys.sign(path.encode("ascii")))


async def _number(conn: asyncpg.Connection, shipment_id: UUID) -> asyncpg.Record:
    """The shipment's certificate number and issue time, given the first time and kept; of two
    first requests at once one inserts, the other waits for it and reads its number."""
    await conn.execute(
        """INSERT INTO export_certificates (shipment_id, number)
           VALUES ($1, 'RDR-EC-' || to_char(now() AT TIME ZONE 'Asia/Jakarta', 'YYYY') || '-'
                       || lpad(nextval('export_certificate_serial')::text, 6, '0'))
           ON CONFLICT (shipment_id) DO NOTHING""",
        shipment_id,
    )
    row = await conn.fetchrow(
        "SELECT number, issued_at FROM export_certificates WHERE shipment_id = $1", shipment_id
    )
    assert row is not None
    return row


def _kgy(value: float) -> str:
    return f"{format_number(value, 'en', digits=2)} kGy"


def _approval_words(rule: MarketRule | None, approvals: list[Any], treated_on: Any) -> str:
    if rule is None or rule.facility_approval is None:
        return "Not required by the market's rule"
    for approval in approvals:
        if (
            approval.kind == rule.facility_approval
            and approval.valid_from <= treated_on <= approval.valid_until
        ):
            return (
                f"{APPROVAL_WORDS[approval.kind]} {approval.reference} (valid "
                f"{approval.valid_from.isoformat()} to {approval.valid_until.isoformat()})"
            )
    return f"{APPROVAL_WORDS[rule.facility_approval]}: none valid on the treatment's date"


def _market_words(rule: MarketRule | None) -> list[tuple[str, str]]:
    """The rule's statutory words in each language other than English that the certificate's
    fonts print (China's 辐照食品 in the CJK subset); words in letters neither font has are left
    off, since boxes in their place would state nothing."""
    if rule is None:
        return []
    found = []
    for language, words in sorted(rule.statutory_words.items()):
        text = " / ".join(words)
        if language != "en" and words and printable(text):
            found.append((language, text))
    return found


async def _facts(
    conn: asyncpg.Connection, certificate: IssuedCertificate, uri: str
) -> ExportCertificateFacts:
    row, fit = certificate.row, certificate.fit
    rule = fit.rule
    market = f"{row['market_name']} ({row['market']})"
    treated_on = row["started_at"].astimezone(JAKARTA).date()
    approvals = await market_queries.facility_approvals(conn, row["facility_id"], row["market"])
    unit = code_name("unit", row["unit"], _english)
    energy = row["max_energy_mev"]
    if fit.overall_average_kgy is not None:
        average = _kgy(fit.overall_average_kgy)
    else:
        average = "Unknown (no dose map with an average ratio)"
    if row["market"] == HOME_MARKET:
        limit = "BPOM rules of the home market"
        check = "Home market: the released batch meets BPOM's rules"
        rule_name = "the BPOM rules on irradiated food"
    elif rule is not None:
        metric = _METRIC_WORDS[rule.dose_metric]
        limit = f"At most {_kgy(rule.dose_limit_kgy or 0)} {metric} ({rule.source})"
        check = f"Admitted: {market} admits {row['product_name']} by {rule.source}"
        check += f" (confidence {rule.confidence}" + (", unconfirmed)" if rule.unconfirmed else ")")
        rule_name = rule.source
    else:  # a certificate is given only to a shipment its market admits
        limit = check = rule_name = "—"
    consignee = ", ".join(part for part in (row["customer_name"], row["customer_city"]) if part)
    return ExportCertificateFacts(
        number=certificate.number,
        uri=uri,
        issued_on=certificate.issued_at.astimezone(JAKARTA).date().isoformat(),
        shipper=f"{row['producer_name']}, {row['producer_address']}, {row['producer_city']}, "
        "Indonesia",
        consignee=f"{consignee}, {country_name(row['customer_country'], 'en')}",
        market=market,
        product=row["product_name"],
        hs_code=row["hs_code"] or "—",
        lot=row["lot"],
        quantity=f"{format_number(row['quantity'], 'en')} {unit}",
        shipped_on=format_instant(row["shipped_at"]),
        document_no=row["document_no"] or "—",
        purpose=PURPOSES[row["purpose"]][1].capitalize(),
        facility=f"{row['facility_name']}, {row['facility_address']}, {row['facility_city']}",
        facility_licence=row["facility_licence_no"] or "—",
        facility_approval=_approval_words(rule, approvals, treated_on),
        irradiator=row["irradiator_name"],
        source=code_name("source_type", row["source_type"], _english)
        + (f", {format_number(energy, 'en')} MeV" if energy else ""),
        started=format_instant(row["started_at"]),
        ended=format_instant(row["ended_at"]),
        dosimetry=f"{row['dosimeter_types']} ({row['dosimeter_count']})",
        dose_map=" · ".join(p for p in (row["dose_map_name"], row["dose_map_study_ref"]) if p)
        or "—",
        product_temperature=(
            f"{format_number(row['product_temp_c'], 'en')} °C"
            if row["product_temp_c"] is not None
            else "—"
        ),
        dose_min=_kgy(row["dose_min_kgy"]),
        dose_max=_kgy(row["dose_max_kgy"]),
        dose_average=average,
        market_limit=limit,
        market_check=check,
        conformity=f"The consignment was irradiated in conformity with the {CODEX}, and meets "
        f"the rule of the destination market: {rule_name}.",
        market_words=_market_words(rule),
        recalled_at=format_instant(row["recalled_at"]) if row["status"] == "recalled" else None,
        recall_reason=row["recall_reason"] if row["status"] == "recalled" else None,
    )


async def shipment_certificate(
    conn: asyncpg.Connection, shipment_id: UUID, user: AuthUser, keys: Signer, base_url: str
) -> tuple[str, bytes]:
    """The certificate PDF of a shipment `user` may read (404 otherwise) and its number; 409
    for a cancelled shipment, 422 `market_not_permitted` when the market's rules (as they
    stand now) do not admit the batch."""
    args: list[Any] = [shipment_id]
    visible = shipments_visible_to(user, args)
    row = await conn.fetchrow(_FACTS + f"WHERE s.id = $1 AND {visible}", *args)
    if row is None:
        raise NotFound("shipment")
    if row["cancelled_at"] is not None:
        raise Conflict(
            "shipment_cancelled",
            "The shipment is cancelled: it has no certificate.",
            current_status="cancelled",
        )
    await check_market_admits(conn, row["batch_id"], row["market"])
    number = await _number(conn, shipment_id)
    fit = await batch_fit(conn, row["batch_id"], row["market"])
    certificate = IssuedCertificate(number["number"], number["issued_at"], row, fit)
    facts = await _facts(conn, certificate, certificate_uri(base_url, certificate.number, keys))
    return certificate.number, await anyio.to_thread.run_sync(export_certificate_pdf, facts)


async def issued_certificate(conn: asyncpg.Connection, number: str) -> IssuedCertificate | None:
    """The certificate with this number, as it stands now (a recall or a cancellation since
    is part of the answer); None for a number never given."""
    if NUMBER.match(number) is None:
        return None
    issued = await conn.fetchrow(
        "SELECT shipment_id, number, issued_at FROM export_certificates WHERE number = $1", number
    )
    if issued is None:
        return None
    row = await conn.fetchrow(_FACTS + "WHERE s.id = $1", issued["shipment_id"])
    fit = await batch_fit(conn, row["batch_id"], row["market"])
    return IssuedCertificate(issued["number"], issued["issued_at"], row, fit)
