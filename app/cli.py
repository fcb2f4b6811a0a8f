"""The ``perspectief`` command: run, serve, migrate, seed-demo, token, openapi."""

import argparse
import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path

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


def serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    os.environ["PERSPECTIEF_DATABASE_URL"] = database_url()
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
        log_config=None,
        timeout_graceful_shutdown=20,
    )


def cmd_run(args: argparse.Namespace) -> None:
    url = database_url()
    migrate(url)
    seed_demo(url)
    print_tokens(args.host, args.port)
    serve(args.host, args.port, args.workers)


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="perspectief", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    commands = (("run", "migrate, load demo data, print dev tokens and serve"), ("serve", "serve"))
    for name, helptext in commands:
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.add_argument("--workers", type=int, default=1)
    sub.add_parser("migrate", help="apply the database migrations")
    sub.add_parser("seed-demo", help="load the demo region (idempotent)")
    sub.add_parser("openapi", help="print the OpenAPI document")

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
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if args.command == "run":
        cmd_run(args)
    elif args.command == "serve":
        serve(args.host, args.port, args.workers)
    elif args.command == "migrate":
        migrate(database_url())
    elif args.command == "seed-demo":
        loaded = seed_demo(database_url())
        print("demo data loaded" if loaded else "demo data already present")
    elif args.command == "token":
        cmd_token(args)
    elif args.command == "openapi":
        cmd_openapi(args)


if __name__ == "__main__":  # pragma: no cover
    main()
