"""The perspectief command: run, serve, dispatch, migrate, seed-demo, generate, token, openapi,
db, retention-run, audit."""

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from app.config import PROJECT_ROOT, ConfigurationError, get_settings
from app.embedded_pg import (
    EmbeddedUnavailable,
    embedded_session,
    ensure_database,
    ensure_embedded,
    resolve_database_url,
    running_pid,
    stop_embedded,
    to_asyncpg_url,
)
from app.identifiers import AGB, MUNICIPALITY, matches

DATABASE = "perspectief"
DESCRIPTION = (
    "Perspectief: case management for Dutch youth care. Without PERSPECTIEF_DATABASE_URL the "
    "commands use an embedded PostgreSQL under .data/pg, started when needed and stopped again "
    "by the command that started it."
)


class UsageError(Exception):
    """A command cannot do what was asked; the message says what to change (exit code 2)."""


def database_url() -> str:
    settings = get_settings()
    return resolve_database_url(settings.database_url, settings.data_dir, DATABASE)


@contextmanager
def database() -> Iterator[str]:
    """The configured database, or the embedded one for as long as the command runs.

    An embedded server this command started is stopped when it ends (also on Ctrl-C or
    SIGTERM); one that was already running is left running.
    """
    settings = get_settings()
    if settings.database_url:
        yield settings.database_url.replace("postgresql://", "postgresql+asyncpg://", 1)
        return
    with embedded_session(settings.data_dir, on_stop=_say_stopping) as server:
        yield to_asyncpg_url(server.uri, DATABASE)


def _say_stopping() -> None:
    print("perspectief: stopping the embedded PostgreSQL it started (data kept) …", file=sys.stderr)


def migrate(url: str) -> None:
    """Create the database if needed and apply every migration (``alembic upgrade head``)."""
    from alembic.config import Config

    from alembic import command

    asyncio.run(ensure_database(url))
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.attributes["database_url"] = url
    command.upgrade(config, "head")


def seed_demo(url: str) -> bool:
    """Load the demo region unless it is there already; returns whether it loaded anything."""
    from app.demo import load_demo

    return asyncio.run(load_demo(url))


def print_tokens(host: str = "127.0.0.1", port: int = 8000) -> None:
    from app.demo import demo_token_claims, demo_tokens
    from app.demo.ids import DEMO_ROLE_DESCRIPTIONS, MUNICIPALITY

    settings = get_settings()
    claims = demo_token_claims()
    print("\nDev tokens (valid 8 hours; PERSPECTIEF_ENV=dev only):\n")
    for role, token in demo_tokens(settings).items():
        carried = ", ".join(f"{name} {value}" for name, value in claims[role].items())
        print(f"  {role} — {DEMO_ROLE_DESCRIPTIONS[role]}")
        print(f"    municipality {MUNICIPALITY}{', ' + carried if carried else ''}")
        print(f"    {token}\n")
    print("  Another role or person: perspectief token --role ROLE --demo (see perspectief token --help)\n")
    base = f"http://{host}:{port}/api/v1"
    print("Try:\n")
    print(f'  TOKEN=<a token above>; curl -s -H "Authorization: Bearer $TOKEN" {base}/support-profiles\n')
    print(f"  OpenAPI docs: {base}/docs (Swagger UI) and {base}/redoc (ReDoc)\n")
    print("  Example flows: examples/family-plan.sh, examples/provider-flow.sh, examples/steering.sh\n")
    print(f"  Steering dashboard: http://{host}:{port}/dashboard (paste the municipality_officer token)\n")


def serve(host: str, port: int, workers: int, url: str | None = None) -> None:
    """Serve with uvicorn on ``url`` (workers build their app from the environment)."""
    import uvicorn

    from app.server import uvicorn_options

    os.environ["PERSPECTIEF_DATABASE_URL"] = url or database_url()
    get_settings.cache_clear()
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # every worker writes its metrics there; /metrics merges them (see app/metrics.py)
        from app.metrics import prepare_multiprocess_dir

        prepare_multiprocess_dir(Path(tempfile.gettempdir()) / f"perspectief-metrics-{port}")
    uvicorn.run(
        "app.main:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        timeout_graceful_shutdown=20,
        **uvicorn_options(get_settings()),
    )


def dispatch(url: str, metrics_port: int | None = None) -> None:
    """Deliver events to the webhook subscriptions until SIGTERM (any number may run at once)."""
    from app.logging_setup import configure_logging
    from app.services.integration.dispatcher import serve as serve_dispatcher

    settings = get_settings()
    configure_logging(settings.log_level)
    asyncio.run(serve_dispatcher(url, settings, metrics_port=metrics_port))


