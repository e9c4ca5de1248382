"""The life of a batch as domain operations on a connection: the HTTP handlers and the demo
seeder both call these, so a rule holds however a batch is moved.

Each operation is one transaction, or part of the caller's when one is open (no savepoint: an
error aborts the whole of it, which is what every caller wants). Checks that can
answer 404/409/403/422 run first; the state change itself is the status-guarded UPDATE of
`transitions.record_transition` (with its audit event and outbox row), so of two concurrent
callers exactly one wins."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from schemas.batches import (
    JAKARTA,
    ActorRef,
    Batch,
    BatchCreate,
    Dosimeter,
    IrradiatorRef,
    ReceiptCreate,
    ReceiptRecorded,
    ReleaseWarning,
    TreatmentCreate,
    TreatmentRecorded,
    today_in_jakarta,
)
from schemas.dose_maps import DoseMapUsed
from schemas.products import Product, ProductCreate
from schemas.shelf_life import ShelfLifeResult
from service.accounts.dose_maps import dose_map_for_treatment
from service.accounts.queries import purpose_limit
from service.batches import actions, queries, rules
from service.batches.idempotency import IdempotentRequest, request_fingerprint
from service.batches.products import queries as product_queries
from service.batches.products import registration
from service.batches.transitions import load_batch, record_transition
from service.batches.treatment import queries as facility_queries
from service.batches.treatment.doses import DoseVerdict, judge_doses
from service.core.auth import AuthUser
from service.core.errors import NotFound, RuleViolation
from service.core.settings import load_settings
from service.mail.recall_notices import notify_recall
from service.webhooks.keys import SecretBox, load_or_create_box


def _transaction(conn: asyncpg.Connection) -> AbstractAsyncContextManager[Any]:
    """A transaction, unless the caller holds one (saves a SAVEPOINT round trip per write)."""
    return nullcontext() if conn.is_in_transaction() else conn.transaction()


def _actor(user: AuthUser) -> ActorRef:
    return ActorRef(user.id, user.name, user.role)


async def _require(
    conn: asyncpg.Connection, user: AuthUser, batch: asyncpg.Record, action: str
) -> asyncpg.Record | None:
    """The action table's guard for this user and batch (409, 403 or 422, as `actions.refusal`
    decides); returns the batch's treatment when the action's rules read it."""
    treatment = None
    arrow = actions.ACTIONS[action]
    if arrow.reads_treatment and batch["status"] == arrow.from_status:
        treatment = await facility_queries.treatment_of(conn, batch["id"])
    actions.require(user, actions.BatchFacts.of_rows(batch, treatment), action)
    return treatment


async def create_product(conn: asyncpg.Connection, user: AuthUser, data: ProductCreate) -> Product:
    """Format checks (400) first, then the rules that need the food-category table (422)."""
    gtin = rules.normalize_gtin_field(data.gtin)
    registration_no = rules.normalize_registration_no(data.registration_no)
    limit = await purpose_limit(conn, data.category, data.purpose)
    rules.check_product_rules(data, limit.max_dose_kgy if limit else None)
    assert limit is not None and user.organization_id is not None
    today = today_in_jakarta()
    rules.check_product_shelf_life(data, today, typical_min_dose_kgy=limit.typical_min_dose_kgy)
    registration.check_registration_type(
        msgspec.structs.asdict(data) | {"registration_no": registration_no}, today=today
    )
    legal_max = limit.max_dose_kgy
    return await product_queries.insert_product(
        conn,
        user.organization_id,
        data,
        gtin=gtin,
        registration_no=registration_no,
        legal_max_dose_kgy=legal_max,
    )


async def register_batch(conn: asyncpg.Connection, user: AuthUser, data: BatchCreate) -> Batch:
    """The batch and its first event in one statement, or 404 for someone else's product.

    First, 422 `registration_type_not_allowed` for a product stored before the registration rules
    whose number they refuse, until the product is edited. The batch keeps the product's
    current version (SPEC §3.2 "Editing")."""
    product = await product_queries.get_product(conn, data.product_id, user)
    if product is not None:  # someone else's: the insert answers 404 as for an unknown one
        registration.check_registration_type(product, today=today_in_jakarta(), before_batch=True)
    # the batch keeps the version just checked, also when an edit makes a newer one meanwhile
    version = product["version"] if product is not None else None
    return await queries.register_batch(
        conn, data, user, at=datetime.now(UTC), product_version=version
    )


REGISTER_SCOPE = "POST /api/v1/batches"


async def register_batch_once(
    conn: asyncpg.Connection, user: AuthUser, data: BatchCreate, key: str | None
) -> tuple[Batch, bool]:
    """register_batch at most once per idempotency `key` (the API's header, or the console
    form's hidden field); the same key with another body is 422 `idempotency_key_reused`.
    Returns the batch and whether it is the first answer, repeated."""
    if key is None:
        return await register_batch(conn, user, data), False
    keyed = IdempotentRequest(user.id, REGISTER_SCOPE, key, request_fingerprint(data))
    async with conn.transaction():
        first = await keyed.first_response(conn)
        if first is not None:
            return msgspec.convert(first.body, Batch), True
        batch = await register_batch(conn, user, data)
        await keyed.remember(conn, 201, batch)
    return batch, False


async def cancel_batch(conn: asyncpg.Connection, user: AuthUser, batch_id: UUID) -> None:
    async with _transaction(conn):
        batch = await load_batch(conn, batch_id, user)
        await _require(conn, user, batch, "cancel")
        sets = "cancelled_at = clock_timestamp()"
        async with record_transition(conn, user, batch_id, "cancel", sets=sets):
            pass  # the status change and its event are all a cancellation writes


async def recall_batch(
    conn: asyncpg.Connection,
    user: AuthUser,
    batch_id: UUID,
    reason: str,
    *,
    box: SecretBox | None = None,
) -> None:
    """The recall, and in its transaction a notice to every customer that received the batch
    (`box` seals their acknowledgement links: the app's, else the deployment's)."""
    async with _transaction(conn):
        batch = await load_batch(conn, batch_id, user)
        await _require(conn, user, batch, "recall")
        async with record_transition(
            conn,
            user,
            batch_id,
            "recall",
            sets="recalled_by = $4, recalled_at = clock_timestamp(), recall_reason = $5",
            args=(user.id, reason),
        ) as step:
            box = box or load_or_create_box(load_settings().data_dir)
            receivers = await notify_recall(conn, batch_id, reason, box)
            step.data = {"reason": reason}
            # other organizations' endpoints (the facility's) learn only how many
            step.webhook = {"reason": reason, "customers_count": len(receivers)}
            step.own_webhook = {
                "reason": reason,
                "customers_count": len(receivers),
                "customers": [r.as_json() for r in receivers],
            }


async def receive_batch(
    conn: asyncpg.Connection, user: AuthUser, batch_id: UUID, data: ReceiptCreate
) -> ReceiptRecorded:
    async with _transaction(conn):
        batch = await load_batch(conn, batch_id, user)
        await _require(conn, user, batch, "receive")
        rules.check_receipt_after_production(data.received_at, batch["production_date"])
        async with record_transition(conn, user, batch_id, "receive") as step:
            receipt = await facility_queries.insert_receipt(conn, batch_id, data, user_id=user.id)
            step.data = {
                "quantity_received": data.quantity_received,
                "condition": data.condition,
                "received_at": receipt["received_at"],
            }
    return ReceiptRecorded(
        quantity_received=receipt["quantity_received"],
        condition=receipt["condition"],
        notes=receipt["notes"],
        received_at=receipt["received_at"],
        received_by=_actor(user),
        batch_id=batch_id,
        status=step.batch["status"],
    )


@dataclass(frozen=True, slots=True)
class DoseJudgement:
    """A treatment's doses judged against its batch's product, with what the record keeps."""

    verdict: DoseVerdict
    irradiator: asyncpg.Record
    dose_map: DoseMapUsed | None
    product_min_dose_kgy: float
    legal_max_dose_kgy: float


async def product_dose_limits(
    conn: asyncpg.Connection, batch: asyncpg.Record
) -> tuple[float, float]:
    """The validated minimum dose of the batch's version of its product and the legal maximum
    of its category, kGy."""
    product = await facility_queries.product_limits(conn, batch)
    return product["min_dose_kgy"], product["legal_max_dose_kgy"]


async def judge_treatment(
    conn: asyncpg.Connection,
    batch: asyncpg.Record,
    *,
    irradiator_id: UUID,
    dose_map_id: UUID | None,
    readings: Sequence[tuple[str, float]],
) -> DoseJudgement:
    """D_min, D_max, DUR and conformity of readings (position, kGy) on the batch's facility's
    irradiator, with its dose map if named. The treatment endpoint records this; the console's
    treatment form shows it as the readings are typed."""
    irradiator = await facility_queries.irradiator(conn, irradiator_id)
    # Another facility's irradiator answers like an unknown one: its existence is not revealed.
    if irradiator is None or irradiator["facility_id"] != batch["facility_id"]:
        raise NotFound("irradiator")
    dose_map = None
    if dose_map_id is not None:
        # a map of another irradiator (or none at all) answers like an unknown id
        dose_map = await dose_map_for_treatment(conn, dose_map_id, irradiator_id)
        if dose_map is None:
            raise NotFound("dose map")
    min_dose_kgy, legal_max_kgy = await product_dose_limits(conn, batch)
    verdict = judge_doses(
        readings,
        dose_map,
        product_min_dose_kgy=min_dose_kgy,
        legal_max_dose_kgy=legal_max_kgy,
    )
    return DoseJudgement(verdict, irradiator, dose_map, min_dose_kgy, legal_max_kgy)


async def check_treatment(
    conn: asyncpg.Connection, user: AuthUser, batch_id: UUID, data: TreatmentCreate
) -> DoseJudgement:
    """Every check `record_treatment` makes before it writes (the batch's status and the
    user's role, the receipt before the start, the irradiator and dose map, the positions the
    doses need), and the doses judged; storing nothing. The console's live dose check calls it,
    so what the form says before saving is what the save will say."""
    batch = await load_batch(conn, batch_id, user)
    await _require(conn, user, batch, "treat")
    received_at = await facility_queries.received_at(conn, batch_id)
    rules.check_treatment_after_receipt(data.started_at, received_at)
    return await judge_treatment(
        conn,
        batch,
        irradiator_id=data.irradiator_id,
        dose_map_id=data.dose_map_id,
        readings=[(d.position, d.dose_kgy) for d in data.dosimeters],
    )


async def record_treatment(
    conn: asyncpg.Connection, user: AuthUser, batch_id: UUID, data: TreatmentCreate
) -> TreatmentRecorded:
    """The batch's one treatment. Judged, and recorded whatever the verdict: it is a fact."""
    judged = await check_treatment(conn, user, batch_id, data)
    verdict, irradiator, dose_map = judged.verdict, judged.irradiator, judged.dose_map
    async with (
        _transaction(conn),
        record_transition(conn, user, batch_id, "treat") as step,
    ):
        row = await facility_queries.insert_treatment(
            conn,
            batch_id,
            data,
            verdict,
            dose_map=dose_map,
            irradiator=irradiator,
            product_min_dose_kgy=judged.product_min_dose_kgy,
            legal_max_dose_kgy=judged.legal_max_dose_kgy,
            user_id=user.id,
        )
        step.data = {
            "irradiator_id": data.irradiator_id,
            "run_id": data.run_id,
            "started_at": data.started_at,
            "ended_at": data.ended_at,
            "dose_min_kgy": verdict.dose_min_kgy,
            "dose_max_kgy": verdict.dose_max_kgy,
            "dur": verdict.dur,
            "dose_map_id": dose_map.id if dose_map else None,
            "expanded_uncertainty_pct": verdict.expanded_uncertainty_pct,
            "dose_min_corrected_kgy": verdict.dose_min_corrected_kgy,
            "dose_max_corrected_kgy": verdict.dose_max_corrected_kgy,
            "conforming": verdict.conforming,
            "nonconformities": verdict.nonconformities,
            "dosimeters": len(data.dosimeters),
        }
    return msgspec.convert(
        dict(row)
        | {
            "irradiator": IrradiatorRef(
                irradiator["id"],
                irradiator["name"],
                irradiator["source_type"],
                irradiator["activity_kci"],
                irradiator["max_energy_mev"],
            ),
            "dosimeters": [
                msgspec.convert(d, Dosimeter, from_attributes=True) for d in data.dosimeters
            ],
            "recorded_by": _actor(user),
            "status": step.batch["status"],
        },
        TreatmentRecorded,
    )


@dataclass(frozen=True)
class ReleasePlan:
    """What a release would fix now, and what a QA officer should know before fixing it."""

    shelf_life: ShelfLifeResult
    warnings: list[ReleaseWarning]


def release_warnings(shelf_life: ShelfLifeResult, today: date) -> list[ReleaseWarning]:
    """`best_before_passed` when the date a release fixes is before `today` (Asia/Jakarta): every
    scan of the batch's labels would say it is out of date from the first one."""
    if shelf_life.best_before >= today:
        return []
    return [
        ReleaseWarning(
            "best_before_passed",
            f"The best-before date this release fixes, {shelf_life.best_before.isoformat()}, "
            f"is already past (today is {today.isoformat()} in Asia/Jakarta): every scan of its "
            "labels will say it is out of date.",
        )
    ]


async def plan_release(conn: asyncpg.Connection, user: AuthUser, batch_id: UUID) -> ReleasePlan:
    """Every check of a release and the date it would fix, storing nothing: the release itself
    and the console's check page both call it, so the page shows the date the release fixes.
    Computes the current model (radura-sl/3) from the product, the treatment's D_min and its
    dose map's uncertainty."""
    batch = await load_batch(conn, batch_id, user)
    treatment = await _require(conn, user, batch, "release")  # four eyes, conformity
    assert treatment is not None  # a treated batch has its treatment (same transaction)
    check_facility_licence(
        treatment, await facility_queries.licence_periods(conn, batch["facility_id"])
    )
    product = await facility_queries.product_limits(conn, batch)
    inputs = rules.shelf_life_inputs(
        product,
        dose_min_kgy=treatment["dose_min_kgy"],
        production_date=batch["production_date"],
        expanded_uncertainty_pct=treatment["expanded_uncertainty_pct"],
    )
    # A product created before radura-sl/3 may be one it refuses (a warm vacuum pack, raw fish
    # at ambient, a study without its conditions, a dose below its purpose's minimum): 422s
    # listing every reason, until the product is amended or replaced.
    below_minimum = rules.purpose_minimum_refusal(
        product["purpose"],
        product["min_dose_kgy"],
        product["typical_min_dose_kgy"],
        product["process_validation_ref"],
    )
    shelf_life = rules.date_shelf_life(inputs, also_refused=below_minimum)
    # Product creation refuses a product with no shelf life; one stored before that rule (or
    # edited since) must still never be released with a label that is expired on the day.
    rules.require_shelf_life(shelf_life, "With its measured minimum dose, this batch")
    return ReleasePlan(shelf_life, release_warnings(shelf_life, today_in_jakarta()))


async def release_batch(
    conn: asyncpg.Connection, user: AuthUser, batch_id: UUID
) -> list[ReleaseWarning]:
    """QA release: fixes the date `plan_release` computes with all its inputs, so a later change
    anywhere (a new model version included) never moves this batch's date. Returns the plan's
    warnings; a release is never refused for them (the console asks for a confirmation)."""
    plan = await plan_release(conn, user, batch_id)
    shelf_life = plan.shelf_life
    sets = "shelf_life = $4, best_before = $5, released_by = $6, released_at = clock_timestamp()"
    async with (
        _transaction(conn),
        record_transition(
            conn,
            user,
            batch_id,
            "release",
            sets=sets,
            args=(shelf_life, shelf_life.best_before, user.id),
        ) as step,
    ):
        step.data = {
            "model": shelf_life.model,
            "extended_days": shelf_life.extended_days,
            "best_before": shelf_life.best_before,
            "rules": shelf_life.rules,
        }
        step.webhook = {"best_before": shelf_life.best_before}
    return plan.warnings


def check_facility_licence(treatment: asyncpg.Record, periods: Sequence[asyncpg.Record]) -> None:
    """422 `facility_licence_expired` for a treatment that ended (in WIB) on a day none of the
    facility's BAPETEN licence periods covers, the last day of a period included. A renewal
    adds a period, so it frees the batches treated within it, and none treated in a gap. A
    facility with no licence on record is not checked (SPEC §3.2 "Editing", §3.3)."""
    if not periods:
        return
    performed_on = treatment["ended_at"].astimezone(JAKARTA).date()
    if any(
        (p["valid_from"] is None or p["valid_from"] <= performed_on)
        and performed_on <= p["valid_until"]
        for p in periods
    ):
        return
    # the licence the treatment came after (the latest to end before it), else the one it
    # came before (a period that had not begun)
    before = [p for p in periods if p["valid_until"] < performed_on]
    lapsed = before[0] if before else periods[-1]
    why = (
        f"licence {lapsed['licence_no']} expired on {lapsed['valid_until'].isoformat()}"
        if before
        else f"licence {lapsed['licence_no']} was valid only from {lapsed['valid_from']}"
    )
    raise RuleViolation(
        "facility_licence_expired",
        f"The treatment was performed on {performed_on.isoformat()}, when the facility held "
        f"no valid BAPETEN licence: {why}. A renewal whose period covers that day frees the "
        "release.",
        licence_no=lapsed["licence_no"],
        licence_valid_until=lapsed["valid_until"].isoformat(),
        performed_on=performed_on.isoformat(),
    )


async def reject_batch(
    conn: asyncpg.Connection, user: AuthUser, batch_id: UUID, reason: str
) -> None:
    """QA rejection; the batch is never treated again (no re-irradiation)."""
    batch = await load_batch(conn, batch_id, user)
    await _require(conn, user, batch, "reject")  # four eyes
    async with (
        _transaction(conn),
        record_transition(
            conn,
            user,
            batch_id,
            "reject",
            sets="rejected_by = $4, rejected_at = clock_timestamp(), reject_reason = $5",
            args=(user.id, reason),
        ) as step,
    ):
        step.data = {"reason": reason}
        step.webhook = {"reason": reason}
