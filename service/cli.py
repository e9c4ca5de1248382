"""The `radura` command: serve, migrate, user, keys, labels, label verify, db url, scans archive."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Callable
from typing import Any

import asyncpg

from service.core.settings import Settings, get_settings


def _database_url(settings: Settings) -> str:
    """The configured server, or the embedded one (started on first use, migrated)."""
    if settings.database_url:
        return settings.database_url
    from service.core.db import start_embedded_postgres

    dsn = start_embedded_postgres(settings.data_dir)
    asyncio.run(_migrate(dsn, quiet=True))
    return dsn


async def _migrate(dsn: str, *, quiet: bool = False) -> list[str]:
    from service.core.migrate import apply_migrations

    conn = await asyncpg.connect(dsn)
    try:
        applied = await apply_migrations(conn)
        await conn.execute("SELECT ensure_scan_partitions(2)")
    finally:
        await conn.close()
    if not quiet:
        for name in applied:
            print(f"applied {name}")
        print("database is up to date" if not applied else f"{len(applied)} migration(s) applied")
    return applied


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from service.core.migrate import MigrationError

    dsn = settings.database_url
    if dsn is None:
        from service.core.db import start_embedded_postgres

        dsn = start_embedded_postgres(settings.data_dir)
    try:
        asyncio.run(_migrate(dsn))
    except MigrationError as exc:
        print(f"migration refused: {exc}", file=sys.stderr)
        return 1
    except asyncpg.PostgresError as exc:
        # e.g. a missing database or privilege, or the partition upkeep after the migrations
        print(f"migration failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"migration failed: cannot reach the database: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from granian import Granian
    from granian.constants import Interfaces

    dsn = _database_url(settings)
    if args.demo:
        from service.demo import print_demo, seed_demo
        from service.labels_api.keys import SigningKeys

        demo = asyncio.run(seed_demo(dsn, SigningKeys(settings), settings.public_base_url))
        print_demo(demo, base_url=f"http://{args.host}:{args.port}")
    # the workers are fresh processes: they read the database they must use from the environment
    os.environ["RADURA_DATABASE_URL"] = dsn
    get_settings.cache_clear()  # workers may be forked from this process
    Granian(
        "service.app:create_app",
        factory=True,
        address=args.host,
        port=args.port,
        interface=Interfaces.ASGI,
        workers=args.workers,
        log_access=args.access_log,
    ).serve()
    return 0


async def _create_user(
    dsn: str, role: str, name: str, organization_id: str | None, email: str | None, base_url: str
) -> dict[str, Any]:
    import msgspec

    from schemas.accounts import UserCreate
    from service.accounts.users import create_user_with_token

    # convert, not the constructor: it validates the name and role like the HTTP API does
    data = msgspec.convert(
        {"name": name, "role": role, "organization_id": organization_id, "email": email},
        UserCreate,
    )
    conn = await asyncpg.connect(dsn)
    try:
        user = await create_user_with_token(conn, data, base_url, None)
    finally:
        await conn.close()
    result = {"user_id": str(user.id), "token": user.token}
    if user.invite_url:
        result["invite_url"] = user.invite_url
    return result


def cmd_user_create(args: argparse.Namespace, settings: Settings) -> int:
    import msgspec

    from service.core.errors import DomainError

    dsn = _database_url(settings)
    try:
        result = asyncio.run(
            _create_user(
                dsn,
                args.role,
                args.name,
                args.organization_id,
                args.email,
                settings.public_base_url,
            )
        )
    except DomainError as exc:
        print(f"refused: {exc.detail}", file=sys.stderr)
        return 1
    except msgspec.ValidationError as exc:
        print(f"invalid: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


async def _with_connection(dsn: str, work: Callable[[asyncpg.Connection], Any]) -> Any:
    conn = await asyncpg.connect(dsn)
    try:
        return await work(conn)
    finally:
        await conn.close()


def cmd_user_invite(args: argparse.Namespace, settings: Settings) -> int:
    """Print a fresh invite link for a user's email; earlier unused links stop working."""
    from service.accounts.people import invite_by_email
    from service.core.errors import DomainError

    dsn = _database_url(settings)
    try:
        url = asyncio.run(
            _with_connection(
                dsn, lambda conn: invite_by_email(conn, args.email, settings.public_base_url)
            )
        )
    except DomainError as exc:
        print(f"refused: {exc.detail}", file=sys.stderr)
        return 1
    print(url)
    return 0


