"""The in-process cache of verified label views, dropped on NOTIFY and distrusted without LISTEN."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, Protocol, TypeVar
from uuid import UUID


class HasBatch(Protocol):
    @property
    def batch_id(self) -> UUID: ...


E = TypeVar("E", bound=HasBatch)

# the channel whose notifications name a changed batch (a recall), fed by `core.listener`
CHANNEL = "radura_label_change"

# After a change notification, views are re-read from the primary for this long: a streaming
# replica may not have replayed the recall yet when its NOTIFY arrives from the primary.
PRIMARY_READS_AFTER_CHANGE_S = 5.0


class LabelCache(Generic[E]):
    """An LRU of label views keyed by the signed message, safe against the fill/invalidate race.

    A view may only be cached or served while the change listener is connected (`trusted`):
    without it a recall could go unseen (`last_known` is for when the database is unreachable).
    Each invalidation bumps `generation`; a view read from the database before a bump is not
    stored after it, so a reader that raced a recall cannot re-cache it.
    """

    def __init__(self, max_entries: int = 100_000) -> None:
        self._entries: OrderedDict[Hashable, E] = OrderedDict()
        # batch id → its keys, so a batch's NOTIFY costs its own entries, not a walk of them all
        self._keys_of_batch: dict[UUID, set[Hashable]] = {}
        self._max_entries = max_entries
        self.generation = 0
        self.trusted = False
        self._primary_until = 0.0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> E | None:
        if not self.trusted:
            return None
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key: Hashable, entry: E, generation: int) -> None:
        if not self.trusted or generation != self.generation:
            return
        self._entries[key] = entry
        self._entries.move_to_end(key)
        self._keys_of_batch.setdefault(entry.batch_id, set()).add(key)
        if len(self._entries) > self._max_entries:
            old_key, old = self._entries.popitem(last=False)
            self._forget_key(old.batch_id, old_key)

    def _forget_key(self, batch_id: UUID, key: Hashable) -> None:
        keys = self._keys_of_batch.get(batch_id)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._keys_of_batch[batch_id]

    def invalidate(self, batch_id: UUID | None) -> None:
        """Drop the views of one batch, or all of them (`None`), after a change."""
        self._primary_until = time.monotonic() + PRIMARY_READS_AFTER_CHANGE_S
        self._drop(batch_id)

    def on_notify(self, payload: str) -> None:
        """A batch id, or `*` for a change that may touch any label."""
        try:
            batch_id = None if payload == "*" else UUID(payload)
        except ValueError:
            batch_id = None
        self.invalidate(batch_id)

    def _drop(self, batch_id: UUID | None) -> None:
        self.generation += 1
        if batch_id is None:
            self._entries.clear()
            self._keys_of_batch.clear()
            return
        for key in self._keys_of_batch.pop(batch_id, ()):
            self._entries.pop(key, None)

    def distrust(self) -> None:
        """The listener is gone: notifications may be lost, so serve nothing from memory as
        usual. The views are kept for `last_known`, and all dropped at the reconnect."""
        self.trusted = False
        self.generation += 1  # a read in flight now is not cached

    def last_known(self, key: Hashable) -> E | None:
        """The view this process last had, for when the database cannot be reached at all.

        While the database is down no recall can be made there either, so the view kept since
        the listener dropped is the latest there is; any change is seen at the reconnect."""
        return self._entries.get(key)

    def trust(self, *, after_outage: bool) -> None:
        """The listener is (re)connected: start afresh, nothing read before it counts. After an
        outage, changes missed meanwhile may be recent: the primary answers for a while."""
        if after_outage:
            self.invalidate(None)
        else:
            self._drop(None)
        self.trusted = True

    @property
    def prefer_primary(self) -> bool:
        """Whether reads must skip the replica: listener down, or a change just happened."""
        return not self.trusted or time.monotonic() < self._primary_until
