"""The verdict rules of SPEC §6: which labels Radura stands behind, and what a scan says."""

from __future__ import annotations

from datetime import date
from typing import Any

from schemas.labels import ParsedLabel
from schemas.verify import Verdict

# Only these batches ever had labels issued; any other state means the label is not ours.
LABELLED_STATUSES = frozenset({"released", "recalled"})


def label_issued(row: Any, parsed: ParsedLabel) -> bool:
    """Whether a validly signed URI names a label this batch really carries.

    The signature proves Radura built the URI; the record must still agree with it: the batch was
    released, the serial was issued for this batch, and the printed best-before (AI 17) is the
    one on record.
    """
    if row["status"] not in LABELLED_STATUSES or row["best_before"] is None:
        return False
    if row["dose_min_kgy"] is None or not row["serial_issued"]:
        return False
    return parsed.expiry is None or parsed.expiry == row["best_before"]


def decide(*, status: str, best_before: date, today: date, suspect: bool) -> Verdict:
    """Precedence: recalled > expired > suspect > genuine.

    A recall outranks everything (do not eat it); an expired pack is past its date whether or not
    its label was copied; a clone warning is about the label, not the food.
    """
    if status == "recalled":
        return "recalled"
    if today > best_before:
        return "expired"
    if suspect:
        return "suspect"
    return "genuine"
