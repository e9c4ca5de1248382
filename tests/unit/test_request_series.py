"""Request counts, latency histograms and verdicts as plain numbers, read as Prometheus text."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from service.core.request_series import RequestSeries

ROUTE = ("GET", "/v/{label_path}", 200)


def _samples(series: RequestSeries) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    registry = CollectorRegistry()
    registry.register(series)
    text = generate_latest(registry).decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _series() -> RequestSeries:
    return RequestSeries("x_http", "radura", (0.001, 0.01, 1.0), "x_verifications_total")


def test_a_request_lands_in_every_bucket_from_its_own_up() -> None:
    series = _series()
    for seconds in (0.0005, 0.001, 0.002, 5.0):  # 0.001 is "less than or equal" to 0.001
        series.note_request(ROUTE, seconds)
    samples = _samples(series)
    labels = {
        "method": "GET",
        "path": "/v/{label_path}",
        "status_code": "200",
        "app_name": "radura",
    }

    def bucket(le: str) -> float:
        return samples[
            ("x_http_request_duration_seconds_bucket", frozenset({**labels, "le": le}.items()))
        ]

    assert [bucket(le) for le in ("0.001", "0.01", "1.0", "+Inf")] == [2, 3, 3, 4]
    assert samples[("x_http_request_duration_seconds_count", frozenset(labels.items()))] == 4
    assert samples[("x_http_request_duration_seconds_sum", frozenset(labels.items()))] == 5.0035
    assert samples[("x_http_requests_total", frozenset(labels.items()))] == 4
    # no 5xx, no error series
    assert not any(name == "x_http_requests_error_total" for name, _ in samples)


def test_5xx_answers_are_counted_as_errors_too_and_verdicts_by_verdict() -> None:
    series = _series()
    series.note_request(("GET", "/v/{label_path}", 503), 0.2)
    series.note_request(("GET", "/v/{label_path}", 404), 0.2)
    for verdict in ("genuine", "genuine", "invalid"):
        series.note_verdict(verdict)
    samples = _samples(series)
    errors = {
        name_labels: v
        for name_labels, v in samples.items()
        if name_labels[0] == "x_http_requests_error_total"
    }
    assert [dict(labels)["status_code"] for _, labels in errors] == ["503"]
    assert samples[("x_verifications_total", frozenset({("verdict", "genuine")}))] == 2
    assert samples[("x_verifications_total", frozenset({("verdict", "invalid")}))] == 1


def test_a_second_series_of_the_same_names_is_refused() -> None:
    registry = CollectorRegistry()
    registry.register(_series())
    with pytest.raises(ValueError, match="Duplicated timeseries"):
        registry.register(_series())
