"""Rules about who may belong where and which irradiation sources are lawful."""

from __future__ import annotations

from schemas.accounts import MAX_ENERGY_MEV, IrradiatorCreate, Organization, UserCreate
from service.core.errors import NotFound, RuleViolation

# which user roles each kind of organization may hold (SPEC §3.1)
ROLES_BY_ORGANIZATION_KIND = {
    "producer": frozenset({"producer"}),
    "facility": frozenset({"operator", "qa"}),
    "regulator": frozenset({"regulator"}),
    "market_network": frozenset({"market_network"}),
}


def check_user_fits(data: UserCreate, organization: Organization | None) -> None:
    if data.role == "admin":
        if data.organization_id is not None:
            raise RuleViolation("admin_has_no_organization", "An admin belongs to no organization.")
        return
    if data.organization_id is None:
        raise RuleViolation(
            "organization_required", f"A {data.role} user needs an organization_id."
        )
    if organization is None:
        raise NotFound("organization")  # SPEC §3: an unknown id answers 404
    if data.role not in ROLES_BY_ORGANIZATION_KIND[organization.kind]:
        allowed = ", ".join(sorted(ROLES_BY_ORGANIZATION_KIND[organization.kind]))
        raise RuleViolation(
            "role_does_not_fit_organization",
            f"A {organization.kind} organization holds only {allowed} users, not {data.role}.",
        )


def check_irradiator(data: IrradiatorCreate, facility: Organization | None) -> None:
    if facility is None:
        raise NotFound("organization")
    if facility.kind != "facility":
        raise RuleViolation("not_a_facility", "facility_id must name an irradiation facility.")
    limit = MAX_ENERGY_MEV.get(data.source_type)
    if limit is not None and data.max_energy_mev is not None and data.max_energy_mev > limit:
        raise RuleViolation(
            "energy_above_limit",
            f"A {data.source_type} source may not exceed {limit} MeV (Codex CXS 106).",
        )
