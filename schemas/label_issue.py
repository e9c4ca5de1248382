"""Bodies of the label-issuing endpoint."""

from __future__ import annotations

from typing import Annotated

import msgspec

LabelCount = Annotated[int, msgspec.Meta(ge=1, le=100_000)]


class LabelIssueRequest(msgspec.Struct, forbid_unknown_fields=True):
    count: LabelCount


class LabelsIssued(msgspec.Struct):
    issued: int
    total: int
