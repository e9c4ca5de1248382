"""The action table: what each role may do with a batch in each status, the rules on top (four
eyes, conformity), and the refusals the API answers with, all from one function."""

from __future__ import annotations

from uuid import uuid4

import pytest

from schemas.batches import BATCH_STATUSES
from service.batches import actions
from service.batches.actions import ACTIONS, BatchFacts, allowed, refusal
from service.core.auth import AuthUser
from service.core.errors import Conflict, Forbidden, RuleViolation


def _user(role: str) -> AuthUser:
    return AuthUser(id=uuid4(), name=role, role=role, organization_id=uuid4())


@pytest.mark.parametrize(
    ("role", "status", "offered"),
    [
        ("producer", "registered", ["cancel"]),
        ("producer", "released", ["recall", "labels", "ship"]),
        ("producer", "treated", []),
        ("operator", "registered", ["receive"]),
        ("operator", "received", ["treat"]),
        ("operator", "treated", []),
        ("qa", "registered", ["receive"]),
        ("qa", "received", ["treat"]),
        ("regulator", "released", ["recall"]),
        ("regulator", "registered", []),
        ("admin", "released", ["recall", "labels"]),
        ("admin", "registered", []),
    ],
)
def test_each_role_is_offered_what_the_status_allows(
    role: str, status: str, offered: list[str]
) -> None:
    assert allowed(_user(role), BatchFacts(status)) == offered


def test_nothing_leaves_a_terminal_status() -> None:
    for status in ("rejected", "cancelled", "recalled"):
        for role in ("producer", "operator", "qa", "regulator", "admin"):
            assert allowed(_user(role), BatchFacts(status)) == [], (role, status)


def test_the_officer_who_recorded_the_treatment_is_offered_neither_release_nor_reject() -> None:
    recorder, second = _user("qa"), _user("qa")
    facts = BatchFacts("treated", recorder.id, conforming=True)
    assert allowed(recorder, facts) == []
    assert allowed(second, facts) == ["release", "reject"]
    for name in ("release", "reject"):
        refused = refusal(recorder, facts, name)
        assert isinstance(refused, Forbidden) and refused.code == "four_eyes"


def test_a_nonconforming_treatment_may_be_rejected_but_not_released() -> None:
    facts = BatchFacts("treated", uuid4(), False, ("dose_below_minimum",))
    officer = _user("qa")
    assert allowed(officer, facts) == ["reject"]
    refused = refusal(officer, facts, "release")
    assert isinstance(refused, RuleViolation) and refused.code == "treatment_nonconforming"
    assert refused.extra["nonconformities"] == ["dose_below_minimum"]


def test_refusals_come_in_the_apis_order_status_then_role_then_rules() -> None:
    wrong_status = refusal(_user("operator"), BatchFacts("released"), "release")
    assert isinstance(wrong_status, Conflict) and wrong_status.code == "status_conflict"
    wrong_role = refusal(_user("operator"), BatchFacts("treated", uuid4(), True), "release")
    assert isinstance(wrong_role, Forbidden) and wrong_role.code == "role_not_allowed"
    treated_again = refusal(_user("operator"), BatchFacts("released"), "treat")
    assert isinstance(treated_again, Conflict) and treated_again.code == "already_treated"
    no_labels = refusal(_user("producer"), BatchFacts("treated"), "labels")
    assert isinstance(no_labels, Conflict) and no_labels.code == "batch_not_released"


def test_the_arrows_and_route_roles_come_from_the_table() -> None:
    assert actions.ARROWS["receive"] == ("registered", "received")
    assert "labels" not in actions.ARROWS  # serials leave the status as it is
    assert {"treated", "released", "rejected", "recalled"} == actions.TREATED_OR_AFTER
    assert actions.route_roles("receive") == {"roles": frozenset({"operator", "qa"})}
    assert actions.route_roles("release", "reject") == {"roles": frozenset({"qa"})}
    assert {a.from_status for a in ACTIONS.values()} <= set(BATCH_STATUSES)
    assert {a.to_status for a in ACTIONS.values()} - {None} <= set(BATCH_STATUSES)


def test_only_a_released_batch_ships_and_a_recalled_one_never() -> None:
    producer = _user("producer")
    recalled = refusal(producer, BatchFacts("recalled"), "ship")
    assert isinstance(recalled, Conflict) and recalled.code == "batch_recalled"
    for status in ("registered", "received", "treated", "rejected", "cancelled"):
        early = refusal(producer, BatchFacts(status), "ship")
        assert isinstance(early, Conflict) and early.code == "batch_not_released", status
    assert refusal(producer, BatchFacts("released"), "ship") is None
    wrong_role = refusal(_user("regulator"), BatchFacts("released"), "ship")
    assert isinstance(wrong_role, Forbidden)
