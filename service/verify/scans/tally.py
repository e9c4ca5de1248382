"""Per-label scan counts and distinct clients as one process sees them: the database's figures,
re-read at most once a second, plus this process's scans since.

Across processes the figures converge within about a second (the flush interval plus this
refresh); within one process they are exact, so a burst of clones from many phones is caught
on the scan that crosses the threshold. A client counts for CLIENT_WINDOW_DAYS after it last
scanned the serial; a link preview is no client at all.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

from service.webhooks.suspect import CLIENT_WINDOW_DAYS

REFRESH_AFTER_S = 1.0

TallyKey = tuple[UUID, str]  # (batch id, serial or '' for the batch-level label)
CLIENT_WINDOW = timedelta(days=CLIENT_WINDOW_DAYS)


@dataclass(slots=True)
class LabelTally:
    count: int
    first_at: datetime | None
    # each client's fingerprint and when it last scanned the serial
    fingerprints: dict[bytes, datetime] = field(default_factory=dict)
    loaded_at: float = 0.0

    def stale(self, now: float) -> bool:
        return now - self.loaded_at > REFRESH_AFTER_S

    def recent_clients(self, now: datetime) -> int:
        """How many clients scanned the serial within the window; older ones are let go."""
        cutoff = now - CLIENT_WINDOW
        for fingerprint in [f for f, seen in self.fingerprints.items() if seen <= cutoff]:
            del self.fingerprints[fingerprint]
        return len(self.fingerprints)


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
        fingerprints: Iterable[tuple[bytes, datetime]],
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
        now = datetime.now(UTC)
        for fingerprint, seen in fingerprints:
            self._add_fingerprint(tally, fingerprint, seen, now)
        tally.loaded_at = time.monotonic()
        return tally

    def _add_fingerprint(
        self, tally: LabelTally, fingerprint: bytes, seen: datetime, now: datetime
    ) -> None:
        known = tally.fingerprints.get(fingerprint)
        if known is not None:
            tally.fingerprints[fingerprint] = max(known, seen)
        # past the threshold a serial stays suspect: more fingerprints add nothing
        elif tally.recent_clients(now) <= self.threshold:
            tally.fingerprints[fingerprint] = seen

    def count_scan(
        self,
        tally: LabelTally,
        at: datetime,
        serial: str | None,
        fingerprint: bytes,
        *,
        client: bool = True,
    ) -> bool:
        """Add this scan; True when the serial has now been seen from too many clients.

        A scan that is no client (a link preview) is counted as a scan, never as a client."""
        tally.count += 1
        if tally.first_at is None:
            tally.first_at = at
        if serial is None:
            return False  # every pack of a batch-level label carries the same code
        if client:
            self._add_fingerprint(tally, fingerprint, at, at)
        return tally.recent_clients(at) > self.threshold