def start_dispatcher(url: str) -> subprocess.Popen[bytes]:
    """One dispatcher beside the API, so that the quick start delivers for real."""
    env = {**os.environ, "PERSPECTIEF_DATABASE_URL": url}
    return subprocess.Popen([sys.executable, "-m", "app.cli", "dispatch"], env=env)


def _exit_on_sigterm(signum: int, frame: object) -> NoReturn:
    raise SystemExit(128 + signum)


def cmd_run(args: argparse.Namespace) -> None:
    if not get_settings().is_dev:
        raise UsageError(
            "run loads demo data and prints dev tokens: it is for PERSPECTIEF_ENV dev or test "
            "(production: perspectief serve --migrate)"
        )
    with database() as url:
        migrate(url)
        seed_demo(url)
        print_tokens(args.host, args.port)
        dispatcher = start_dispatcher(url)
        try:
            serve(args.host, args.port, args.workers, url)
        finally:
            dispatcher.terminate()
            dispatcher.wait(timeout=60)


def cmd_serve(args: argparse.Namespace) -> None:
    with database() as url:
        if args.migrate:
            migrate(url)
        serve(args.host, args.port, args.workers, url)


def cmd_migrate(_: argparse.Namespace) -> None:
    with database() as url:
        migrate(url)


def cmd_seed_demo(_: argparse.Namespace) -> None:
    with database() as url:
        loaded = seed_demo(url)
    print("demo data loaded" if loaded else "demo data already present")


def cmd_dispatch(args: argparse.Namespace) -> None:
    with database() as url:
        dispatch(url, args.metrics_port)


TOKEN_CLAIMS = ("team", "provider", "family", "member", "agb", "region")


def cmd_generate(args: argparse.Namespace) -> None:
    """Recreate a database, migrate it and write a national data set into it through COPY."""
    from app.generate.national import generate

    settings = get_settings()
    with database():
        url = resolve_database_url(settings.database_url, settings.data_dir, args.database)
        asyncio.run(ensure_database(url, recreate=True))
        migrate(url)
        stats = asyncio.run(
            generate(url, args.families, seed=args.seed, audit_per_family=args.audit_per_family)
        )
    print(
        f"{stats.families} families in {stats.municipalities} municipalities, {stats.rows} rows "
        f"in {stats.seconds:.0f} s (database {args.database})"
    )


def cmd_token(args: argparse.Namespace) -> None:
    from app.auth import ROLE_CLAIMS, Role, issue_dev_token
    from app.demo.ids import DEMO_CLAIMS

    settings = get_settings()
    if not settings.is_dev:
        raise UsageError("dev tokens exist only when PERSPECTIEF_ENV is dev or test")
    claims = {name: getattr(args, name) for name in TOKEN_CLAIMS}
    needed = ROLE_CLAIMS[Role(args.role)]
    if args.demo:
        claims.update({name: DEMO_CLAIMS[name] for name in needed if not claims[name]})
    missing = [f"--{name}" for name in needed if not claims[name]]
    if missing:
        raise UsageError(f"role {args.role} needs {' and '.join(missing)} (or --demo for the demo region's)")
    print(
        issue_dev_token(
            settings,
            sub=args.sub or f"dev-{args.role}",
            roles=[args.role],
            municipality=args.municipality,
            ttl_seconds=args.ttl,
            **claims,
        )
    )


def cmd_proxy_config(args: argparse.Namespace) -> None:
    from app.proxy_config import ProxyLayout, render

    layout = ProxyLayout(listen=args.listen, upstreams=tuple(args.upstream or ["127.0.0.1:8000"]))
    sys.stdout.write(render(get_settings(), layout))


def cmd_openapi(_: argparse.Namespace) -> None:
    from app.main import create_app

    json.dump(create_app().openapi(), sys.stdout, indent=2)


def cmd_db(args: argparse.Namespace) -> None:
    data_dir = get_settings().data_dir
    pg = data_dir / "pg"
    if args.action == "start":
        server = ensure_embedded(data_dir)
        state = "started" if server.started else "already running"
        print(f"embedded PostgreSQL {state} (pid {running_pid(data_dir)}, data in {pg})")
    elif args.action == "stop":
        pid = stop_embedded(data_dir)
        print(f"embedded PostgreSQL stopped (pid {pid})" if pid else "embedded PostgreSQL is not running")
    else:
        pid = running_pid(data_dir)
        print(
            f"embedded PostgreSQL running (pid {pid}, data in {pg})"
            if pid
            else "embedded PostgreSQL is not running"
        )


