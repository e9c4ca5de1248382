"""Value types shared by every schema: names, short texts, pages."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

import msgspec

T = TypeVar("T")

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^\S(.*\S)?$")]
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
LongText = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
Reason = Annotated[str, msgspec.Meta(min_length=3, max_length=1000)]

ROLES = ("admin", "producer", "operator", "qa", "regulator")


class Page(msgspec.Struct, Generic[T]):
    """One page of a list; pass `next_cursor` back as `?cursor=` for the next one."""

    items: list[T]
    next_cursor: str | None
