"""A bare Litestar app returning a constant JSON object: the baseline for every HTTP benchmark."""

from __future__ import annotations

from litestar import Litestar, get


@get("/bare", sync_to_thread=False)
def bare() -> dict[str, str]:
    return {"verdict": "genuine", "signature": "valid"}


@get("/ready", sync_to_thread=False)
def ready() -> dict[str, str]:
    return {"status": "ready"}


def create_app() -> Litestar:
    return Litestar(route_handlers=[bare, ready])