def _uuid(value: str) -> str:
    from app.identifiers import ascii_uuid

    try:
        return str(ascii_uuid(value))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a UUID: {value!r}") from None


def _matching(pattern: str, what: str) -> object:
    def check(value: str) -> str:
        if not matches(pattern, value):
            raise argparse.ArgumentTypeError(f"not {what}: {value!r}")
        return value

    return check


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {value!r}")
    return number


def _with_engine(work: Any) -> Any:
    """Run ``work(engine, sessionmaker)`` on the database for as long as the command runs; its
    logs go to stderr, so that standard output holds only the command's result."""
    from app.db import create_engine, create_sessionmaker
    from app.logging_setup import configure_logging

    configure_logging(get_settings().log_level, to_stderr=True)

    async def run(url: str) -> Any:
        engine = create_engine(url, get_settings())
        try:
            return await work(engine, create_sessionmaker(engine))
        finally:
            await engine.dispose()

    with database() as url:
        return asyncio.run(run(url))


def cmd_retention_run(args: argparse.Namespace) -> None:
    """Run (or resume) the retention job, for a scheduler; prints the run's counts as JSON."""
    from datetime import date

    from app.auth import Principal, Role
    from app.errors import AppError
    from app.schemas.privacy import RetentionRunPublic
    from app.services.privacy.retention import RetentionAsk, run_retention

    actor = Principal(
        sub="retention-job", roles=frozenset({Role.ADMIN}), municipality=args.municipality or ""
    )
    ended_before = date.fromisoformat(args.ended_before) if args.ended_before else None
    ask = RetentionAsk(args.dry_run, ended_before, args.municipality, actor)
    try:
        run = _with_engine(lambda engine, sm: run_retention(engine, sm, get_settings(), ask))
    except AppError as exc:
        print(json.dumps({"code": exc.code, "detail": exc.detail}), file=sys.stderr)
        sys.exit(2 if exc.status == 409 else 1)
    print(RetentionRunPublic.model_validate(run).model_dump_json(by_alias=True, indent=2))


def cmd_audit(args: argparse.Namespace) -> None:
    """``audit seal``: seal every finished transaction's audit rows; ``audit verify``: seal, then
    check the whole sealed trail (exit status 1 when a row was altered or removed)."""
    from app.services.platform import audit_seal

    async def work(engine: Any, _: Any) -> Any:
        sealed = await audit_seal.seal_all(engine)
        return sealed, (await audit_seal.verify(engine) if args.audit_command == "verify" else None)

    sealed, result = _with_engine(work)
    if result is None:
        print(json.dumps({"sealed": sealed}))
        return
    broken = result.first_broken
    print(
        json.dumps(
            {
                "verifiedThrough": result.verified_through.isoformat() if result.verified_through else None,
                "rows": result.rows,
                "intact": result.intact,
                "firstBroken": {
                    "id": str(broken.id),
                    "occurredAt": broken.occurred_at.isoformat(),
                    "problem": broken.problem,
                }
                if broken
                else None,
            },
            indent=2,
        )
    )
    if not result.intact:
        sys.exit(1)


class Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr (exit code 2), pointing at --help."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


Command = Callable[[argparse.Namespace], None]


def _command(sub: Any, name: str, handler: Command, helptext: str, **kwargs: Any) -> argparse.ArgumentParser:
    """A subcommand that runs ``handler`` with the parsed arguments."""
    parser: argparse.ArgumentParser = sub.add_parser(name, help=helptext, **kwargs)
    parser.set_defaults(handler=handler)
    return parser


