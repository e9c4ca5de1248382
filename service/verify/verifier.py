"""Verifying one scanned label: signature, record, verdict, scan log — from memory when it can."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import asyncpg
import structlog

from labels.signing import VerifyResult
from schemas.batches import JAKARTA
from schemas.labels import ParsedLabel
from schemas.verify import ScanSummary, SignatureState, Verdict
from service.core import db
from service.verify import queries
from service.verify.cache import LabelCache
from service.verify.fingerprint import Fingerprinter, is_link_preview
from service.verify.local_day import LocalDay
from service.verify.resolver.gtins import KnownGtins
from service.verify.scans.log import ScanLog
from service.verify.scans.tally import LabelTally, Tallies, TallyKey
from service.verify.verdict import decide, label_issued
from service.verify.view import LabelView, view_from_row

log = structlog.get_logger()
# A read failing with one of these means the database cannot be reached (down, restarting, or
# no connection free in time), not that it refused the query.
DATABASE_UNREACHABLE: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,
    # a connection cut in the middle of a query can be left in a state asyncpg reports so
    asyncpg.InternalClientError,
)
# what a representation that is not a scan (linkset, certificate, HEAD) carries as figures
_NOT_COUNTED = ScanSummary(count=0, first_at=None)


class SignatureChecker(Protocol):
    """A `labels.signing.Keyring`, or the app's `SigningKeys` that follows key rotations."""

    def verify(self, message: bytes, s: str) -> VerifyResult: ...


@dataclass(slots=True)
class Outcome:
    verdict: Verdict
    signature: SignatureState
    view: LabelView | None = None
    scans: ScanSummary | None = None


