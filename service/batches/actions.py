"""Every action on a batch in one table: the status it starts from, the status it leads to, the
roles that may take it and the rules that must hold for this user and this batch.

The API's guards (`require`, and `route_roles` for a route's roles), the console's buttons,
forms and queues (`allowed`) all read this table, so a page never offers an action the API would
refuse, and a rule is written once (SPEC §10: "the same function that decides them in the API").
Who may *see* a batch at all (its producer, its facility, regulators and admins) is
`transitions.visible_to`: an invisible batch is a 404 before any action is considered."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from schemas.batches import BatchRecord, BatchStatus
from service.core.auth import AuthUser, roles
from service.core.errors import Conflict, DomainError, Forbidden, RuleViolation


@dataclass(frozen=True, slots=True)
class BatchFacts:
    """What the rules read of a batch: its status and, once treated, who recorded the treatment
    and whether it conforms (`BatchRecord` on a page, the rows in the API)."""

    status: str
    recorded_by: UUID | None = None
    conforming: bool | None = None
    nonconformities: tuple[str, ...] = ()

    @classmethod
    def of_record(cls, record: BatchRecord) -> BatchFacts:
        treatment = record.treatment
        if treatment is None:
            return cls(record.status)
        return cls(
            record.status,
            treatment.recorded_by.id,
            treatment.conforming,
            tuple(treatment.nonconformities),
        )

    @classmethod
    def of_rows(cls, batch: Mapping[str, Any], treatment: Mapping[str, Any] | None) -> BatchFacts:
        """From a `batches` row and its `treatments` row (None before the treatment)."""
        if treatment is None:
            return cls(batch["status"])
        return cls(
            batch["status"],
            treatment["recorded_by"],
            treatment["conforming"],
            tuple(treatment["nonconformities"]),
        )


# A rule of an action: None when it holds for this user and batch, else the refusal the API gives.
Rule = Callable[[AuthUser, BatchFacts], DomainError | None]


def four_eyes(user: AuthUser, facts: BatchFacts) -> DomainError | None:
    """The QA officer who decides on a batch is not the one who recorded its treatment."""
    if facts.recorded_by is not None and facts.recorded_by == user.id:
        return Forbidden(
            "four_eyes",
            "The QA officer who decides on a batch must not be the one who recorded its treatment.",
        )
    return None


def treatment_conforms(user: AuthUser, facts: BatchFacts) -> DomainError | None:
    """A batch whose treatment does not conform is rejected, never released."""
    if facts.conforming is False:
        return RuleViolation(
            "treatment_nonconforming",
            "A batch whose treatment does not conform cannot be released; reject it.",
            nonconformities=list(facts.nonconformities),
        )
    return None


@dataclass(frozen=True, slots=True)
class BatchAction:
    """One action: from which status, to which (None: the status stays), by whom, under which
    rules (checked in order, after the status and the role); `notifies`: its arrow is sent to
    the organization's webhooks (`batch.<new status>`)."""

    name: str
    from_status: BatchStatus
    to_status: BatchStatus | None
    roles: frozenset[str]
    rules: tuple[Rule, ...] = ()
    notifies: bool = False

    @property
    def reads_treatment(self) -> bool:
        """Whether its rules need the treatment's recorder and conformity."""
        return bool(self.rules)


def _action(
    name: str,
    from_status: BatchStatus,
    to_status: BatchStatus | None,
    who: tuple[str, ...],
    rules: tuple[Rule, ...] = (),
    *,
    notifies: bool = False,
) -> BatchAction:
    return BatchAction(name, from_status, to_status, frozenset(who), rules, notifies)


# SPEC §2 and §3.3. QA officers in a small facility also do operator work; four eyes applies to
# reject as well as release.
ACTIONS: dict[str, BatchAction] = {
    action.name: action
    for action in (
        _action("receive", "registered", "received", ("operator", "qa")),
        _action("treat", "received", "treated", ("operator", "qa")),
        _action(
            "release",
            "treated",
            "released",
            ("qa",),
            (four_eyes, treatment_conforms),
            notifies=True,
        ),
        _action("reject", "treated", "rejected", ("qa",), (four_eyes,), notifies=True),
        _action("cancel", "registered", "cancelled", ("producer",)),
        _action(
            "recall", "released", "recalled", ("producer", "regulator", "admin"), notifies=True
        ),
        # label serials: the batch stays released
        _action("labels", "released", None, ("producer", "admin")),
        # a shipment to a customer (SPEC §13.1): the batch stays released
        _action("ship", "released", None, ("producer",)),
    )
}
# the arrows of the life cycle, (from, to) per action that moves a batch
ARROWS: dict[str, tuple[str, str]] = {
    a.name: (a.from_status, a.to_status) for a in ACTIONS.values() if a.to_status is not None
}


def _from_on(status: str) -> frozenset[str]:
    """`status` and every status the arrows lead to from it."""
    found = {status}
    while more := {to for start, to in ARROWS.values() if start in found} - found:
        found |= more
    return frozenset(found)


# a batch in one of these has its one treatment: no second one, ever (Codex: no re-irradiation)
TREATED_OR_AFTER = _from_on("treated")


def route_roles(*names: str) -> dict[str, Any]:
    """A route's `opt`: the roles of the named actions (a form route may serve several)."""
    return roles(*sorted(set().union(*(ACTIONS[name].roles for name in names))))


def status_conflict(current: str | None, name: str) -> Conflict:
    """409 with the current status, for a call that came too late or in the wrong state."""
    expected = ACTIONS[name].from_status
    if name == "treat" and current in TREATED_OR_AFTER:
        return Conflict(
            "already_treated",
            f"The batch has been treated already (it is {current}): no re-irradiation.",
            current_status=current,
            expected_status=expected,
        )
    if name == "labels":
        return Conflict(
            "batch_not_released",
            f"Serials are issued only for a released batch; this one is {current}.",
            current_status=current,
        )
    if name == "ship":
        return _not_shipping(current)
    return Conflict(
        "status_conflict",
        f"Cannot {name} a batch that is {current}; it must be {expected}.",
        current_status=current,
        expected_status=expected,
    )


def _not_shipping(current: str | None) -> Conflict:
    """Only a released batch ships: a recalled one never again, the others not yet."""
    if current == "recalled":
        return Conflict(
            "batch_recalled", "The batch is recalled: it ships nothing.", current_status=current
        )
    return Conflict(
        "batch_not_released",
        f"Only a released batch ships; this one is {current}.",
        current_status=current,
    )


def refusal(user: AuthUser, facts: BatchFacts, name: str) -> DomainError | None:
    """Why `user` may not take action `name` on this batch now (None: they may): the status
    first (409), then the role (403), then the action's rules in order."""
    action = ACTIONS[name]
    if facts.status != action.from_status:
        return status_conflict(facts.status, name)
    if user.role not in action.roles:
        return Forbidden("role_not_allowed", f"The role {user.role!r} may not {name} a batch.")
    for rule in action.rules:
        if (refused := rule(user, facts)) is not None:
            return refused
    return None


def require(user: AuthUser, facts: BatchFacts, name: str) -> None:
    """The API's guard: raises the refusal, if any."""
    if (refused := refusal(user, facts, name)) is not None:
        raise refused


def allowed(user: AuthUser, facts: BatchFacts) -> list[str]:
    """The actions `user` may take on this batch now, in the table's order: what a page offers."""
    return [name for name in ACTIONS if refusal(user, facts, name) is None]
