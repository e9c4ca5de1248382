"""The in-process cache of token lookups: trusted only with a listener, dropped per user."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from service.core.auth import AuthUser
from service.core.token_cache import CachedToken, TokenCache


def _entry(expires_at: datetime | None = None) -> CachedToken:
    return CachedToken(AuthUser(uuid4(), "Sari", "producer", uuid4()), expires_at)


def test_serves_only_while_trusted_and_drops_one_users_tokens_on_notice() -> None:
    cache = TokenCache()
    first, second = _entry(), _entry()
    cache.put(b"a", first, cache.generation)
    assert cache.get(b"a") is None  # no listener yet: nothing is served from memory
    cache.trust(after_outage=False)
    cache.put(b"a", first, cache.generation)
    cache.put(b"b", second, cache.generation)
    cache.on_notify(str(first.user.id))
    assert cache.get(b"a") is None and cache.get(b"b") is second
    cache.on_notify("not a user id")  # anything unreadable drops everything
    assert len(cache) == 0


def test_a_lookup_that_raced_a_revoke_is_not_cached() -> None:
    cache = TokenCache()
    cache.trust(after_outage=False)
    before = cache.generation
    cache.drop_user(uuid4())  # NOTIFY arrives while the lookup is in flight
    cache.put(b"a", _entry(), before)
    assert cache.get(b"a") is None


def test_a_lost_listener_empties_the_cache_and_stops_it() -> None:
    cache = TokenCache()
    cache.trust(after_outage=False)
    cache.put(b"a", _entry(), cache.generation)
    cache.distrust()
    assert len(cache) == 0
    cache.put(b"a", _entry(), cache.generation)
    assert cache.get(b"a") is None


def test_the_oldest_lookup_goes_first_when_full() -> None:
    cache = TokenCache(max_entries=2)
    cache.trust(after_outage=False)
    for key in (b"a", b"b"):
        cache.put(key, _entry(), cache.generation)
    cache.get(b"a")
    cache.put(b"c", _entry(), cache.generation)
    assert cache.get(b"b") is None and cache.get(b"a") is not None


def test_expiry_is_read_against_the_given_clock() -> None:
    now = datetime.now(UTC)
    assert not _entry(None).expired(now)
    assert not _entry(now + timedelta(seconds=1)).expired(now)
    assert _entry(now).expired(now)
