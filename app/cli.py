"""The ``perspectief`` command: run, serve, dispatch, migrate, seed-demo, generate, token, openapi,
retention-run, audit."""

import argparse
import asyncio
import json
import os
import subprocess
import sys
from typing import Any

from app.config import PROJECT_ROOT, get_settings
from app.embedded_pg import ensure_database, resolve_database_url

DATABASE = "perspectief"


def database_url() -> str:
    settings = get_settings()
    return resolve_database_url(settings.database_url, settings.data_dir, DATABASE)


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
    from app.demo import demo_tokens

    settings = get_settings()
    print("\nDev tokens (valid 8 hours; PERSPECTIEF_ENV=dev only):\n")
    for role, token in demo_tokens(settings).items():
        print(f"  {role:22} {token}\n")
    base = f"http://{host}:{port}/api/v1"
    print("Try:\n")
    print(f'  TOKEN=<a token above>; curl -s -H "Authorization: Bearer $TOKEN" {base}/support-profiles\n')
    print(f"  OpenAPI docs: {base}/docs\n")
    print(f"  Steering dashboard: http://{host}:{port}/dashboard (paste the municipality_officer token)\n")


def serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    os.environ["PERSPECTIEF_DATABASE_URL"] = database_url()
    uvicorn.run(
        "app.main:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        timeout_graceful_shutdown=20,
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


def cmd_run(args: argparse.Namespace) -> None:
    url = database_url()
    migrate(url)
    seed_demo(url)
    print_tokens(args.host, args.port)
    dispatcher = start_dispatcher(url)
    try:
        serve(args.host, args.port, args.workers)
    finally:
        dispatcher.terminate()
        dispatcher.wait(timeout=60)


def cmd_generate(args: argparse.Namespace) -> None:
    """Recreate a database, migrate it and write a national data set into it through COPY."""
    from app.generate.national import generate

    settings = get_settings()
    url = resolve_database_url(settings.database_url, settings.data_dir, args.database)
    asyncio.run(ensure_database(url, recreate=True))
    migrate(url)
    stats = asyncio.run(generate(url, args.families, seed=args.seed, audit_per_family=args.audit_per_family))
    print(
        f"{stats.families} families in {stats.municipalities} municipalities, {stats.rows} rows "
        f"in {stats.seconds:.0f} s (database {args.database})"
    )


def cmd_token(args: argparse.Namespace) -> None:
    from app.auth import issue_dev_token

    claims = {
        "team": args.team,
        "provider": args.provider,
        "family": args.family,
        "member": args.member,
        "agb": args.agb,
        "region": args.region,
    }
    print(
        issue_dev_token(
            get_settings(),
            sub=args.sub or f"dev-{args.role}",
            roles=[args.role],
            municipality=args.municipality,
            ttl_seconds=args.ttl,
            **claims,
        )
    )


def cmd_openapi(_: argparse.Namespace) -> None:
    from app.main import create_app

    app = create_app(database_url="postgresql+asyncpg://openapi@localhost/none")
    json.dump(app.openapi(), sys.stdout, indent=2)


async def _with_engine(work: Any) -> Any:
    from app.db import create_engine, create_sessionmaker

    engine = create_engine(database_url(), get_settings())
    try:
        return await work(engine, create_sessionmaker(engine))
    finally:
        await engine.dispose()


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
        run = asyncio.run(_with_engine(lambda engine, sm: run_retention(engine, sm, get_settings(), ask)))
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

    sealed, result = asyncio.run(_with_engine(work))
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="perspectief", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    commands = (("run", "migrate, load demo data, print dev tokens and serve"), ("serve", "serve"))
    for name, helptext in commands:
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.add_argument("--workers", type=int, default=1)
    d = sub.add_parser("dispatch", help="deliver events to webhook subscriptions until SIGTERM")
    d.add_argument("--metrics-port", type=int, help="serve the dispatcher's metrics on 127.0.0.1:PORT")
    sub.add_parser("migrate", help="apply the database migrations")
    sub.add_parser("seed-demo", help="load the demo region (idempotent)")
    sub.add_parser("openapi", help="print the OpenAPI document")
    g = sub.add_parser("generate", help="recreate a database with a generated national data set")
    g.add_argument("--families", type=int, required=True)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--audit-per-family", type=int, default=20)
    g.add_argument("--database", default="perspectief_generated", help="database name (embedded server)")

    t = sub.add_parser("token", help="print a dev token (dev/test only)")
    t.add_argument("--role", required=True)
    t.add_argument("--municipality", default="GM0363")
    t.add_argument("--sub")
    t.add_argument("--team")
    t.add_argument("--provider")
    t.add_argument("--family")
    t.add_argument("--member")
    t.add_argument("--agb")
    t.add_argument("--region")
    t.add_argument("--ttl", type=int, default=8 * 3600)

    r = sub.add_parser("retention-run", help="anonymise files past retention and purge expired records")
    r.add_argument("--dry-run", action="store_true", help="only count")
    r.add_argument("--ended-before", help="YYYY-MM-DD (default: the configured years ago)")
    r.add_argument("--municipality", help="only this municipality (default: all)")
    a = sub.add_parser("audit", help="seal or verify the audit trail")
    a.add_argument("audit_command", choices=["seal", "verify"])
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if args.command == "run":
        cmd_run(args)
    elif args.command == "serve":
        serve(args.host, args.port, args.workers)
    elif args.command == "dispatch":
        dispatch(database_url(), args.metrics_port)
    elif args.command == "migrate":
        migrate(database_url())
    elif args.command == "seed-demo":
        loaded = seed_demo(database_url())
        print("demo data loaded" if loaded else "demo data already present")
    elif args.command == "token":
        cmd_token(args)
    elif args.command == "openapi":
        cmd_openapi(args)
    elif args.command == "generate":
        cmd_generate(args)
    elif args.command == "retention-run":
        cmd_retention_run(args)
    elif args.command == "audit":
        cmd_audit(args)


if __name__ == "__main__":  # pragma: no cover
    main()
