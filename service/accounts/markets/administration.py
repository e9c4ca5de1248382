"""An administrator's changes to export markets: replacing a market's rules and setting the
language its labels are printed in, and recording a facility's approval for a market. Each change
and its admin-audit-log entry share a transaction."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import msgspec

from labels.typography import missing_characters
from schemas.markets import FacilityApprovalCreate, FacilityApprovalRecord, MarketRule
from service.accounts import queries as account_queries
from service.accounts.admin_log import record_admin_change
from service.accounts.markets import queries
from service.core.auth import AuthUser
from service.core.errors import NotFound, RuleViolation


async def _check_category_purposes(conn: asyncpg.Connection, rules: list[MarketRule]) -> None:
    known = {
        (r["category"], r["purpose"])
        for r in await conn.fetch("SELECT category, purpose FROM food_category_purposes")
    }
    for index, rule in enumerate(rules):
        if (rule.category, rule.purpose) not in known:
            detail = f"{rule.category} × {rule.purpose} is not a row of the food-category table."
            raise RuleViolation(
                "category_purpose_unknown",
                detail,
                errors=[{"field": f"rules[{index}].purpose", "message": detail}],
            )


def _check_label_language(label_language: str, rules: list[MarketRule]) -> None:
    """A label printed for the market without `lang` carries its words in this language: the
    rules must hold words in it that the labels can print, or every such label would be refused
    (`market_words_missing`)."""
    languages = sorted(
        {language for rule in rules for language, words in rule.statutory_words.items() if words}
    )

    def refused(code: str, detail: str, **extra: str) -> RuleViolation:
        errors = [{"field": "label_language", "message": detail}]
        return RuleViolation(code, detail, errors=errors, languages=languages, **extra)

    if label_language not in languages:
        raise refused(
            "label_language_without_words",
            f"The market's rules hold no statutory words in {label_language}: a label's "
            f"language must be one of theirs ({', '.join(languages) or 'none'}), or null for the "
            "buyer country's.",
        )
    # a label prints the first of a rule's words in its language (labelling.market_words)
    unprintable = "".join(
        missing_characters(rule.statutory_words[label_language][0])
        for rule in rules
        if rule.statutory_words.get(label_language)
    )
    if unprintable:
        characters = "".join(dict.fromkeys(unprintable))
        raise refused(
            "label_language_unprintable",
            f"The labels cannot print the market's words in {label_language}: "
            f"{' '.join(characters)} (no "
            "label font has it, or it is written right to left, which the labels do not set). "
            "Choose a language whose words print, or null for the buyer country's.",
            characters=characters,
        )


async def replace_rules(
    conn: asyncpg.Connection,
    actor: AuthUser,
    code: str,
    rules: list[MarketRule],
    label_language: str | msgspec.UnsetType | None = msgspec.UNSET,
) -> list[MarketRule]:
    """The market's rules become `rules`, and its label language `label_language` unless that is
    left out; 404 for a market with no row; 422 `label_language_without_words` for a new
    language the rules hold no words in. A change of language is logged on its own line."""
    async with conn.transaction():
        # the row locked: two administrators' changes of the language are logged one after the
        # other, each with the language it replaced
        current = await queries.locked_market(conn, code)
        if current is None:
            raise NotFound("market")
        await _check_category_purposes(conn, rules)
        changed = (
            label_language is not msgspec.UNSET and label_language != current["label_language"]
        )
        # a new language must be one the words are in; the one a market was seeded with stays
        # (Japan's `ja`, whose words are not in the table yet) when its rules are saved again
        if changed and isinstance(label_language, str):
            _check_label_language(label_language, rules)
        await queries.replace_rules(conn, code, rules)
        await record_admin_change(
            conn, actor, "market.rules_replaced", "market", code, code, {"rules": len(rules)}
        )
        if changed and not isinstance(label_language, msgspec.UnsetType):
            await queries.set_label_language(conn, code, label_language)
            await record_admin_change(
                conn,
                actor,
                "market.label_language_changed",
                "market",
                code,
                code,
                {"from": current["label_language"], "to": label_language},
            )
        return await queries.market_rules(conn, code)


async def add_approval(
    conn: asyncpg.Connection, actor: AuthUser, organization_id: UUID, data: FacilityApprovalCreate
) -> FacilityApprovalRecord:
    """Record a facility's approval for a market (the EU list, FDA registration, APHIS, GACC)."""
    async with conn.transaction():
        organization = await account_queries.get_organization(conn, organization_id)
        if organization is None:
            raise NotFound("organization")
        if organization.kind != "facility":
            detail = "Approvals are a facility's; this organization is not an irradiation facility."
            raise RuleViolation(
                "not_a_facility", detail, errors=[{"field": "organization_id", "message": detail}]
            )
        if not await queries.market_exists(conn, data.market):
            detail = f"No market is recorded for {data.market}."
            raise RuleViolation(
                "market_unknown", detail, errors=[{"field": "market", "message": detail}]
            )
        row = await conn.fetchrow(
            """INSERT INTO facility_approvals (organization_id, market, kind, reference,
                                               valid_from, valid_until, created_by)
               VALUES ($1, $2, $3, $4, $5, $6, $7)
               RETURNING id, organization_id, market, kind, reference, valid_from, valid_until,
                         created_at""",
            organization_id,
            data.market,
            data.kind,
            data.reference,
            data.valid_from,
            data.valid_until,
            actor.id,
        )
        await record_admin_change(
            conn,
            actor,
            "organization.approval_added",
            "organization",
            organization_id,
            organization.name,
            {
                "market": data.market,
                "kind": data.kind,
                "reference": data.reference,
                "valid_from": data.valid_from.isoformat(),
                "valid_until": data.valid_until.isoformat(),
            },
        )
    return FacilityApprovalRecord(**dict(row))
