"""Builds a small world of organizations, users, tokens and irradiators straight in SQL."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from uuid import UUID

import asyncpg

from service.core.auth import AuthUser, store_token

# Reads a batch's whole audit log (shipping events included), as a regulator does, for tests
# that read it straight from the database.
WHOLE_LOG_READER = AuthUser(id=UUID(int=0), name="Test", role="regulator", organization_id=None)


@dataclass
class Actor:
    id: UUID
    name: str
    role: str
    organization_id: UUID | None
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class World:
    admin: Actor
    producer: Actor  # of producer_org
    other_producer: Actor  # of other_producer_org
    operator: Actor  # of facility
    qa: Actor  # of facility
    second_qa: Actor  # of facility
    other_operator: Actor  # of other_facility
    regulator: Actor
    producer_org: UUID
    other_producer_org: UUID
    facility: UUID
    other_facility: UUID
    regulator_org: UUID
    irradiator: UUID
    other_irradiator: UUID
    tag: str = field(default_factory=lambda: secrets.token_hex(3))

    def actors(self) -> dict[str, Actor]:
        return {
            "admin": self.admin,
            "producer": self.producer,
            "operator": self.operator,
            "qa": self.qa,
            "regulator": self.regulator,
        }


async def _org(conn: asyncpg.Connection, kind: str, name: str) -> UUID:
    org_id: UUID = await conn.fetchval(
        """INSERT INTO organizations (kind, name, address, city, province)
           VALUES ($1, $2, 'Jl. Raya Puspiptek', 'Tangerang Selatan', 'Banten') RETURNING id""",
        kind,
        name,
    )
    return org_id


async def _actor(conn: asyncpg.Connection, role: str, name: str, org: UUID | None) -> Actor:
    user_id: UUID = await conn.fetchval(
        "INSERT INTO users (name, role, organization_id) VALUES ($1, $2, $3) RETURNING id",
        name,
        role,
        org,
    )
    return Actor(user_id, name, role, org, await store_token(conn, user_id))


async def _irradiator(conn: asyncpg.Connection, facility: UUID) -> UUID:
    irradiator_id: UUID = await conn.fetchval(
        """INSERT INTO irradiators (facility_id, name, source_type, activity_kci)
           VALUES ($1, 'Co-60 conveyor', 'cobalt-60', 450) RETURNING id""",
        facility,
    )
    return irradiator_id


async def build_world(conn: asyncpg.Connection) -> World:
    tag = secrets.token_hex(3)
    producer_org = await _org(conn, "producer", f"Rendang Uni {tag}")
    other_producer_org = await _org(conn, "producer", f"Sambal Mak {tag}")
    facility = await _org(conn, "facility", f"Iradiator {tag}")
    other_facility = await _org(conn, "facility", f"Iradiator Lain {tag}")
    regulator_org = await _org(conn, "regulator", f"BPOM {tag}")
    return World(
        admin=await _actor(conn, "admin", f"Admin {tag}", None),
        producer=await _actor(conn, "producer", f"Produsen {tag}", producer_org),
        other_producer=await _actor(conn, "producer", f"Produsen Lain {tag}", other_producer_org),
        operator=await _actor(conn, "operator", f"Operator {tag}", facility),
        qa=await _actor(conn, "qa", f"QA {tag}", facility),
        second_qa=await _actor(conn, "qa", f"QA Dua {tag}", facility),
        other_operator=await _actor(conn, "operator", f"Operator Lain {tag}", other_facility),
        regulator=await _actor(conn, "regulator", f"Inspektur {tag}", regulator_org),
        producer_org=producer_org,
        other_producer_org=other_producer_org,
        facility=facility,
        other_facility=other_facility,
        regulator_org=regulator_org,
        irradiator=await _irradiator(conn, facility),
        other_irradiator=await _irradiator(conn, other_facility),
        tag=tag,
    )
