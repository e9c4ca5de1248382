"""Edits of organizations, irradiators and users (SPEC §3.2 "Editing"), each in one transaction
with its admin-log entry holding the changed fields before and after; and enabling a disabled
user again. The API and the console both call these.

A patch that changes nothing writes nothing and logs nothing. A facility's licence changes by
periods: each change of its number or dates adds one (recorded by the organizations table's
trigger, migration 0152), and release checks a treatment's day against all of them. An
irradiator's edit never reaches a past treatment, which keeps the irradiator as it was."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
from litestar.exceptions import ValidationException

from schemas.account_edits import (
    IRRADIATOR_IDENTITY,
    LICENCE_FIELDS,
    ORGANIZATION_IDENTITY,
    USER_IDENTITY,
    IrradiatorPatch,
    OrganizationPatch,
    UserPatch,
    given_fields,
)
from schemas.accounts import (
    AdminAction,
    AdminSubject,
    Irradiator,
    IrradiatorCreate,
    Organization,
    UserCreate,
    UserLine,
)
from service.accounts import queries, rules
from service.accounts.admin_log import record_admin_change
from service.core.auth import AuthUser
from service.core.errors import NotFound, RuleViolation
from service.core.gettext_marker import N_
from service.core.token_cache import TokenCache


def refuse_identity(given: list[str], identity: tuple[str, ...], what: str) -> None:
    """422 `immutable_field` naming the identity fields a patch names."""
    immutable = [field for field in given if field in identity]
    if immutable:
        raise RuleViolation(
            "immutable_field",
            f"{', '.join(immutable)} of {what} never change.",
            fields=immutable,
            errors=[{"field": field, "message": "never changes"} for field in immutable],
        )


def invalid_field(field: str, message: str) -> ValidationException:
    """A 400 naming the field, for a patch the stored row makes inconsistent."""
    return ValidationException(
        f"Invalid value for {field}.", extra=[{"key": field, "message": message}]
    )


def _invalid(error: str) -> ValidationException:
    """msgspec's error about a Struct built from a row and a patch, as a 400 naming the field
    (`… - at `$.field``, or `field: …` from a `__post_init__`)."""
    message, _, path = error.rpartition(" - at `$.")
    if message:
        return invalid_field(path.rstrip("`"), message)
    field, _, message = error.partition(": ")
    return invalid_field(field, message) if message else invalid_field("body", error)


def _changed(row: asyncpg.Record, changes: dict[str, Any]) -> dict[str, Any]:
    return {field: value for field, value in changes.items() if row[field] != value}


def _before_after(row: asyncpg.Record, changed: dict[str, Any]) -> dict[str, Any]:
    return {"before": {field: row[field] for field in changed}, "after": changed}


def licence_renewal(row: asyncpg.Record, licence: dict[str, Any]) -> dict[str, Any]:
    """The facility's next licence period from the licence fields of a patch: the number and
    last day given or kept; the first day given, else the day after the current period ends
    when the patch moves that end later (a renewal continuing the licence), else kept. 400
    naming the field when the period would be incomplete or end before it begins."""
    current_until: date | None = row["licence_valid_until"]
    licence_no = licence.get("licence_no", row["licence_no"])
    valid_until = licence.get("licence_valid_until", current_until)
    if licence_no is None or valid_until is None:
        missing = "licence_no" if licence_no is None else "licence_valid_until"
        raise invalid_field(missing, "licence_no and licence_valid_until go together")
    if "licence_valid_from" in licence:
        valid_from = licence["licence_valid_from"]
    elif current_until is not None and valid_until > current_until:
        valid_from = current_until + timedelta(days=1)
    else:
        valid_from = row["licence_valid_from"]
    if valid_from is not None and valid_from > valid_until:
        raise invalid_field("licence_valid_until", "must not be before licence_valid_from")
    return {
        "licence_no": licence_no,
        "licence_valid_from": valid_from,
        "licence_valid_until": valid_until,
    }


async def _locked(conn: asyncpg.Connection, table: str, row_id: UUID, what: str) -> asyncpg.Record:
    """The row to edit, locked until the transaction ends; 404 naming `what` when there is none."""
    row = await queries.row_for_update(conn, table, row_id)
    if row is None:
        raise NotFound(what)
    return row


# what an edit of each kind of record writes: its table, and the admin log's action
_EDITS: dict[AdminSubject, tuple[str, AdminAction]] = {
    "organization": ("organizations", "organization.changed"),
    "irradiator": ("irradiators", "irradiator.changed"),
    "user": ("users", "user.changed"),
}


async def _save(
    conn: asyncpg.Connection,
    actor: AuthUser,
    subject: AdminSubject,
    row_id: UUID,
    row: asyncpg.Record,
    changed: dict[str, Any],
) -> asyncpg.Record:
    """Write an edit's changed fields and its admin-log entry, before and after, in the
    caller's transaction; returns the row as stored."""
    table, action = _EDITS[subject]
    updated = await queries.update_row(conn, table, row_id, changed)
    await record_admin_change(
        conn, actor, action, subject, row_id, updated["name"], _before_after(row, changed)
    )
    return updated