def cmd_user_disable(args: argparse.Namespace, settings: Settings) -> int:
    """Disable the account with this email: its tokens and console sessions end at once."""
    from service.accounts.people import disable_user_by_email

    dsn = _database_url(settings)
    user_id = asyncio.run(
        _with_connection(dsn, lambda conn: disable_user_by_email(conn, args.email))
    )
    if user_id is None:
        print("refused: No such user with this email.", file=sys.stderr)
        return 1
    print(json.dumps({"user_id": str(user_id), "disabled": True}))
    return 0


def cmd_db_url(args: argparse.Namespace, settings: Settings) -> int:
    if settings.database_url:
        print(settings.database_url)
        return 0
    from service.core.db import start_embedded_postgres

    # the embedded server stays up after this command, so the URL it prints can be used
    print(start_embedded_postgres(settings.data_dir, keep_running=True))
    return 0


def cmd_keys_rotate(args: argparse.Namespace, settings: Settings) -> int:
    from labels.signing import Keyring

    if settings.signing_key:
        print(
            "RADURA_SIGNING_KEY is set: rotate by setting a new key there (and keep the old one "
            "in the data folder's key archive so old labels still verify).",
            file=sys.stderr,
        )
        return 1
    keyring = Keyring.rotate(settings.data_dir)
    print(json.dumps({"active_kid": keyring.active_kid, "keys": len(keyring.keys())}))
    return 0


def cmd_label_verify(args: argparse.Namespace, settings: Settings) -> int:
    """Check a label's URI offline, against a JWKS file or this server's own keys."""
    from labels.signing import Keyring, KeyringError
    from labels.uri import LabelUriError, parse_label_uri

    try:
        parsed = parse_label_uri(args.uri)
    except LabelUriError as exc:
        print(f"INVALID: not a Radura label URI: {exc.reason}")
        return 1
    try:
        if args.jwks:
            with open(args.jwks, encoding="utf-8") as jwks_file:
                keyring = Keyring.from_jwks(json.load(jwks_file))
        else:
            keyring = Keyring.load_or_create(settings.data_dir, settings.signing_key)
    except (OSError, ValueError, KeyringError) as exc:
        print(f"cannot read the keys: {exc}", file=sys.stderr)
        return 2
    if parsed.signature_b64 is None:
        print("INVALID: the URI carries no signature (s=)")
        return 1
    result = keyring.verify(parsed.signed_message, parsed.signature_b64)
    if not result.valid:
        print(f"INVALID: {result.reason}")
        return 1
    fields = {
        "form": parsed.form,
        "code": parsed.code,
        "gtin": parsed.gtin14,
        "lot": parsed.lot,
        "serial": parsed.serial,
        "expiry": parsed.expiry,
    }
    shown = ", ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
    print(f"VALID: signed by key {result.kid} ({result.key_status}); {shown}")
    return 0


def cmd_labels_render(args: argparse.Namespace, settings: Settings) -> int:
    from service.labels_api.render_command import run

    return run(args, settings, _database_url(settings))


