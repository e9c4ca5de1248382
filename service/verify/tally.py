"""Per-label scan counts and distinct clients as one process sees them: the database's figures,
re-read at most once a second, plus this process's scans since.

Across processes the figures converge within about a second (the flush interval plus this
refresh); within one process they are exact, so a burst of clones from many phones is caught
on the scan that crosses the threshold.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

REFRESH_AFTER_S = 1.0

TallyKey = tuple[UUID, str]  # (batch id, serial or '' for the batch-level label)


@dataclass(slots=True)
class LabelTally:
    count: int
    first_at: datetime | None
    fingerprints: set[bytes] = field(default_factory=set)
    loaded_at: float = 0.0

    def stale(self, now: float) -> bool:
        return now - self.loaded_at > REFRESH_AFTER_S


class Tallies:
    """An LRU of LabelTally; `threshold` bounds how many fingerprints a serial needs to keep."""

    def __init__(self, threshold: int, max_entries: int = 100_000) -> None:
        self.threshold = threshold
        self._entries: OrderedDict[TallyKey, LabelTally] = OrderedDict()
        self._max_entries = max_entries

    def get(self, key: TallyKey) -> LabelTally | None:
        return self._entries.get(key)

    def load(
        self,
        key: TallyKey,
        count: int,
        first_at: datetime | None,
        fingerprints: Iterable[bytes],
        uncommitted: int,
    ) -> LabelTally:
        """Merge the database's figures; never lower what this process already showed."""
        tally = self._entries.get(key)
        count += uncommitted  # scans of this process still in the buffer
        if tally is None:
            tally = LabelTally(count, first_at)
            self._entries[key] = tally
            if len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        else:
            tally.count = max(tally.count, count)
            if first_at is not None and (tally.first_at is None or first_at < tally.first_at):
                tally.first_at = first_at
        self._entries.move_to_end(key)
        for fingerprint in fingerprints:
            self._add_fingerprint(tally, fingerprint)
        tally.loaded_at = time.monotonic()
        return tally

    def _add_fingerprint(self, tally: LabelTally, fingerprint: bytes) -> None:
        # past the threshold a serial stays suspect: more fingerprints add nothing
        if len(tally.fingerprints) <= self.threshold:
            tally.fingerprints.add(fingerprint)

    def count_scan(
        self, tally: LabelTally, at: datetime, serial: str | None, fingerprint: bytes
    ) -> bool:
        """Add this scan; True when the serial has now been seen from too many clients."""
        tally.count += 1
        if tally.first_at is None:
            tally.first_at = at
        if serial is None:
            return False  # every pack of a batch-level label carries the same code
        self._add_fingerprint(tally, fingerprint)
        return len(tally.fingerprints) > self.threshold
