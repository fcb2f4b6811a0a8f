"""``make bench-proxy``: what the rate limits cost per request at the reverse proxy.

Our app (``perspectief serve``, the bench database with the demo data, as ``make bench``
prepares it) is put behind two nginx instances rendered by ``app.proxy_config``: one with the
rate and connection limits (rates set so high that nothing is refused: every request still
looks up and updates its buckets), one without them. The same endpoints are driven through
both in alternating rounds; the table shows requests/s, p50 and p99 and the difference.
Only 127.0.0.1 is contacted; nginx and the app are stopped however the run ends.
"""

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

import httpx

from app.auth import issue_dev_token
from app.config import DEV_SECRET_DEFAULT, Settings
from app.proxy_config import ProxyLayout, render
from bench.run import (
    HOST,
    Sample,
    bench_database_url,
    drive,
    find_demo_plan,
    free_port,
    prepare_database,
    server,
    server_env,
    wait_ready,
)

NEVER_REFUSED = {
    "rate_limit_public_per_minute": 10_000_000,
    "rate_limit_address_per_minute": 10_000_000,
    "rate_limit_token_per_minute": 10_000_000,
    "rate_limit_search_per_minute": 10_000_000,
    "max_connections_per_address": 10_000,
}


def nginx_config(tmp: Path, port: int, upstream: int, rate_limits: bool) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    tmp.chmod(0o755)
    layout = ProxyLayout(
        listen=f"{HOST}:{port}",
        upstreams=(f"{HOST}:{upstream}",),
        pid=str(tmp / "nginx.pid"),
        error_log=str(tmp / "error.log"),
        access_log=str(tmp / "access.log"),
        temp_dir=str(tmp),
        run_as="root" if os.geteuid() == 0 else None,
    )
    path = tmp / "nginx.conf"
    path.write_text(render(Settings().model_copy(update=NEVER_REFUSED), layout, rate_limits=rate_limits))
    return path


async def measure(
    urls: dict[str, str], path: str, headers: dict[str, str], args: argparse.Namespace
) -> dict[str, Sample]:
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
    samples = {name: Sample([]) for name in urls}
    async with httpx.AsyncClient(timeout=10.0, limits=limits) as client:
        for base in urls.values():
            await drive(client, base + path, headers, args.warmup, args.concurrency, args.time_limit)
        for number in range(args.rounds):
            order = list(urls) if number % 2 == 0 else list(reversed(urls))
            for name in order:
                latencies, errors, seconds = await drive(
                    client, urls[name] + path, headers, args.requests // args.rounds, args.concurrency,
                    args.time_limit / args.rounds,
                )  # fmt: skip
                samples[name].latencies.extend(latencies)
                samples[name].errors += errors
                samples[name].seconds += seconds
    return samples


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.proxy", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4000, help="measured requests per endpoint and proxy")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per endpoint and proxy (max)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        sys.exit("nginx is not installed (make test-tools installs it)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    secret = os.environ.get("PERSPECTIEF_DEV_JWT_SECRET", DEV_SECRET_DEFAULT)
    settings = Settings(env="dev", dev_jwt_secret=secret, jwks_url=None)
    url = bench_database_url(settings)
    print("preparing the bench database (recreate, migrate, demo data)...")
    prepare_database(url)
    plan = asyncio.run(find_demo_plan(url))
    team, municipality = (plan[1], plan[2]) if plan else (None, "GM0363")
    token = issue_dev_token(
        settings, sub="bench", roles=["district_professional"], municipality=municipality, team=team
    )
    endpoints = {
        "GET /life-domains": ("/api/v1/life-domains", {"Authorization": f"Bearer {token}"}),
        "GET /public/providers": (f"/api/v1/public/providers?municipality={municipality}", {}),
    }
    app_port, with_port, without_port = free_port(), free_port(), free_port()
    tmp = Path(tempfile.mkdtemp(prefix="perspectief-bench-proxy-"))
    with ExitStack() as stack:
        app_log = stack.enter_context(open(tmp / "app.log", "wb"))
        app_argv = [sys.executable, "-m", "app.cli", "serve", "--host", HOST, "--port", str(app_port)]
        app = stack.enter_context(server("app", app_argv, server_env(url, secret), app_log))
        proxies = {}
        for name, port, limited in (("limits", with_port, True), ("no limits", without_port, False)):
            config = nginx_config(tmp / name.replace(" ", "-"), port, app_port, limited)
            argv = [nginx, "-p", str(config.parent), "-c", str(config), "-g", "daemon off;"]
            proxies[name] = (
                stack.enter_context(server(f"nginx ({name})", argv, dict(os.environ), app_log)),
                port,
            )
        rows = asyncio.run(run(app, proxies, app_port, endpoints, args))
    print(f"\nup to {args.requests} requests per endpoint and proxy, concurrency {args.concurrency}.\n")
    print(f"{'endpoint':24} | {'proxy':9} | {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} |")
    for endpoint, samples in rows:
        for name, sample in samples.items():
            m = sample.summary(name, endpoint)
            figures = f"{m.requests_per_second:8.1f} {m.p50_ms:8.2f} {m.p99_ms:8.2f}"
            print(f"{endpoint:24} | {name:9} | {figures} | {m.errors} errors, {m.requests} requests")


async def run(
    app: subprocess.Popen[bytes],
    proxies: dict[str, tuple[subprocess.Popen[bytes], int]],
    app_port: int,
    endpoints: dict[str, tuple[str, dict[str, str]]],
    args: argparse.Namespace,
) -> list[tuple[str, dict[str, Sample]]]:
    await wait_ready(app, f"http://{HOST}:{app_port}/api/v1/health", "app.log")
    for process, port in proxies.values():
        await wait_ready(process, f"http://{HOST}:{port}/api/v1/health", "nginx error.log")
    urls = {name: f"http://{HOST}:{port}" for name, (_, port) in proxies.items()}
    return [
        (endpoint, await measure(urls, path, headers, args))
        for endpoint, (path, headers) in endpoints.items()
    ]


if __name__ == "__main__":
    main()
