"""What a market network's users may read: the producers that accepted its invitation and, of
their batches, only the released ones (and those recalled after release). Everything else is as
unknown to them as a row that does not exist (404)."""

from __future__ import annotations

from typing import Any

from service.core.auth import AuthUser

NETWORK_ROLE = "market_network"
# a network sees a batch once a QA officer has released it; a recall does not hide it again
NETWORK_BATCH_STATUSES = ("released", "recalled")


def is_network(user: AuthUser) -> bool:
    return user.role == NETWORK_ROLE


def members(user: AuthUser, args: list[Any]) -> str:
    """SQL sub-select of the producers in the user's network today; appends its parameter."""
    args.append(user.organization_id)
    return (
        "(SELECT m.producer_id FROM network_memberships m"
        f" WHERE m.network_id = ${len(args)} AND m.status = 'accepted')"
    )


def network_batches(user: AuthUser, args: list[Any], alias: str = "b") -> str:
    """SQL condition: the batches of the network's producers that it may read."""
    statuses = ", ".join(f"'{s}'" for s in NETWORK_BATCH_STATUSES)
    return f"({alias}.producer_id IN {members(user, args)} AND {alias}.status IN ({statuses}))"


def network_products(user: AuthUser, args: list[Any], alias: str = "p") -> str:
    """SQL condition: the products of the network's producers."""
    return f"{alias}.organization_id IN {members(user, args)}"
