"""Demo data for `radura serve --demo`: the IGMP facility, a producer, a user per role."""

from __future__ import annotations

import functools
import secrets
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from labels.uri import signed_uri
from schemas.labels import LabelRef
from service.accounts.passwords import hash_password
from service.batches.labelling.keys import SigningKeys
from service.core.auth import AuthUser, store_token
from service.core.db import create_pool
from service.demo.batches import seed_demo_batches
from service.demo.scans import seed_demo_scans
from service.demo.shipments import (
    SHIPPED_LOT,
    seed_demo_customers,
    seed_demo_shipments,
    ship_before_recall,
)

IGMP = {
    "kind": "facility",
    "name": "Iradiator Gamma Merah Putih (IGMP) — BRIN",
    "address": "Kawasan Sains dan Teknologi B.J. Habibie (Puspiptek), Setu",
    "city": "Tangerang Selatan",
    "province": "Banten",
}
PRODUCER = {
    "kind": "producer",
    "name": "UMKM Rendang Bundo Kanduang",
    "address": "Jl. Raya Serpong No. 12, Pagedangan",
    "city": "Tangerang",
    "province": "Banten",
}
# The facility's BAPETEN licence (PP 29/2008): a demo number; the facility enters its real one.
IGMP_LICENCE = ("BAPETEN/IU/DEMO-0001/2025", date(2030, 6, 30))
# Dose maps of the IGMP conveyor from its performance qualification (demo values): one loading
# pattern for chilled and dry goods in totes, one for frozen sterile meals in small cartons on
# dry ice, whose tight ratios keep a 45–60 kGy window reachable.
DOSE_MAPS = {
    "tote": {
        "name": "Tote 40×50×60 cm, 0,3–0,6 g/cm³",
        "loading_pattern": "2 tote per carrier, 4 carrier per siklus, 2 lintasan berbalik",
        "reference_position": "sisi luar tote, tengah tinggi (posisi R1)",
        "ratio_min": 0.88,
        "ratio_max": 1.24,
        "expanded_uncertainty_pct": 4.6,
        "study_ref": "IGMP-PQ-2025-07 (pemetaan dosis tote)",
        "performed_on": date(2025, 7, 14),
    },
    "carton": {
        "name": "Karton rendang beku, es kering, 0,8 g/cm³",
        "loading_pattern": "6 karton per tote, diputar 180° tiap lintasan",
        "reference_position": "tutup karton tengah (posisi R2)",
        "ratio_min": 0.95,
        "ratio_max": 1.08,
        "expanded_uncertainty_pct": 4.6,
        "study_ref": "IGMP-PQ-2025-09 (pemetaan dosis karton steril)",
        "performed_on": date(2025, 9, 2),
    },
}
REGULATOR = {
    "kind": "regulator",
    "name": "Badan Pengawas Obat dan Makanan (BPOM)",
    "address": "Jl. Percetakan Negara No. 23",
    "city": "Jakarta Pusat",
    "province": "DKI Jakarta",
}
# the cooperative office whose market network the demo producer has joined (SPEC §13.4)
NETWORK = {
    "kind": "market_network",
    "name": "Dinas Koperasi dan UKM Provinsi Banten",
    "address": "Jl. Syekh Nawawi Al Bantani, Kawasan Pusat Pemerintahan Provinsi Banten",
    "city": "Serang",
    "province": "Banten",
}
USERS = [
    ("admin", "Admin Radura", None),
    ("producer", "Siti Rahmawati", "producer"),
    ("operator", "Budi Santoso", "facility"),
    ("qa", "Dewi Lestari", "facility"),
    ("regulator", "Inspektur Andi Wijaya", "regulator"),
    ("market_network", "Rina Marlina", "market_network"),
]


async def _organization(conn: asyncpg.Connection, org: dict[str, str]) -> UUID:
    existing: UUID | None = await conn.fetchval(
        "SELECT id FROM organizations WHERE kind = $1 AND name = $2", org["kind"], org["name"]
    )
    if existing:
        return existing
    new_id: UUID = await conn.fetchval(
        """INSERT INTO organizations (kind, name, address, city, province)
           VALUES ($1, $2, $3, $4, $5) RETURNING id""",
        org["kind"],
        org["name"],
        org["address"],
        org["city"],
        org["province"],
    )
    return new_id


