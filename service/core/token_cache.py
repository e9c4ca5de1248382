"""The in-process cache of bearer-token lookups, dropped on NOTIFY and distrusted without LISTEN.

A warm token costs no database round trip. Its expiry is kept with it and checked against the
clock on every request; a revoke, a disable or a role change arrives as a notification naming the
user, whose cached tokens are dropped (see `service.core.listener`, which verification starts)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from service.core.auth_user import AuthUser

CHANNEL = "radura_token_change"


@dataclass(frozen=True, slots=True)
class CachedToken:
    user: AuthUser
    expires_at: datetime | None

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


class TokenCache:
    """An LRU of token lookups keyed by the token's SHA-256, safe against the fill/revoke race.

    Like the label cache it serves only while the change listener is connected (`trusted`), and a
    lookup read before a notification (`generation` bumped) is not stored after it."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self._entries: OrderedDict[bytes, CachedToken] = OrderedDict()
        self._hashes_of_user: dict[UUID, set[bytes]] = {}
        self._max_entries = max_entries
        self.generation = 0
        self.trusted = False

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, token_sha256: bytes) -> CachedToken | None:
        if not self.trusted:
            return None
        entry = self._entries.get(token_sha256)
        if entry is not None:
            self._entries.move_to_end(token_sha256)
        return entry

    def put(self, token_sha256: bytes, entry: CachedToken, generation: int) -> None:
        if not self.trusted or generation != self.generation:
            return
        self._entries[token_sha256] = entry
        self._entries.move_to_end(token_sha256)
        self._hashes_of_user.setdefault(entry.user.id, set()).add(token_sha256)
        if len(self._entries) > self._max_entries:
            old_hash, old = self._entries.popitem(last=False)
            self._forget(old.user.id, old_hash)

    def discard(self, token_sha256: bytes) -> None:
        """Forget one lookup (an expired token: no notification will come for it)."""
        entry = self._entries.pop(token_sha256, None)
        if entry is not None:
            self._forget(entry.user.id, token_sha256)

    def _forget(self, user_id: UUID, token_sha256: bytes) -> None:
        hashes = self._hashes_of_user.get(user_id)
        if hashes is not None:
            hashes.discard(token_sha256)
            if not hashes:
                del self._hashes_of_user[user_id]

    def drop_user(self, user_id: UUID | None) -> None:
        """Drop the cached tokens of one user, or of everybody (`None`)."""
        self.generation += 1
        if user_id is None:
            self._entries.clear()
            self._hashes_of_user.clear()
            return
        for token_sha256 in self._hashes_of_user.pop(user_id, ()):
            self._entries.pop(token_sha256, None)

    def on_notify(self, payload: str) -> None:
        try:
            user_id = UUID(payload)
        except ValueError:
            user_id = None
        self.drop_user(user_id)

    def distrust(self) -> None:
        """The listener is gone: a revoke may go unheard, so every request reads the database."""
        self.trusted = False
        self.drop_user(None)

    def trust(self, *, after_outage: bool) -> None:
        """The listener is (re)connected: start afresh, nothing read before it counts."""
        self.drop_user(None)
        self.trusted = True