class Verifier:
    """Holds what one process knows: the keyring, the label-view cache, the scan tallies.

    A cached view is keyed by the signed message and remembers which `s` tokens were verified
    for it; any other token is checked with Ed25519 before anything is read or said.
    """

    def __init__(
        self,
        *,
        keyring: SignatureChecker,
        primary: asyncpg.Pool,
        replica: asyncpg.Pool | None,
        fingerprinter: Fingerprinter,
        scan_log: ScanLog,
        clone_threshold: int,
    ) -> None:
        self.keyring = keyring
        self._primary = primary
        self._replica = replica
        self.fingerprinter = fingerprinter
        self.scan_log = scan_log
        self.cache: LabelCache[LabelView] = LabelCache()
        # the GTINs of our products, so the resolver answers an unknown one without SQL
        self.gtins = KnownGtins(primary)
        self.tallies = Tallies(clone_threshold)
        self.clone_threshold = clone_threshold
        self._jakarta_day = LocalDay(JAKARTA)
        # one database read per label at a time, however many phones scan it at that moment
        self._view_reads: dict[tuple[bytes, int], asyncio.Task[Any]] = {}
        self._tally_reads: dict[TallyKey, asyncio.Task[Any]] = {}

    @property
    def pools(self) -> dict[str, asyncpg.Pool]:
        """Verification's own pools by name, for the metrics."""
        pools = {"verify": self._primary}
        if self._replica is not None:
            pools["verify_replica"] = self._replica
        return pools

    async def close(self) -> None:
        """Cancel reads still in flight (at shutdown, before the pools close)."""
        await self.gtins.close()
        for task in [*self._view_reads.values(), *self._tally_reads.values()]:
            task.cancel()
        self._view_reads.clear()
        self._tally_reads.clear()

    def _reader(self) -> asyncpg.Pool:
        if self._replica is not None and not self.cache.prefer_primary:
            return self._replica
        return self._primary

    async def verify(
        self, parsed: ParsedLabel, client_host: str, user_agent: str, *, count_scan: bool = True
    ) -> Outcome:
        """The verdict on a parsed label URI; a counted scan is logged and tallied."""
        now = datetime.now(UTC)
        fingerprint = self.fingerprinter.fingerprint(client_host, user_agent)
        # a chat app previewing a shared link is recorded as a preview, never as one more client
        client = not is_link_preview(user_agent)
        if parsed.signature is None or parsed.signature_b64 is None:
            self._log_unverified(parsed, now, fingerprint, count_scan)
            return Outcome("invalid", "missing")
        message = parsed.signed_message
        view = self.cache.get(message)
        # a token already verified for this very message needs no second Ed25519 check
        known = view is not None and parsed.signature in view.signatures
        if not known and not self.keyring.verify(message, parsed.signature_b64).valid:
            self._log_unverified(parsed, now, fingerprint, count_scan)
            return Outcome("invalid", "invalid")
        tally: LabelTally | None = None
        if view is None:
            generation = self.cache.generation
            try:
                row = await self._shared_view_read(parsed, generation)
            except DATABASE_UNREACHABLE:
                # the database is away: answer with what this process last knew, else a 503
                view = self.cache.last_known(message)
                if view is None:
                    raise
                row = None
            if row is not None:
                if not label_issued(row, parsed):
                    if count_scan:
                        self.scan_log.record(
                            now, row["batch_id"], parsed.serial, "invalid", fingerprint
                        )
                    return Outcome("invalid", "valid")
                view = view_from_row(row, parsed)
                view.signatures.add(parsed.signature)
                self.cache.put(message, view, generation)
                if count_scan:
                    tally = self._load_tally(
                        view,
                        row["scan_count"],
                        row["first_at"],
                        row["fingerprints"],
                        row["fingerprints_seen"],
                    )
            elif view is None:
                return Outcome("invalid", "valid")  # signed by us, but no such batch (any more)
        view.signatures.add(parsed.signature)
        today = self._jakarta_day.of(now)
        if not count_scan:
            verdict = decide(
                status=view.status, best_before=view.best_before, today=today, suspect=False
            )
            return Outcome(verdict, "valid", view, _NOT_COUNTED)
        if tally is None:
            tally = await self._current_tally(view)
        suspect = self.tallies.count_scan(tally, now, view.serial, fingerprint, client=client)
        verdict = decide(
            status=view.status, best_before=view.best_before, today=today, suspect=suspect
        )
        self.scan_log.record(now, view.batch_id, view.serial, verdict, fingerprint, client=client)
        return Outcome(
            verdict, "valid", view, ScanSummary(count=tally.count, first_at=tally.first_at)
        )

    async def _shared_view_read(self, parsed: ParsedLabel, generation: int) -> Any:
        """The label's row, read once for every request that wants it now.

        Keyed by the cache generation too: a request that arrives after a change notification
        never joins a read that started before it."""
        key = (parsed.signed_message, generation)
        task = self._view_reads.get(key)
        if task is None:
            task = _detached(self._fetch_view(parsed))
            self._view_reads[key] = task
            task.add_done_callback(lambda _: self._view_reads.pop(key, None))
        # shielded: one requester going away (a closed connection) does not cancel the others
        return await asyncio.shield(task)

    async def _fetch_view(self, parsed: ParsedLabel) -> Any:
        threshold = self.clone_threshold
        async with db.connection(self._reader()) as conn:
            if parsed.code is not None:
                return await queries.fetch_view_by_code(conn, parsed.code, parsed.serial, threshold)
            assert parsed.gtin14 is not None and parsed.lot is not None
            return await queries.fetch_view_by_gtin_lot(
                conn, parsed.gtin14, parsed.lot, parsed.serial, threshold
            )

    def _load_tally(
        self,
        view: LabelView,
        count: int | None,
        first_at: datetime | None,
        fingerprints: Any,
        seen: Any,
    ) -> LabelTally:
        key = (view.batch_id, view.serial or "")
        uncommitted = self.scan_log.uncommitted(key)
        clients = zip(fingerprints or (), seen or (), strict=True)
        return self.tallies.load(key, count or 0, first_at, clients, uncommitted)

    async def _current_tally(self, view: LabelView) -> LabelTally:
        """This label's figures; a stale one is refreshed in the background, not waited for.

        Only a label this process has no figures for waits for the database."""
        key = (view.batch_id, view.serial or "")
        tally = self.tallies.get(key)
        if tally is not None and not tally.stale(time.monotonic()):
            return tally
        task = self._tally_reads.get(key)
        if task is None:
            if tally is not None:
                # the next try no sooner than a refresh interval away, even if this one fails
                # (a database outage is then one failed read a second, not one per scan)
                tally.loaded_at = time.monotonic()
            task = _detached(self._refresh_tally(view, key))
            self._tally_reads[key] = task
            task.add_done_callback(lambda _: self._tally_reads.pop(key, None))
        if tally is not None:
            return tally
        result: LabelTally = await asyncio.shield(task)
        return result

    async def _refresh_tally(self, view: LabelView, key: TallyKey) -> LabelTally:
        async with db.connection(self._reader()) as conn:
            row = await queries.fetch_tally(conn, key[0], key[1], self.clone_threshold)
        return self._load_tally(view, row[0], row[1], row[2], row[3])

    def _log_unverified(
        self, parsed: ParsedLabel, now: datetime, fingerprint: bytes, count_scan: bool
    ) -> None:
        """A forged or unsigned label is logged against the batch it names, if any; the
        batch is looked up at flush time, so this answer takes the same time either way."""
        if count_scan:
            self.scan_log.record_unresolved(
                (now, parsed.code, parsed.gtin14, parsed.lot, parsed.serial, fingerprint)
            )

    async def gtin_item(self, gtin14: str, lot: str | None) -> Any:
        """The product of a GTIN Radura labels (name, and whether `lot` is recalled), or None."""
        async with db.connection(self._reader()) as conn:
            return await queries.fetch_gtin_item(conn, gtin14, lot)

    async def unverified_item(self, gtin14: str, lot: str | None) -> Any:
        """What an unsigned request may learn of a GTIN (SPEC §6.1), or None if it is not ours."""
        async with db.connection(self._reader()) as conn:
            return await queries.fetch_unverified_item(conn, gtin14, lot)

    async def certificate_row(self, view: LabelView) -> Any:
        async with db.connection(self._reader()) as conn:
            return await queries.fetch_certificate(conn, view.batch_id)


def _detached(coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    """A task whose failure nobody may be left to read (every waiter gone) without a warning."""
    task = asyncio.create_task(coroutine)

    def retrieve(done: asyncio.Task[Any]) -> None:
        error = None if done.cancelled() else done.exception()
        # an unreachable database is reported by the scan log and the 503s, once per outage
        if error is not None and not isinstance(error, DATABASE_UNREACHABLE):
            log.debug("verify_read_failed", error=type(error).__name__)

    task.add_done_callback(retrieve)
    return task
