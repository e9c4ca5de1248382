"""The market rules exactly as migration 0165 seeds them, read from the migration's SQL, so the
unit tests judge the seeded rows themselves (without a database)."""

from __future__ import annotations

import ast
import json
import re
from collections import defaultdict
from pathlib import Path

import msgspec

from schemas.markets import MarketRule

_MIGRATION = Path(__file__).parents[4] / "migrations" / "0165_market_rules.sql"
_COLUMNS = (
    "market", "category", "purpose", "hs_prefixes", "allowed", "dose_limit_kgy", "dose_metric",
    "max_source_energy_mev", "statutory_words", "symbol_required", "facility_approval", "source",
    "confidence", "unconfirmed",
)  # fmt: skip


def _values_sql() -> str:
    sql = _MIGRATION.read_text(encoding="utf-8")
    seed = sql.split("INSERT INTO market_rules", 1)[1].split(" VALUES", 1)[1]
    lines = [line for line in seed.splitlines() if not line.strip().startswith("--")]
    return "\n".join(lines).strip().rstrip(";")


def seeded_rules() -> dict[str, list[MarketRule]]:
    """Market code → its seeded rules, in the migration's order."""
    # SQL literals of this seed are Python literals once true/false/NULL are renamed
    python = re.sub(r"\btrue\b", "True", _values_sql())
    python = re.sub(r"\bfalse\b", "False", python)
    python = re.sub(r"\bNULL\b", "None", python)
    rows = ast.literal_eval(f"[{python}]")
    rules: dict[str, list[MarketRule]] = defaultdict(list)
    for row in rows:
        values = dict(zip(_COLUMNS, row, strict=True))
        market = values.pop("market")
        values["hs_prefixes"] = [p for p in values["hs_prefixes"].strip("{}").split(",") if p]
        values["max_source_energy_mev"] = json.loads(values["max_source_energy_mev"])
        values["statutory_words"] = json.loads(values["statutory_words"])
        rules[market].append(msgspec.convert(values, MarketRule))
    return dict(rules)
