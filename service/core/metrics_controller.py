"""`GET /metrics`: the Prometheus text format, for the addresses of `RADURA_METRICS_ALLOW` only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from service.core.metrics import METRICS_PATH, read_at_scrape
from service.core.proxies import IPNetwork, ip_address


def _allowed(host: str, networks: Sequence[IPNetwork]) -> bool:
    address = ip_address(host)
    return address is not None and any(address in network for network in networks)


class MetricsController(Controller):
    """Prometheus text format, for the addresses of `RADURA_METRICS_ALLOW` only."""

    @get(
        METRICS_PATH,
        operation_id="metrics",
        exclude_from_auth=True,
        include_in_schema=False,
        cache=False,
    )
    async def metrics(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """Metrics; anyone else is told there is nothing here, not that it is forbidden."""
        state = request.app.state
        host = request.client.host if request.client else ""
        if not _allowed(host, state.settings.metrics_allow):
            raise NotFoundException()
        await read_at_scrape(state)
        headers = {"Content-Type": CONTENT_TYPE_LATEST}
        return Response(generate_latest(REGISTRY), status_code=200, headers=headers)
