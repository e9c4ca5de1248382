"""The statutory words a label printed for an export market carries (SPEC §13.3): read from the
market's row that admits the batch, in the language asked for or the market's own.

Refused, each with a 422 naming its field: a language without a market (`market_needed`), a
market the table does not know
(`market_unknown`), one the batch may not go to (`market_not_permitted`, every failed rule),
the EU without the buyer country's language (`market_language_needed`), and a language whose
words the table lacks, or holds in letters no label font prints (`market_words_missing`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from labels.typography import missing_characters
from service.accounts.markets.queries import label_language, resolve_market
from service.batches.labelling.content import BatchLabel
from service.batches.market_fit import batch_fit
from service.batches.markets_check import HOME_MARKET
from service.core.errors import RuleViolation


def _refused(code: str, field: str, detail: str, **extra: Any) -> RuleViolation:
    return RuleViolation(code, detail, errors=[{"field": field, "message": detail}], **extra)


async def label_for_market(
    conn: asyncpg.Connection, label: BatchLabel, market: str | None, lang: str | None
) -> tuple[BatchLabel, str | None]:
    """The batch's label as printed for `market` (its words on the sticker) and the market's
    code; the label unchanged and None without a market. Every way of printing a label (the
    sheet, one sticker as SVG or PNG, `radura labels render`) asks here, so each refuses alike."""
    if market is None:
        if lang is not None:
            detail = "lang is the language of a market's words: name the market too."
            raise _refused("market_needed", "market", detail)
        return label, None
    code, words = await market_words(conn, label.batch_id, market, lang)
    content = msgspec.structs.replace(label.content, market_words=words)
    return msgspec.structs.replace(label, content=content), code


async def market_words(
    conn: asyncpg.Connection, batch_id: UUID, asked_market: str, asked_lang: str | None
) -> tuple[str, str]:
    """(the market's code, the words to print) for the batch: the first of the row's words in
    the language (the others are alternatives the rule allows: "Treated with radiation" or
    "Treated by irradiation"). The home market's label is the ordinary one: no words added."""
    market = await resolve_market(conn, asked_market)
    if market is None:
        raise _refused(
            "market_unknown",
            "market",
            f"No market is recorded for {asked_market}.",
            market=asked_market,
        )
    if market == HOME_MARKET:
        return market, ""
    fit = await batch_fit(conn, batch_id, market)
    failed, rule = fit.failed, fit.rule
    if failed or rule is None:
        raise _refused(
            "market_not_permitted",
            "market",
            f"{market} does not admit this batch: "
            + "; ".join(f"{f.rule}: {f.detail}" for f in failed),
            market=market,
            failed=[msgspec.to_builtins(f) for f in failed],
        )
    lang = asked_lang or await label_language(conn, market)
    languages = sorted(rule.statutory_words)
    if lang is None:
        raise _refused(
            "market_language_needed",
            "lang",
            f"A label for {market} carries its words in the buyer country's language: name it "
            f"(the table holds {', '.join(languages) or 'none'}).",
            market=market,
            languages=languages,
        )
    words = rule.statutory_words.get(lang, [])
    unprintable = missing_characters(words[0]) if words else ""
    if not words or unprintable:
        why = (
            f"the labels cannot print {' '.join(unprintable)} (no label font has it, or it is "
            "written right to left, which the labels do not set)"
            if unprintable
            else "the market's table has none in it"
        )
        raise _refused(
            "market_words_missing",
            "lang",
            f"{market}'s statutory words in {lang} cannot be printed: {why} (the table holds "
            f"{', '.join(languages) or 'none'}).",
            market=market,
            lang=lang,
            languages=languages,
        )
    return market, words[0]


@dataclass(frozen=True, slots=True)
class MarketLabelChoice:
    """A label the batch may be printed with for an export market: the market, the language of
    its words and the words themselves."""

    market: str
    market_name: str
    lang: str
    words: str


async def market_label_choices(conn: asyncpg.Connection, batch_id: UUID) -> list[MarketLabelChoice]:
    """Every (market, language) a label of the batch may be printed for: the export markets
    that admit it, each language their row has printable words in (the console offers these)."""
    markets = await conn.fetch(
        "SELECT code, name, label_language FROM markets WHERE code <> $1 ORDER BY code",
        HOME_MARKET,
    )
    choices = []
    for market in markets:
        fit = await batch_fit(conn, batch_id, market["code"])
        failed, rule = fit.failed, fit.rule
        if failed or rule is None:
            continue
        # the market's own language first (China's 辐照食品 before its English)
        own = market["label_language"]
        for lang, words in sorted(rule.statutory_words.items(), key=lambda i: (i[0] != own, i)):
            if words and not missing_characters(words[0]):
                choices.append(MarketLabelChoice(market["code"], market["name"], lang, words[0]))
    return choices
