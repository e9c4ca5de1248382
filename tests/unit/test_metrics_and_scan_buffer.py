"""The metrics allow-list, the scrape-time gauges a domain registers, and the scan buffer's bound:
rows past it are let go and counted, while the label's tally keeps every scan."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from prometheus_client import REGISTRY

from service.core.metrics import SCANS_DROPPED, database_gauge
from service.core.metrics_controller import _allowed
from service.core.proxies import IPNetwork
from service.core.settings import DEFAULT_METRICS_ALLOW, SettingsError, parse_networks
from service.verify.scans.log import ScanLog


def _dropped() -> float:
    SCANS_DROPPED.labels("buffer_full")  # the series exists before its first drop
    value = REGISTRY.get_sample_value("radura_scans_dropped_total", {"reason": "buffer_full"})
    return value or 0.0


def allow_list(raw: str) -> tuple[IPNetwork, ...]:
    """RADURA_METRICS_ALLOW read as the settings read it."""
    return parse_networks("RADURA_METRICS_ALLOW", raw, DEFAULT_METRICS_ALLOW, strict=False)


def test_allow_list_takes_networks_and_bare_addresses() -> None:
    networks = allow_list(" 10.0.0.0/8, 192.0.2.7 ,,2001:db8::/32")
    assert _allowed("10.200.3.4", networks)
    assert _allowed("192.0.2.7", networks) and not _allowed("192.0.2.8", networks)
    assert _allowed("2001:db8::5", networks)
    assert _allowed("::ffff:10.1.1.1", networks)  # an IPv4 client on a dual-stack socket
    assert not _allowed("127.0.0.1", networks)
    assert not _allowed("testclient", networks) and not _allowed("", networks)
    loopback = allow_list(DEFAULT_METRICS_ALLOW)
    assert _allowed("127.0.0.1", loopback) and _allowed("::1", loopback)
    assert not _allowed("10.0.0.1", loopback)


def test_allow_list_names_a_bad_entry() -> None:
    with pytest.raises(SettingsError, match=re.escape("RADURA_METRICS_ALLOW holds '10.0.0.300/8'")):
        allow_list("127.0.0.1,10.0.0.300/8")


def test_a_gauge_registered_again_is_the_same_gauge_read_the_new_way() -> None:
    """Each app built in a process registers its domains' gauges: the second registration of a
    name must neither be refused by Prometheus nor leave the first app's reading behind."""

    async def first(_conn: Any) -> int:
        return 1

    async def second(_conn: Any) -> int:
        return 2

    name = f"radura_test_gauge_{uuid4().hex}"
    gauge = database_gauge(name, "A gauge of this test", first)
    assert database_gauge(name, "A gauge of this test", second) is gauge
    from service.core import metrics

    assert metrics._database_gauges[name] == (gauge, second)


def test_a_full_buffer_keeps_its_oldest_rows_and_every_tally() -> None:
    pool: Any = None  # nothing is flushed here
    scan_log = ScanLog(pool, max_rows=3)
    batch_id, before = uuid4(), _dropped()
    for _ in range(5):
        scan_log.record(datetime.now(UTC), batch_id, "S1", "genuine", b"f")
    scan_log.record_unresolved((datetime.now(UTC), "CODE", None, None, None, b"f"))
    assert len(scan_log) == 3
    assert _dropped() - before == 3
    # the label's count still has all five: only history rows were let go
    assert scan_log.uncommitted((batch_id, "S1")) == 5