def demo_email(role: str) -> str:
    return f"{role}@demo.radura.id"


_DOSE_MAP_COLUMNS = (
    "name",
    "loading_pattern",
    "reference_position",
    "ratio_min",
    "ratio_max",
    "expanded_uncertainty_pct",
    "study_ref",
    "performed_on",
)


async def _dose_map(
    conn: asyncpg.Connection, irradiator_id: UUID, qa_id: UUID, values: dict[str, Any]
) -> UUID:
    existing: UUID | None = await conn.fetchval(
        "SELECT id FROM dose_maps WHERE irradiator_id = $1 AND study_ref = $2",
        irradiator_id,
        values["study_ref"],
    )
    if existing:
        return existing
    new_id: UUID = await conn.fetchval(
        """INSERT INTO dose_maps (irradiator_id, name, loading_pattern, reference_position,
               ratio_min, ratio_max, expanded_uncertainty_pct, study_ref, performed_on, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id""",
        irradiator_id,
        *(values[column] for column in _DOSE_MAP_COLUMNS),
        qa_id,
    )
    return new_id


async def _user(conn: asyncpg.Connection, role: str, name: str, org_id: UUID | None) -> UUID:
    existing: UUID | None = await conn.fetchval(
        "SELECT id FROM users WHERE role = $1 AND name = $2", role, name
    )
    if existing:
        return existing
    new_id: UUID = await conn.fetchval(
        """INSERT INTO users (name, role, organization_id, email) VALUES ($1, $2, $3, $4)
           RETURNING id""",
        name,
        role,
        org_id,
        demo_email(role),
    )
    return new_id


async def _fresh_password(conn: asyncpg.Connection, user_id: UUID, role: str) -> str:
    """A new console password for this run (like the tokens, never a fixed one to guess)."""
    password = secrets.token_urlsafe(12)
    await conn.execute(
        """UPDATE users SET email = coalesce(email, $2), password_hash = $3, disabled_at = NULL
           WHERE id = $1""",
        user_id,
        demo_email(role),
        hash_password(password),
    )
    return password


async def _joined(
    conn: asyncpg.Connection, network_id: UUID, producer_id: UUID, actors: dict[str, AuthUser]
) -> None:
    """The producer in the office's network, invited and accepted, unless it is already in it
    or has an open invitation (a demo run never changes what a person did in the console)."""
    await conn.execute(
        """INSERT INTO network_memberships (network_id, producer_id, status, invited_by,
               answered_by, answered_at)
           SELECT $1, $2, 'accepted', $3, $4, now()
           WHERE NOT EXISTS (SELECT 1 FROM network_memberships
                             WHERE network_id = $1 AND producer_id = $2
                               AND status IN ('invited', 'accepted'))""",
        network_id,
        producer_id,
        actors["market_network"].id,
        actors["producer"].id,
    )


