"""Client fingerprints, the label-view cache and the in-process scan tallies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from service.verify.cache import LabelCache
from service.verify.fingerprint import Fingerprinter, network_prefix, rate_limit_bucket
from service.verify.scans.tally import Tallies

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("host", "prefix"),
    [
        ("203.0.113.7", "203.0.113.0/24"),
        ("203.0.113.250", "203.0.113.0/24"),
        ("2001:db8:abcd:12::1", "2001:db8:abcd::/48"),
        ("::ffff:198.51.100.9", "198.51.100.0/24"),
        ("testclient", "testclient"),
    ],
)
def test_network_prefix(host: str, prefix: str) -> None:
    assert network_prefix(host) == prefix


@pytest.mark.parametrize(
    ("host", "bucket"),
    [
        ("203.0.113.7", "203.0.113.7"),  # IPv4: each address its own budget
        ("203.0.113.8", "203.0.113.8"),
        ("2001:db8:abcd:12::1", "2001:db8:abcd:12::/64"),  # IPv6: one budget per /64
        ("2001:db8:abcd:12:ffff:ffff:ffff:ffff", "2001:db8:abcd:12::/64"),
        ("::ffff:198.51.100.9", "198.51.100.9"),
        ("testclient", "testclient"),
    ],
)
def test_rate_limit_bucket(host: str, bucket: str) -> None:
    assert rate_limit_bucket(host) == bucket


def test_fingerprints_are_a_network_whatever_the_agent_never_an_address() -> None:
    key = b"k" * 32
    fingerprinter = Fingerprinter(key)
    phone = fingerprinter.fingerprint("203.0.113.7", "Android 14 Chrome")
    assert len(phone) == 16
    assert fingerprinter.fingerprint("203.0.113.99", "Android 14 Chrome") == phone
    assert fingerprinter.fingerprint("203.0.114.7", "Android 14 Chrome") != phone
    # a phone that claims another browser is still the same network
    assert fingerprinter.fingerprint("203.0.113.7", "iPhone Safari") == phone
    assert fingerprinter.fingerprint("2001:db8:1:2::1", "A") == fingerprinter.fingerprint(
        "2001:db8:1:ffff::9", "B"
    )
    assert fingerprinter.fingerprint("2001:db8:1::1", "A") != fingerprinter.fingerprint(
        "2001:db8:2::1", "A"
    )
    assert Fingerprinter(b"x" * 32).fingerprint("203.0.113.7", "Android 14 Chrome") != phone
    assert b"203.0.113" not in phone
    previews = {
        fingerprinter.fingerprint(host, agent)
        for host, agent in [
            ("1.1.1.1", "WhatsApp/2.23"),
            ("8.8.8.8", "TelegramBot (like TwitterBot)"),
            ("9.9.9.9", "facebookexternalhit/1.1"),
        ]
    }
    assert len(previews) == 1


@dataclass
class Entry:
    batch_id: UUID


def test_cache_serves_only_while_trusted_and_drops_a_batch_on_notice() -> None:
    cache: LabelCache[Entry] = LabelCache()
    first, second = uuid4(), uuid4()
    cache.put(b"a", Entry(first), cache.generation)
    assert cache.get(b"a") is None  # not trusted yet: no listener, no cache
    cache.trust(after_outage=False)
    generation = cache.generation
    cache.put(b"a", Entry(first), generation)
    cache.put(b"a2", Entry(first), generation)
    cache.put(b"b", Entry(second), generation)
    assert cache.get(b"a") is not None and len(cache) == 3
    cache.invalidate(first)
    assert cache.get(b"a") is None and cache.get(b"a2") is None
    assert cache.get(b"b") is not None
    assert cache.prefer_primary  # a replica may not have the change yet
    fresh: LabelCache[Entry] = LabelCache()
    fresh.trust(after_outage=False)
    assert not fresh.prefer_primary
    cache.distrust()
    assert cache.get(b"b") is None
    # kept only for when the database cannot be reached, and dropped once the listener is back
    assert cache.last_known(b"b") is not None
    cache.put(b"c", Entry(second), cache.generation)
    assert cache.last_known(b"c") is None
    cache.trust(after_outage=True)
    assert cache.last_known(b"b") is None and len(cache) == 0


def test_a_read_that_raced_a_notice_is_not_cached() -> None:
    cache: LabelCache[Entry] = LabelCache()
    cache.trust(after_outage=False)
    before = cache.generation
    cache.invalidate(uuid4())  # NOTIFY arrives while the read is in flight
    cache.put(b"a", Entry(uuid4()), before)
    assert cache.get(b"a") is None


def test_cache_is_bounded() -> None:
    cache: LabelCache[Entry] = LabelCache(max_entries=3)
    cache.trust(after_outage=False)
    for key in (b"1", b"2", b"3", b"4"):
        cache.put(key, Entry(uuid4()), cache.generation)
    assert len(cache) == 3 and cache.get(b"1") is None


def test_tally_flags_a_serial_past_the_threshold_and_never_a_batch_label() -> None:
    tallies = Tallies(threshold=5)
    batch = uuid4()
    now = datetime.now(UTC)
    serial = tallies.load((batch, "SERIAL0001"), 0, None, [], 0)
    flags = [tallies.count_scan(serial, now, "SERIAL0001", bytes([n])) for n in range(7)]
    assert flags == [False] * 5 + [True] * 2
    assert serial.count == 7 and serial.first_at == now
    batch_label = tallies.load((batch, ""), 0, None, [], 0)
    assert not any(tallies.count_scan(batch_label, now, None, bytes([n])) for n in range(20))


def test_tally_merges_the_database_without_going_backwards() -> None:
    tallies = Tallies(threshold=5)
    key = (uuid4(), "SERIAL0001")
    now = datetime.now(UTC)
    tally = tallies.load(key, 10, now, [(b"a", now), (b"b", now)], uncommitted=2)
    assert tally.count == 12
    tallies.count_scan(tally, now, "SERIAL0001", b"c")
    again = tallies.load(key, 5, now, [(b"d", now)], uncommitted=0)  # a lagging replica
    assert again is tally and tally.count == 13
    assert set(tally.fingerprints) == {b"a", b"b", b"c", b"d"}


def test_a_link_preview_is_a_scan_and_never_a_client() -> None:
    tallies = Tallies(threshold=5)
    now = datetime.now(UTC)
    tally = tallies.load((uuid4(), "SERIAL0001"), 0, None, [], 0)
    flags = [tallies.count_scan(tally, now, "SERIAL0001", bytes([n])) for n in range(5)]
    # the sixth fingerprint comes from a preview: counted as a scan, not as a sixth client
    flags.append(tallies.count_scan(tally, now, "SERIAL0001", b"preview", client=False))
    assert flags == [False] * 6
    assert tally.count == 6 and len(tally.fingerprints) == 5
    assert tallies.count_scan(tally, now, "SERIAL0001", b"sixth network")


def test_a_client_last_seen_more_than_30_days_ago_no_longer_counts() -> None:
    tallies = Tallies(threshold=5)
    now = datetime.now(UTC)
    old, recent = now - timedelta(days=31), now - timedelta(days=29)
    clients = [(b"old", old)] + [(bytes([n]), recent) for n in range(4)]
    tally = tallies.load((uuid4(), "SERIAL0001"), 5, old, clients, 0)
    # 4 recent clients + this one = 5: not over the threshold; the old one would have made 6
    assert not tallies.count_scan(tally, now, "SERIAL0001", b"today")
    assert set(tally.fingerprints) == {b"today", *(bytes([n]) for n in range(4))}
    # the old client scanning again today counts afresh
    assert tallies.count_scan(tally, now, "SERIAL0001", b"old")
