"""Request counts and latency by route, and verdicts: kept as plain numbers, read by Prometheus.

prometheus_client's counters and histograms take a lock and walk the buckets in Python on every
update: three updates a scan came to a twentieth of the scan's whole cost. These figures change
only on the event loop, so they are plain additions here, and prometheus_client's collector API
turns them into the usual series when /metrics is read.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence

from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

# Route key: (method, route template, status code)
RouteKey = tuple[str, str, int]
_LABELS = ["method", "path", "status_code", "app_name"]


class _Timings:
    """One route's and status's count, total seconds and histogram bucket counts."""

    __slots__ = ("buckets", "count", "sum_s")

    def __init__(self, bucket_count: int) -> None:
        self.count = 0
        self.sum_s = 0.0
        self.buckets = [0] * bucket_count


class RequestSeries(Collector):
    """`{prefix}_requests_total`, `{prefix}_request_duration_seconds` and, for 5xx answers,
    `{prefix}_requests_error_total`, by method, route template and status code; and
    `verdict_name` by verdict. The same names, labels and buckets as Litestar's Prometheus
    middleware would give them."""

    def __init__(
        self, prefix: str, app_name: str, buckets_s: Sequence[float], verdict_name: str
    ) -> None:
        self._prefix = prefix
        self._app_name = app_name
        self._bounds_s = list(buckets_s)  # upper bounds; a last bucket above them is +Inf
        self._routes: dict[RouteKey, _Timings] = {}
        self._verdict_name = verdict_name
        self._verdicts: dict[str, int] = {}

    def note_request(self, key: RouteKey, seconds: float) -> None:
        timings = self._routes.get(key)
        if timings is None:
            timings = self._routes[key] = _Timings(len(self._bounds_s) + 1)
        timings.count += 1
        timings.sum_s += seconds
        # Prometheus buckets are "less than or equal": bisect_left puts a value equal to a
        # bound in that bound's bucket
        timings.buckets[bisect_left(self._bounds_s, seconds)] += 1

    def note_verdict(self, verdict: str) -> None:
        self._verdicts[verdict] = self._verdicts.get(verdict, 0) + 1

    def describe(self) -> list[Metric]:
        # registered by name, so another series of these names is refused at registration
        return list(self._families({}, {}))

    def collect(self) -> Iterator[Metric]:
        return self._families(dict(self._routes), dict(self._verdicts))

    def _families(
        self, routes: dict[RouteKey, _Timings], verdicts: dict[str, int]
    ) -> Iterator[Metric]:
        prefix = self._prefix
        requests = CounterMetricFamily(f"{prefix}_requests", "Total requests", labels=_LABELS)
        errors = CounterMetricFamily(
            f"{prefix}_requests_error", "Total errors in requests", labels=_LABELS
        )
        durations = HistogramMetricFamily(
            f"{prefix}_request_duration_seconds", "Request duration, in seconds", labels=_LABELS
        )
        upper_bounds = [*(floatToGoString(b) for b in self._bounds_s), "+Inf"]
        for (method, path, status), timings in routes.items():
            labels = [method, path, str(status), self._app_name]
            requests.add_metric(labels, timings.count)
            if status >= 500:
                errors.add_metric(labels, timings.count)
            cumulative, running = [], 0
            for bound, count in zip(upper_bounds, timings.buckets, strict=True):
                running += count
                cumulative.append((bound, running))
            durations.add_metric(labels, cumulative, timings.sum_s)
        yield requests
        yield errors
        yield durations
        verdict_family = CounterMetricFamily(
            self._verdict_name, "Label verifications answered, by verdict", labels=["verdict"]
        )
        for verdict, count in verdicts.items():
            verdict_family.add_metric([verdict], count)
        yield verdict_family