def _month(text: str) -> Any:
    from service.verify.archive import parse_month

    try:
        return parse_month(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def cmd_scans_archive(args: argparse.Namespace, settings: Settings) -> int:
    """Detach the scan log's monthly partitions wholly before a past month (never drops)."""
    from datetime import UTC, datetime

    from service.verify.archive import ArchiveRefused, archive_before, check_past

    try:
        check_past(args.before, datetime.now(UTC).date())
    except ArchiveRefused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    dsn = _database_url(settings)
    archived = asyncio.run(_with_connection(dsn, lambda conn: archive_before(conn, args.before)))
    for month in archived:
        print(f"detached {month.partition} ({month.scans} scans), kept as {month.renamed_to}")
    if not archived:
        print(f"nothing to archive: no scan partition is attached before {args.before:%Y-%m}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="radura", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--demo", action="store_true", help="seed demo data and print tokens")
    serve.add_argument("--access-log", action="store_true", help="log every request")
    serve.set_defaults(handler=cmd_serve)

    migrate = sub.add_parser("migrate", help="apply pending database migrations")
    migrate.set_defaults(handler=cmd_migrate)

    user = sub.add_parser("user", help="manage users").add_subparsers(dest="action", required=True)
    create = user.add_parser("create", help="create a user and print its token once")
    create.add_argument(
        "--role", required=True, choices=["admin", "producer", "operator", "qa", "regulator"]
    )
    create.add_argument("--name", required=True)
    create.add_argument("--organization-id")
    create.add_argument("--email", help="also print an invite link to set a console password")
    create.set_defaults(handler=cmd_user_create)
    invite = user.add_parser("invite", help="print a fresh console invite link (72 h)")
    invite.add_argument("email")
    invite.set_defaults(handler=cmd_user_invite)
    disable = user.add_parser("disable", help="disable an account; ends its tokens and sessions")
    disable.add_argument("email")
    disable.set_defaults(handler=cmd_user_disable)

    db = sub.add_parser("db", help="database helpers").add_subparsers(dest="action", required=True)
    url = db.add_parser("url", help="print the database URL in use")
    url.set_defaults(handler=cmd_db_url)

    scans = sub.add_parser("scans", help="the scan log").add_subparsers(
        dest="action", required=True
    )
    archive = scans.add_parser(
        "archive", help="detach the monthly scan partitions before a past month (kept, not dropped)"
    )
    archive.add_argument(
        "--before",
        required=True,
        type=_month,
        metavar="YYYY-MM",
        help="a past month (UTC): the partitions wholly before it are detached",
    )
    archive.set_defaults(handler=cmd_scans_archive)

    keys = sub.add_parser("keys", help="label signing keys").add_subparsers(
        dest="action", required=True
    )
    rotate = keys.add_parser("rotate", help="make a new active key; old keys keep verifying")
    rotate.set_defaults(handler=cmd_keys_rotate)

    label = sub.add_parser("label", help="single labels").add_subparsers(
        dest="action", required=True
    )
    verify = label.add_parser("verify", help="check a label URI offline")
    verify.add_argument("uri")
    verify.add_argument("--jwks", help="a JWKS file (e.g. a saved /.well-known/jwks.json)")
    verify.set_defaults(handler=cmd_label_verify)

    labels = sub.add_parser("labels", help="label sheets").add_subparsers(
        dest="action", required=True
    )
    render = labels.add_parser("render", help="render a batch's labels into a PDF")
    render.add_argument("batch_id")
    render.add_argument(
        "--layout",
        default="a4-3x8",
        choices=["a4-3x8", "a4-2x5", "thermal-50x30", "thermal-40x30"],
    )
    render.add_argument("-o", "--output", required=True, help="the PDF file to write")
    render.add_argument("--copies", type=int, help="repeat the batch label instead of serials")
    render.set_defaults(handler=cmd_labels_render)
    return parser


def main(argv: list[str] | None = None) -> int:
    import structlog

    # stdout carries results (JSON, URLs); everything the CLI logs goes to stderr
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(sys.stderr))
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace, Settings], int] = args.handler
    return handler(args, get_settings())


if __name__ == "__main__":
    sys.exit(main())