async def edit_organization(
    conn: asyncpg.Connection, actor: AuthUser, organization_id: UUID, patch: OrganizationPatch
) -> Organization:
    """Names, addresses, contacts and a facility's licence (a change of it is a new period);
    only a facility holds a licence (422 `not_a_facility`); the kind never changes."""
    given = given_fields(patch)
    refuse_identity(given, ORGANIZATION_IDENTITY, "an organization")
    changes = {field: getattr(patch, field) for field in given}
    licence = {field: changes.pop(field) for field in LICENCE_FIELDS if field in changes}
    async with conn.transaction():
        row = await _locked(conn, "organizations", organization_id, "organization")
        if licence:
            if row["kind"] != "facility":
                raise RuleViolation(
                    "not_a_facility",
                    N_("Only an irradiation facility holds a BAPETEN licence."),
                    fields=list(licence),
                )
            changes |= licence_renewal(row, licence)
        changed = _changed(row, changes)
        if not changed:
            return msgspec.convert(dict(row), Organization)
        updated = await _save(conn, actor, "organization", organization_id, row, changed)
    return msgspec.convert(dict(updated), Organization)


async def edit_irradiator(
    conn: asyncpg.Connection, actor: AuthUser, irradiator_id: UUID, patch: IrradiatorPatch
) -> Irradiator:
    """Name, source and its activity or energy, held to the same rules as a new irradiator
    (400 for a machine source without its energy, 422 `energy_above_limit`); the facility
    never changes. Past treatments keep the irradiator as they used it."""
    given = given_fields(patch)
    refuse_identity(given, IRRADIATOR_IDENTITY, "an irradiator")
    changes = {field: getattr(patch, field) for field in given}
    async with conn.transaction():
        row = await _locked(conn, "irradiators", irradiator_id, "irradiator")
        changed = _changed(row, changes)
        if not changed:
            return msgspec.convert(dict(row), Irradiator)
        fields = {field: row[field] for field in IrradiatorCreate.__struct_fields__} | changed
        try:
            edited = msgspec.convert(fields, IrradiatorCreate)
        except msgspec.ValidationError as exc:
            raise _invalid(str(exc)) from None
        rules.check_irradiator(edited, await queries.get_organization(conn, row["facility_id"]))
        updated = await _save(conn, actor, "irradiator", irradiator_id, row, changed)
    return msgspec.convert(dict(updated), Irradiator)


async def _user_line(conn: asyncpg.Connection, user_id: UUID) -> UserLine:
    row = await queries.user_line(conn, user_id)
    assert row is not None
    return msgspec.convert(dict(row), UserLine)


async def edit_user(
    conn: asyncpg.Connection,
    actor: AuthUser,
    user_id: UUID,
    patch: UserPatch,
    token_cache: TokenCache | None = None,
) -> UserLine:
    """The name and the role; the role must fit the user's organization (422, as at creation:
    an administrator stays one, nobody else becomes one). The change holds at once: sessions
    read the user on every request, and cached tokens of the user are dropped (this process's
    now, the others' on the NOTIFY of the commit)."""
    given = given_fields(patch)
    refuse_identity(given, USER_IDENTITY, "a user")
    changes = {field: getattr(patch, field) for field in given}
    async with conn.transaction():
        row = await _locked(conn, "users", user_id, "user")
        changed = _changed(row, changes)
        if not changed:
            return await _user_line(conn, user_id)
        if "role" in changed:
            organization_id = row["organization_id"]
            organization = (
                await queries.get_organization(conn, organization_id) if organization_id else None
            )
            fits = UserCreate(
                name=row["name"], role=changed["role"], organization_id=organization_id
            )
            rules.check_user_fits(fits, organization)
        await _save(conn, actor, "user", user_id, row, changed)
        line = await _user_line(conn, user_id)
    if token_cache is not None:
        token_cache.drop_user(user_id)
    return line


async def enable_user(conn: asyncpg.Connection, actor: AuthUser, user_id: UUID) -> UserLine:
    """Let a disabled account sign in again, with its admin-log entry; enabling an active one
    changes nothing and logs nothing. Its API tokens stay revoked and its old invite links
    used: the person signs in with their password, or a new invite, and makes new tokens."""
    async with conn.transaction():
        row = await _locked(conn, "users", user_id, "user")
        if row["disabled_at"] is not None:
            # guarded like the disable: of two concurrent enables only one logs
            await conn.execute(
                "UPDATE users SET disabled_at = NULL WHERE id = $1 AND disabled_at IS NOT NULL",
                user_id,
            )
            await record_admin_change(
                conn,
                actor,
                "user.enabled",
                "user",
                user_id,
                row["name"],
                {"before": {"disabled_at": row["disabled_at"]}, "after": {"disabled_at": None}},
            )
        return await _user_line(conn, user_id)
