"""The `radura` command: serve, migrate, user, keys, labels, label verify, db, scans archive."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from service.cli_help import (
    HelpFormatter,
    environment_epilog,
    language_code,
    market_code,
    whole_number,
)
from service.core.settings import (
    ENVIRONMENT,
    Settings,
    SettingsError,
    get_settings,
    local_base_url,
    record_serve_port,
)


class CommandError(Exception):
    """A mistake the person can fix: printed as one line, exit status 2, never a traceback."""


def _configured_database(settings: Settings) -> str | None:
    """RADURA_DATABASE_URL once a connection to it worked; None for the embedded database."""
    from service.core.db import DatabaseUnreachable, check_database

    if not settings.database_url:
        return None
    try:
        asyncio.run(check_database(settings.database_url))
    except DatabaseUnreachable as exc:
        raise CommandError(str(exc)) from None
    return settings.database_url


def _database_url(settings: Settings) -> str:
    """The configured server, or the embedded one (started on first use, migrated)."""
    dsn = _configured_database(settings)
    if dsn:
        return dsn
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

    dsn = _configured_database(settings)
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

    from service.core.access_log import access_log_config
    from service.mail.settings import load_mail_settings

    try:  # a wrong mail setting stops the start, as any other variable does
        load_mail_settings(settings.public_base_url)
    except SettingsError as exc:
        raise CommandError(str(exc)) from None
    dsn = _database_url(settings)
    record_serve_port(settings.data_dir, args.port)
    if "RADURA_PUBLIC_BASE_URL" not in os.environ:
        # every label, invite and link opens on the port served here; the workers read it too
        os.environ["RADURA_PUBLIC_BASE_URL"] = local_base_url(args.port)
        settings = dataclasses.replace(settings, public_base_url=local_base_url(args.port))
    if args.demo:
        from service.batches.labelling.keys import SigningKeys
        from service.demo.seed import print_demo, seed_demo

        demo = asyncio.run(seed_demo(dsn, SigningKeys(settings), settings.public_base_url))
        print_demo(demo, base_url=settings.public_base_url)
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
        # invite and password-reset links in the access log are cut short
        log_dictconfig=access_log_config(),
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


def cmd_db_stop(args: argparse.Namespace, settings: Settings) -> int:
    """Stop the embedded server `radura db url` left running (not a configured server)."""
    from service.core.db import stop_embedded_postgres

    if settings.database_url:
        raise CommandError(
            "RADURA_DATABASE_URL is set: that server is not radura's to stop; unset it to stop "
            "the embedded database in RADURA_DATA_DIR"
        )
    stopped, message = stop_embedded_postgres(settings.data_dir)
    print(message, file=sys.stdout if stopped else sys.stderr)
    return 0 if stopped else 1


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


def _read_jwks(source: str) -> Any:
    """A JWKS from a file, or from a URL (a bare server address gets /.well-known/jwks.json)."""
    import urllib.request

    parts = urlsplit(source)
    if parts.scheme not in ("http", "https"):
        with open(source, encoding="utf-8") as jwks_file:
            return json.load(jwks_file)
    if parts.path in ("", "/"):
        source = source.rstrip("/") + "/.well-known/jwks.json"
    # only http(s) gets here (checked above), never file: or other schemes
    with urllib.request.urlopen(source, timeout=10) as response:  # noqa: S310
        return json.load(response)


def _verifying_keys(args: argparse.Namespace, settings: Settings) -> Any:
    """The keys to check against; never creates a key file, this command only reads."""
    from labels.signing import Keyring, KeyringError, NoSigningKeys

    if args.jwks:
        try:
            jwks = _read_jwks(args.jwks)
            if not isinstance(jwks, dict):
                raise ValueError("not a JSON object")
            return Keyring.from_jwks(jwks)
        except (OSError, ValueError, KeyringError) as exc:
            raise CommandError(f"--jwks {args.jwks}: cannot read the keys: {exc}") from None
    try:
        return Keyring.read(settings.data_dir, settings.signing_key)
    except NoSigningKeys as exc:
        raise CommandError(
            f"{exc} (RADURA_DATA_DIR) and RADURA_SIGNING_KEY is unset; check against a server's "
            "keys with --jwks https://HOST/.well-known/jwks.json or --jwks FILE"
        ) from None
    except (OSError, KeyringError) as exc:
        raise CommandError(f"cannot read the keys: {exc}") from None


def cmd_label_verify(args: argparse.Namespace, settings: Settings) -> int:
    """Check a label's URI offline, against a JWKS (file or URL) or this machine's own keys."""
    from labels.uri import LabelUriError, parse_label_uri

    try:
        parsed = parse_label_uri(args.uri)
    except LabelUriError as exc:
        print(f"INVALID: not a Radura label URI: {exc.reason}")
        return 1
    keyring = _verifying_keys(args, settings)
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
    from service.labels_api.render_command import batch_ref, run

    try:
        batch_ref(args.batch)  # a mistyped batch is refused before the database starts
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    return run(args, settings, _database_url(settings))


def _month(text: str) -> Any:
    from service.verify.scans.archive import parse_month

    try:
        return parse_month(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def cmd_scans_archive(args: argparse.Namespace, settings: Settings) -> int:
    """Detach the scan log's monthly partitions wholly before a past month (never drops)."""
    from datetime import UTC, datetime

    from service.verify.scans.archive import ArchiveRefused, archive_before, check_past

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


_DATABASE = ("RADURA_DATABASE_URL", "RADURA_DATA_DIR")
_KEYS = ("RADURA_DATA_DIR", "RADURA_SIGNING_KEY")


