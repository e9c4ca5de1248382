"""What the facility may do with a batch now, as its page and the facility's forms offer it."""

from __future__ import annotations

from schemas.batches import BatchRecord
from service.core.auth import AuthUser


def facility_actions(user: AuthUser, record: BatchRecord) -> list[str]:
    """The facility's actions on the batch page that its status allows now, for this user.
    Release is not offered to the treatment's recorder (four eyes) nor for a treatment that does
    not conform; the server refuses both anyway."""
    if user.role not in ("operator", "qa"):
        return []
    if record.status == "registered":
        return ["receive"]
    if record.status == "received":
        return ["treat"]
    if record.status == "treated" and user.role == "qa" and record.treatment is not None:
        actions = ["reject"]
        if record.treatment.recorded_by.id != user.id and record.treatment.conforming:
            actions.insert(0, "release")
        return actions
    return []
