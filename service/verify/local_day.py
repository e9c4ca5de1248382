"""Today's date in a time zone, worked out once a day rather than once a scan: converting an
instant to a zone's date is among the dearest steps of a cached verification."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


class LocalDay:
    """The date in `zone` of a UTC instant; recomputed only when an instant leaves the day."""

    __slots__ = ("_ends", "_starts", "_today", "_zone")

    def __init__(self, zone: ZoneInfo) -> None:
        self._zone = zone
        self._starts = self._ends = datetime.min.replace(tzinfo=UTC)
        self._today = date.min

    def of(self, now: datetime) -> date:
        """`now` must be timezone-aware UTC (as `datetime.now(UTC)` gives)."""
        if not self._starts <= now < self._ends:
            self._today = now.astimezone(self._zone).date()
            midnight = datetime.combine(self._today, time(), self._zone)
            self._starts = midnight.astimezone(UTC)
            # wall-clock arithmetic: the next local midnight, however long the day
            self._ends = datetime.combine(
                self._today + timedelta(days=1), time(), self._zone
            ).astimezone(UTC)
        return self._today
