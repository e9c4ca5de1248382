"""The server's signing keys: loaded at start, re-read after a rotation, published as JWKS."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Controller, Litestar, Response, get
from litestar.datastructures import State

from labels.signing import Keyring, VerifyResult
from service.core.settings import Settings

# after `radura keys rotate`, other processes learn the new kid from disk at most this often
_RELOAD_INTERVAL_S = 5.0


class SigningKeys:
    """A Keyring that re-reads the data folder when it meets a kid it does not know yet."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._loaded_at = 0.0
        self.keyring = self._load()

    def _load(self) -> Keyring:
        self._loaded_at = time.monotonic()
        return Keyring.load_or_create(self._settings.data_dir, self._settings.signing_key)

    def sign(self, message: bytes) -> str:
        return self.keyring.sign(message)

    def verify(self, message: bytes, s: str) -> VerifyResult:
        result = self.keyring.verify(message, s)
        if result.valid or not (result.reason or "").startswith("unknown kid"):
            return result
        with self._lock:
            if time.monotonic() - self._loaded_at < _RELOAD_INTERVAL_S:
                return result
            self.keyring = self._load()
        return self.keyring.verify(message, s)

    def jwks(self) -> dict[str, Any]:
        return self.keyring.jwks()


def signing_keys_lifespan(settings: Settings) -> Any:
    @asynccontextmanager
    async def load_keys(app: Litestar) -> AsyncGenerator[None, None]:
        app.state.signing_keys = SigningKeys(settings)
        yield

    return load_keys


class JwksController(Controller):
    tags = ["labels"]

    @get(
        "/.well-known/jwks.json",
        operation_id="getJwks",
        exclude_from_auth=True,
        media_type="application/json",
    )
    async def jwks(self, state: State) -> Response[dict[str, Any]]:
        """The public keys that verify label signatures, active and retired (RFC 7517)."""
        return Response(
            state.signing_keys.jwks(),
            headers={"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"},
        )
