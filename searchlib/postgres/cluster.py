"""A PostgreSQL cluster on loopback: one coordinator and N shard servers, for tests and the docs.

:class:`LocalCluster` runs ``initdb`` for each server in a folder of its own, starts them with
``pg_ctl`` on free loopback ports (as the ``postgres`` user when run as root: PostgreSQL refuses
to run as root), and on the coordinator declares each shard as a ``postgres_fdw`` foreign server
(``shard0``, ``shard1``...) with a user mapping. Servers are stopped by their pids (the first
line of ``postmaster.pid``), never by name. ``cluster.json`` in the folder records the ports, so
``searchlib cluster stop --dir DIR`` (another process) finds them again.

Every server allows prepared transactions (``max_prepared_transactions``): the index commits
across shards in two phases (:mod:`searchlib.postgres.writer`).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from searchlib.errors import SearchlibError

__all__ = ["ClusterError", "LocalCluster", "find_pg_bin"]

PG_VERSIONS = ("17", "16", "15", "14", "13")
CLUSTER_FILE = "cluster.json"
RUN_AS = "postgres"


class ClusterError(SearchlibError):
    """A server of a local cluster could not be created, started or stopped."""


def find_pg_bin() -> Path | None:
    """The folder of the machine's PostgreSQL server binaries (``initdb``, ``pg_ctl``), or None.

    ``$SEARCHLIB_PG_BIN`` wins; then Debian's ``/usr/lib/postgresql/<version>/bin`` (newest
    first); then ``initdb`` on the PATH.
    """
    env = os.environ.get("SEARCHLIB_PG_BIN")
    candidates = [Path(env)] if env else []
    candidates += [Path(f"/usr/lib/postgresql/{v}/bin") for v in PG_VERSIONS]
    found = shutil.which("initdb")
    if found:
        candidates.append(Path(found).parent)
    for c in candidates:
        if (c / "initdb").is_file() and (c / "pg_ctl").is_file():
            return c
    return None


def free_ports(n: int) -> list[int]:
    """``n`` distinct loopback ports that are free now (the kernel's choice)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


class LocalCluster:
    """A coordinator and ``shards`` shard servers in ``root`` (created if needed)::

        with LocalCluster("/tmp/pg", shards=2) as cluster:  # started, stopped on exit
            index = searchlib.create_index(cluster.url)

    ``url`` is the coordinator's (``postgresql://postgres@127.0.0.1:PORT/postgres``); the index
    finds the shards through the coordinator's foreign servers. ``fsync=False`` trades crash
    durability of the servers (not of the index protocol) for speed, for tests.
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        shards: int = 2,
        *,
        ports: Sequence[int] | None = None,
        fsync: bool = True,
        pg_bin: str | os.PathLike[str] | None = None,
    ) -> None:
        if shards < 1:
            raise ClusterError(f"a cluster needs at least one shard, not {shards}")
        self.root = Path(root).absolute()
        self.nshards = shards
        found = Path(pg_bin) if pg_bin else find_pg_bin()
        if found is None:
            raise ClusterError(
                "no PostgreSQL server binaries (initdb, pg_ctl) found: install them "
                "(Debian: apt-get install -y postgresql) or set SEARCHLIB_PG_BIN"
            )
        self.bin = found
        names = ["coordinator"] + [f"shard{i}" for i in range(shards)]
        if ports is not None and len(ports) != len(names):
            raise ClusterError(f"{len(names)} ports needed, {len(ports)} given")
        self.ports = dict(zip(names, ports or free_ports(len(names)), strict=True))
        self.fsync = fsync
        self.user = "postgres"

    # -- where things are -------------------------------------------------------------------------

    @property
    def names(self) -> list[str]:
        return list(self.ports)

    def url_of(self, name: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.ports[name]}/postgres"

    @property
    def url(self) -> str:
        """The coordinator's connection URL: the one an index is opened with."""
        return self.url_of("coordinator")

    def data_dir(self, name: str) -> Path:
        return self.root / name

    def pid(self, name: str) -> int | None:
        """The pid of server ``name`` when it runs (from ``postmaster.pid``), else None."""
        try:
            first = (self.data_dir(name) / "postmaster.pid").read_text().split("\n", 1)[0]
            pid = int(first)
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return pid
        return pid

    # -- lifecycle ---------------------------------------------------------------------------------

    def _run(self, args: list[str]) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", RUN_AS, "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ClusterError(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip()}")

    def _own(self, path: Path) -> None:
        if os.geteuid() == 0:
            pw = pwd.getpwnam(RUN_AS)
            os.chown(path, pw.pw_uid, pw.pw_gid)

    def start(self) -> LocalCluster:
        """initdb (first time only) and start every server, then declare the shards on the
        coordinator. Servers already running are left as they are."""
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            for parent in self.root.parents:
                if not parent.stat().st_mode & 0o001:
                    raise ClusterError(
                        f"{parent} is closed to other users: the servers run as {RUN_AS} "
                        "and must reach the cluster's folder (choose a folder under /tmp, "
                        f"or chmod o+x {parent})"
                    )
            self.root.chmod(0o755)
        self._own(self.root)
        for name in self.names:
            self.start_server(name)
        self._declare_shards()
        (self.root / CLUSTER_FILE).write_text(
            json.dumps({"shards": self.nshards, "ports": self.ports, "bin": str(self.bin)})
        )
        return self

    def start_server(self, name: str) -> None:
        """Start one server (initdb first when its folder is new); a no-op when it runs."""
        data = self.data_dir(name)
        if not (data / "PG_VERSION").exists():
            self._run(
                ["initdb", "-D", str(data), "-U", self.user, "--auth=trust", "-E", "UTF8",
                 "--locale=C.UTF-8", "--no-sync"]
            )  # fmt: skip
        if self.pid(name) is not None:
            return
        opts = (
            f"-p {self.ports[name]} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c shared_buffers=32MB -c max_prepared_transactions=64 -c max_connections=50"
            + ("" if self.fsync else " -c fsync=off -c synchronous_commit=off")
        )
        self._run(
            ["pg_ctl", "-D", str(data), "-l", str(self.root / f"{name}.log"), "-w", "-t", "60",
             "-o", opts, "start"]
        )  # fmt: skip

    def stop_server(self, name: str, timeout: float = 60.0) -> None:
        """Stop one server by its pid (fast shutdown: SIGINT) and wait until it is gone."""
        pid = self.pid(name)
        if pid is None:
            return
        os.kill(pid, signal.SIGINT)
        deadline = time.monotonic() + timeout
        while self.pid(name) == pid:
            if time.monotonic() > deadline:
                raise ClusterError(f"{name} (pid {pid}) did not stop within {timeout:.0f} s")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop every server (shards first)."""
        errors = []
        for name in reversed(self.names):
            try:
                self.stop_server(name)
            except (ClusterError, OSError) as exc:
                errors.append(str(exc))
        if errors:
            raise ClusterError("; ".join(errors))

    def destroy(self) -> None:
        """Stop every server and remove the cluster's folder."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> LocalCluster:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @classmethod
    def load(cls, root: str | os.PathLike[str]) -> LocalCluster:
        """The cluster a ``start`` left in ``root`` (its ports from ``cluster.json``)."""
        path = Path(root) / CLUSTER_FILE
        try:
            info = json.loads(path.read_text())
            ports = info["ports"]
            return cls(
                root,
                int(info["shards"]),
                ports=[
                    int(ports[n])
                    for n in ["coordinator"] + [f"shard{i}" for i in range(int(info["shards"]))]
                ],
                pg_bin=info.get("bin"),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ClusterError(f"no cluster in {root} ({path}: {exc})") from exc

    def _declare_shards(self) -> None:
        """postgres_fdw and one foreign server (plus user mapping) per shard, on the coordinator."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgres_fdw")
            for i in range(self.nshards):
                name = f"shard{i}"
                port = str(self.ports[name])
                exists = conn.execute(
                    "SELECT 1 FROM pg_foreign_server WHERE srvname = %s", (name,)
                ).fetchone()
                if exists:
                    conn.execute(
                        sql.SQL("ALTER SERVER {} OPTIONS (SET port {})").format(
                            sql.Identifier(name), sql.Literal(port)
                        )
                    )
                    continue
                conn.execute(
                    sql.SQL(
                        "CREATE SERVER {} FOREIGN DATA WRAPPER postgres_fdw OPTIONS "
                        "(host '127.0.0.1', port {}, dbname 'postgres', async_capable 'true')"
                    ).format(sql.Identifier(name), sql.Literal(port))
                )
                conn.execute(
                    sql.SQL(
                        "CREATE USER MAPPING FOR CURRENT_USER SERVER {} OPTIONS (user {})"
                    ).format(sql.Identifier(name), sql.Literal(self.user))
                )