async def seed_demo(dsn: str, keys: SigningKeys, base_url: str) -> dict[str, Any]:
    """Seed once (idempotently) and hand out a fresh token per demo user for this run."""
    # a pool of one: its connections carry the jsonb codec the batch operations rely on
    pool = await create_pool(dsn, max_size=1, command_timeout_s=300)  # not a request
    try:
        async with pool.acquire() as conn, conn.transaction():
            # one seeder at a time, even if two `serve --demo` start together
            await conn.execute("SELECT pg_advisory_xact_lock(7261757261)")
            orgs = {
                "facility": await _organization(conn, IGMP),
                "producer": await _organization(conn, PRODUCER),
                "regulator": await _organization(conn, REGULATOR),
                "market_network": await _organization(conn, NETWORK),
            }
            irradiator = await conn.fetchval(
                "SELECT id FROM irradiators WHERE facility_id = $1", orgs["facility"]
            )
            if irradiator is None:
                irradiator = await conn.fetchval(
                    """INSERT INTO irradiators (facility_id, name, source_type, activity_kci)
                       VALUES ($1, 'IGMP Co-60 konveyor', 'cobalt-60', 500) RETURNING id""",
                    orgs["facility"],
                )
            # the licence, also on a facility seeded before licences were recorded
            await conn.execute(
                """UPDATE organizations SET licence_no = $2, licence_valid_until = $3
                   WHERE id = $1 AND licence_no IS NULL""",
                orgs["facility"],
                *IGMP_LICENCE,
            )
            tokens = {}
            actors = {}
            for role, name, org_kind in USERS:
                org_id = orgs[org_kind] if org_kind else None
                user_id = await _user(conn, role, name, org_id)
                actors[role] = AuthUser(user_id, name, role, org_id)
                tokens[role] = {
                    "user_id": str(user_id),
                    "name": name,
                    "token": await store_token(conn, user_id),
                    "email": await conn.fetchval("SELECT email FROM users WHERE id = $1", user_id),
                    "password": await _fresh_password(conn, user_id, role),
                }
            await _joined(conn, orgs["market_network"], orgs["producer"], actors)
            dose_maps = {
                key: await _dose_map(conn, irradiator, actors["qa"].id, values)
                for key, values in DOSE_MAPS.items()
            }
            customers = await seed_demo_customers(conn, actors["producer"])
            batches = await seed_demo_batches(
                conn,
                users=actors,
                facility_id=orgs["facility"],
                irradiator_id=irradiator,
                dose_maps=dose_maps,
                before_recall=functools.partial(
                    ship_before_recall, conn, actors["producer"], customers
                ),
            )
            await seed_demo_scans(conn, actors["producer"])
            shipments = await seed_demo_shipments(conn, actors["producer"], customers, batches)
            for batch in batches:
                if batch["status"] in ("released", "recalled"):
                    batch["label_uri"] = await _label_uri(conn, batch["id"], keys, base_url)
    finally:
        await pool.close()
    return {
        "organizations": {k: str(v) for k, v in orgs.items()},
        "irradiator_id": str(irradiator),
        "dose_maps": {k: str(v) for k, v in dose_maps.items()},
        "users": tokens,
        "batches": batches,
        "shipments": shipments,
    }


async def _label_uri(
    conn: asyncpg.Connection, batch_id: Any, keys: SigningKeys, base_url: str
) -> str:
    """The signed URI the batch label's QR carries: what a shopper's phone opens."""
    row = await conn.fetchrow(
        """SELECT b.code, b.lot, b.best_before, p.gtin FROM batches b
           JOIN products p ON p.id = b.product_id WHERE b.id = $1""",
        UUID(str(batch_id)),
    )
    ref = LabelRef(
        code=row["code"].strip(), lot=row["lot"], gtin14=row["gtin"], best_before=row["best_before"]
    )
    return signed_uri(base_url, ref, keys)


def print_demo(demo: dict[str, Any], *, base_url: str) -> None:
    print("Radura demo data is ready.\n")
    print(f"  Console:       {base_url}/app/  (sign in with an email and password below)")
    print(f"  API docs:      {base_url}/schema")
    print(f"  Facility (IGMP) id: {demo['organizations']['facility']}")
    print(f"  Producer id:        {demo['organizations']['producer']}")
    print(f"  Market network id:  {demo['organizations']['market_network']}")
    print(f"  Irradiator id:      {demo['irradiator_id']}")
    print(f"  Dose maps:          {', '.join(demo['dose_maps'].values())}\n")
    print("  Console sign-in for this run (email, password):")
    for role, user in demo["users"].items():
        print(f"    {role:<14} {user['email']:<33} {user['password']}")
    print("\n  Tokens for this run (send as 'Authorization: Bearer <token>'):")
    for role, user in demo["users"].items():
        print(f"    {role:<14} {user['name']:<24} {user['token']}")
    print("\n  Batches, one in every state (GET with any token above):")
    for batch in demo.get("batches", []):
        print(
            f"    {batch['status']:<10} {batch['code']}  {base_url}/api/v1/batches/{batch['id']}"
            f"  ({batch['product']}, lot {batch['lot']})"
        )
        if batch["status"] in ("released", "recalled"):
            print(f"               label (what the QR opens): {batch['label_uri']}")
    if demo.get("shipments"):
        print(
            f"\n  Customers and {demo['shipments']} shipments of lot {SHIPPED_LOT} (one cancelled):"
            f" {base_url}/app/customers"
        )
    print(
        f"\n  Try: curl -H 'Authorization: Bearer {demo['users']['admin']['token']}' "
        f"{base_url}/api/v1/organizations\n",
        flush=True,
    )
