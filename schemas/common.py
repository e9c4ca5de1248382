"""Value types shared by every schema: names, short texts, pages."""

from __future__ import annotations

from typing import Annotated, Generic, Literal, TypeVar

import msgspec

T = TypeVar("T")

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^\S(.*\S)?$")]
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
LongText = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
Reason = Annotated[str, msgspec.Meta(min_length=3, max_length=1000)]

ROLES = ("admin", "producer", "operator", "qa", "regulator")

# the purposes of irradiation (SPEC §3.1); which category allows which is data, in the database
Purpose = Literal[
    "sprout_inhibition",
    "delay_ripening",
    "disinfestation",
    "quarantine",
    "extend_shelf_life",
    "reduce_pathogens",
    "reduce_microbial_load",
    "control_parasites",
    "eliminate_salmonella",
    "sterilisation",
]


class Page(msgspec.Struct, Generic[T]):
    """One page of a list; pass `next_cursor` back as `?cursor=` for the next one."""

    items: list[T]
    next_cursor: str | None