def _command(
    group: Any,
    name: str,
    help_text: str,
    handler: Callable[[argparse.Namespace, Settings], int],
    environment: tuple[str, ...],
) -> argparse.ArgumentParser:
    """A subcommand whose help shows option defaults and the variables it reads."""
    command: argparse.ArgumentParser = group.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog=environment_epilog(environment),
        formatter_class=HelpFormatter,
    )
    command.set_defaults(handler=handler)
    return command


def _group(sub: Any, name: str, help_text: str) -> Any:
    group = sub.add_parser(name, help=help_text, description=help_text)
    return group.add_subparsers(dest="action", required=True, metavar="ACTION")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="radura",
        description=__doc__,
        epilog=environment_epilog(ENVIRONMENT) + "\n\n`radura COMMAND --help` says more.",
        formatter_class=HelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = _command(sub, "serve", "run the HTTP service", cmd_serve, tuple(ENVIRONMENT))
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=whole_number(1, 65535), default=8000, help="TCP port")
    serve.add_argument(
        "--workers", type=whole_number(1), default=1, help="worker processes serving requests"
    )
    serve.add_argument("--demo", action="store_true", help="seed demo data and print tokens")
    serve.add_argument("--access-log", action="store_true", help="log every request")

    _command(sub, "migrate", "apply pending database migrations", cmd_migrate, _DATABASE)

    user = _group(sub, "user", "manage users")
    with_links = (*_DATABASE, "RADURA_PUBLIC_BASE_URL")
    create = _command(
        user, "create", "create a user and print its token once", cmd_user_create, with_links
    )
    create.add_argument(
        "--role",
        required=True,
        choices=["admin", "producer", "operator", "qa", "regulator", "market_network"],
        help="what the user may do",
    )
    create.add_argument("--name", required=True, help="the user's display name")
    create.add_argument(
        "--organization-id", help="the organization the user belongs to (not for admins)"
    )
    create.add_argument("--email", help="also print an invite link to set a console password")
    invite = _command(
        user, "invite", "print a fresh console invite link (72 h)", cmd_user_invite, with_links
    )
    invite.add_argument("email", help="the user's email")
    disable = _command(
        user,
        "disable",
        "disable an account; ends its tokens and sessions",
        cmd_user_disable,
        _DATABASE,
    )
    disable.add_argument("email", help="the user's email")

    db = _group(sub, "db", "database helpers")
    _command(
        db, "url", "print the database URL in use (starts the embedded one)", cmd_db_url, _DATABASE
    )
    _command(
        db, "stop", "stop the embedded database left running by db url", cmd_db_stop, _DATABASE
    )

    scans = _group(sub, "scans", "the scan log")
    archive = _command(
        scans,
        "archive",
        "detach the monthly scan partitions before a past month (kept, not dropped)",
        cmd_scans_archive,
        _DATABASE,
    )
    archive.add_argument(
        "--before",
        required=True,
        type=_month,
        metavar="YYYY-MM",
        help="a past month (UTC): the partitions wholly before it are detached",
    )

    keys = _group(sub, "keys", "label signing keys")
    _command(
        keys, "rotate", "make a new active key; old keys keep verifying", cmd_keys_rotate, _KEYS
    )

    label = _group(sub, "label", "single labels")
    verify = _command(
        label, "verify", "check a label URI offline; writes nothing", cmd_label_verify, _KEYS
    )
    verify.add_argument("uri", help="the label URI, as its QR code holds it")
    verify.add_argument(
        "--jwks",
        metavar="URL|FILE",
        help="check against these public keys instead of this machine's: a server's address or "
        "its /.well-known/jwks.json, or a saved copy",
    )

    labels = _group(sub, "labels", "label sheets")
    render = _command(
        labels,
        "render",
        "render a batch's labels into a PDF",
        cmd_labels_render,
        (*_DATABASE, "RADURA_PUBLIC_BASE_URL", "RADURA_SIGNING_KEY"),
    )
    render.add_argument("batch", metavar="BATCH", help="the batch's id or its code (AFVFNPT6ZT)")
    render.add_argument(
        "--layout",
        default="a4-3x8",
        choices=[
            "a4-3x8",
            "a4-2x5",
            "thermal-80x50",
            "thermal-58x40",
            "thermal-50x30",
            "thermal-40x30",
        ],
        help="sheet or roll layout; one whose stickers cannot hold the batch's label is refused, "
        "naming the smallest that can",
    )
    render.add_argument(
        "--dpi",
        type=int,
        default=203,
        choices=[203, 300],
        help="the roll printer's resolution: QR modules are whole dots (A4 sheets ignore it)",
    )
    render.add_argument("-o", "--output", required=True, help="the PDF file to write")
    render.add_argument(
        "--copies",
        type=whole_number(1),
        help="repeat the batch label this many times instead of one label per serial",
    )
    render.add_argument(
        "--market",
        type=market_code,
        help="an export market (US, CN, EU; a union's member country stands for the union): "
        "every sticker carries its statutory words; refused when the batch may not go there",
    )
    render.add_argument(
        "--lang",
        type=language_code,
        help="the language of the market's words (en, zh): the buyer country's for the EU, "
        "else the market's own by default; needs --market",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    import structlog

    # stdout carries results (JSON, URLs); everything the CLI logs goes to stderr
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(sys.stderr))
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace, Settings], int] = args.handler
    try:
        return handler(args, _settings())
    except CommandError as exc:
        print(f"radura: {exc}", file=sys.stderr)
        return 2


def _settings() -> Settings:
    """The settings, checked before any work: a wrong variable is one line and exit status 2."""
    try:
        return get_settings()
    except SettingsError as exc:
        raise CommandError(str(exc)) from None
    except SystemExit as exc:
        # a reader that still says what is wrong by exiting with a message
        if isinstance(exc.code, str):
            raise CommandError(exc.code) from None
        raise


if __name__ == "__main__":
    sys.exit(main())