def build_parser() -> argparse.ArgumentParser:
    from app.auth import ROLE_CLAIMS

    parser = Parser(prog="perspectief", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands = (
        ("run", cmd_run, "migrate, load the demo data, print dev tokens and serve (Ctrl-C stops everything)"),
        ("serve", cmd_serve, "serve the API"),
    )
    for name, handler, helptext in commands:
        p = _command(sub, name, handler, helptext, description=helptext)
        p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
        p.add_argument(
            "--port", type=_positive, default=8000, help="port to listen on (default: %(default)s)"
        )
        p.add_argument("--workers", type=_positive, default=1, help="worker processes (default: %(default)s)")
        if name == "serve":
            p.add_argument(
                "--migrate",
                action="store_true",
                help="apply the migrations first (safe when replicas start together: they take a lock)",
            )
    d = _command(sub, "dispatch", cmd_dispatch, "deliver events to the webhook subscriptions until SIGTERM")
    d.add_argument("--metrics-port", type=_positive, help="serve the dispatcher's metrics on 127.0.0.1:PORT")
    _command(sub, "migrate", cmd_migrate, "apply the database migrations (under an advisory lock)")
    _command(sub, "seed-demo", cmd_seed_demo, "load the demo region (idempotent)")
    _command(sub, "openapi", cmd_openapi, "print the OpenAPI document (needs no database)")
    g = _command(
        sub, "generate", cmd_generate, "recreate a database with a generated national data set (COPY)"
    )
    g.add_argument("--families", type=_positive, required=True, help="how many families")
    g.add_argument("--seed", type=int, default=1, help="random seed (default: %(default)s)")
    g.add_argument(
        "--audit-per-family", type=int, default=20, help="audit rows per family (default: %(default)s)"
    )
    g.add_argument(
        "--database",
        default="perspectief_generated",
        help="database to recreate on the server (default: %(default)s)",
    )
    r = _command(
        sub, "retention-run", cmd_retention_run, "anonymise files past retention and purge expired records"
    )
    r.add_argument("--dry-run", action="store_true", help="only count")
    r.add_argument("--ended-before", help="YYYY-MM-DD (default: the configured years ago)")
    r.add_argument("--municipality", help="only this municipality (default: all)")
    a = _command(sub, "audit", cmd_audit, "seal or verify the audit trail")
    a.add_argument("audit_command", choices=["seal", "verify"], help="seal, or seal and then verify")
    proxy = _command(
        sub, "proxy-config", cmd_proxy_config, "print the nginx configuration of the reverse proxy"
    )
    proxy.add_argument("--listen", default="80", help="nginx's listen address (default 80)")
    proxy.add_argument("--upstream", action="append", help="host:port of a worker or host (repeatable)")

    db = _command(
        sub,
        "db",
        cmd_db,
        "start, stop or show the embedded PostgreSQL",
        description="The embedded PostgreSQL under PERSPECTIEF_DATA_DIR (default .data): start it, "
        "stop it (its data is kept; make clean-data wipes it) or show whether it runs.",
    )
    db.add_argument("action", choices=("start", "stop", "status"), help="what to do")

    roles = ", ".join(
        f"{role.value} ({', '.join(c) or 'no further claims'})" for role, c in ROLE_CLAIMS.items()
    )
    t = _command(
        sub,
        "token",
        cmd_token,
        "print a dev token (PERSPECTIEF_ENV dev or test only)",
        description=f"Print an HS256 dev token. Roles and the claims each needs: {roles}.",
    )
    t.add_argument(
        "--role",
        required=True,
        choices=[role.value for role in ROLE_CLAIMS],
        metavar="ROLE",
        help="one of %(choices)s",
    )
    t.add_argument(
        "--demo",
        action="store_true",
        help="fill the claims the role needs, where not given, with the demo region's "
        "(team, family and parent, provider, AGB code, region), as loaded by make run",
    )
    t.add_argument(
        "--municipality",
        default="GM0363",
        type=_matching(MUNICIPALITY, "a CBS municipality code (GM and four digits)"),
        help="CBS municipality code (default: %(default)s)",
    )
    t.add_argument("--sub", help="subject (default: dev-ROLE)")
    t.add_argument("--team", type=_uuid, help="team id (district_professional)")
    t.add_argument("--provider", type=_uuid, help="provider id (provider_staff)")
    t.add_argument("--family", type=_uuid, help="family id (family_member)")
    t.add_argument("--member", type=_uuid, help="family member id (family_member)")
    t.add_argument("--agb", type=_matching(AGB, "an AGB code (8 digits)"), help="AGB code (gp)")
    t.add_argument("--region", type=_uuid, help="region id (purchasing_officer)")
    t.add_argument(
        "--ttl", type=_positive, default=8 * 3600, help="validity in seconds (default: %(default)s)"
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    """Run a command; configuration and usage errors are one line on stderr with exit code 2."""
    argv = sys.argv[1:] if argv is None else argv
    signal.signal(signal.SIGTERM, _exit_on_sigterm)  # so an embedded server this started is stopped
    try:
        _main(argv)
    except (ConfigurationError, EmbeddedUnavailable, UsageError) as exc:
        command = f"perspectief {argv[0]}" if argv else "perspectief"
        kind = "configuration error: " if isinstance(exc, ConfigurationError) else ""
        print(f"{command}: {kind}{exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None


def _main(argv: list[str] | None) -> None:
    args = build_parser().parse_args(argv)
    args.handler(args)


if __name__ == "__main__":  # pragma: no cover
    main()
