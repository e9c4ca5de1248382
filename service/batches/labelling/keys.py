"""The server's signing keys: loaded at start, re-read after a rotation, published as JWKS (by
`keys_controller`)."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar

from labels.signing import Keyring, VerifyResult
from service.core.settings import Settings

# after `radura keys rotate`, other processes learn the new kid from disk at most this often
_RELOAD_INTERVAL_S = 5.0


class SigningKeys:
    """A Keyring that follows the key files: after `radura keys rotate` (another process), every
    running process signs with the new key and publishes it within `_RELOAD_INTERVAL_S`."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._checked_at = time.monotonic()
        self.keyring = Keyring.load_or_create(settings.data_dir, settings.signing_key)
        self._stamp = self._files_stamp()  # after loading: the first start may create the files

    def _files_stamp(self) -> tuple[int, ...]:
        """Changes whenever a key file is replaced or added (rotation renames a new file in)."""
        keys = self._settings.data_dir / "keys"
        stamp: list[int] = []
        for path in (keys / "active.pem", keys / "archive"):
            try:
                info = path.stat()
            except OSError:
                stamp += [0, 0]
                continue
            stamp += [info.st_ino, info.st_mtime_ns]
        return tuple(stamp)

    def _current(self) -> Keyring:
        now = time.monotonic()
        if now - self._checked_at < _RELOAD_INTERVAL_S:
            return self.keyring
        with self._lock:
            if now - self._checked_at < _RELOAD_INTERVAL_S:
                return self.keyring
            self._checked_at = now
            stamp = self._files_stamp()
            if stamp != self._stamp:
                self.keyring = Keyring.load_or_create(
                    self._settings.data_dir, self._settings.signing_key
                )
                self._stamp = stamp
        return self.keyring

    def sign(self, message: bytes) -> str:
        return self._current().sign(message)

    def verify(self, message: bytes, s: str) -> VerifyResult:
        return self._current().verify(message, s)

    def jwks(self) -> dict[str, Any]:
        return self._current().jwks()


def signing_keys_lifespan(settings: Settings) -> Any:
    @asynccontextmanager
    async def load_keys(app: Litestar) -> AsyncGenerator[None, None]:
        app.state.signing_keys = SigningKeys(settings)
        yield

    return load_keys
