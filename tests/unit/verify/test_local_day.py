"""The cached local day agrees with a fresh conversion at every instant, in any order."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.verify.local_day import LocalDay


def test_jakarta_day_turns_at_local_midnight() -> None:
    day = LocalDay(ZoneInfo("Asia/Jakarta"))
    midnight_utc = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)  # 00:00 WIB on the 29th
    assert day.of(midnight_utc - timedelta(microseconds=1)) == date(2026, 11, 28)
    assert day.of(midnight_utc) == date(2026, 11, 29)
    assert day.of(midnight_utc - timedelta(seconds=1)) == date(2026, 11, 28)  # back again


@pytest.mark.parametrize("zone", ["Asia/Jakarta", "Europe/Berlin", "America/St_Johns"])
def test_agrees_with_a_fresh_conversion(zone: str) -> None:
    tz = ZoneInfo(zone)
    day = LocalDay(tz)
    rng = random.Random(7)
    start = datetime(2026, 3, 20, tzinfo=UTC)  # spans Europe's and America's clock changes
    instants = [start + timedelta(minutes=17 * i) for i in range(6000)]
    instants += rng.sample(instants, 2000)
    for instant in instants:
        assert day.of(instant) == instant.astimezone(tz).date(), instant
