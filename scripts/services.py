"""Throwaway Redis, PostgreSQL and nginx on loopback, for the deployment tests and soak.

Each is Debian's real server, started in a temporary directory, listening on 127.0.0.1 (or a
Unix socket) only, and removed with its data when stopped. A missing binary raises
`MissingBinary` naming the Debian package to install (`make services` installs them).

Usage:
    with Redis() as redis, PostgreSQL() as pg, Nginx(upstreams=[8001, 8002]) as nginx:
        redis.url     # redis+unix:///tmp/.../redis.sock
        pg.url        # postgresql://wegwijzer@127.0.0.1:54321/wegwijzer
        nginx.url     # http://127.0.0.1:8080 (the deploy/ proxy settings in front of 8001, 8002)
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Self

from scripts.loadtools import HOST, ROOT, free_port

PROXY_SNIPPET = ROOT / "deploy" / "nginx" / "wegwijzer-proxy.conf"


class MissingBinary(RuntimeError):
    """A server binary is not installed; the message names the Debian package."""


def find_binary(name: str, package: str, *, candidates: Sequence[str] = ()) -> str:
    """The path of `name` (on PATH or among `candidates`, glob patterns).

    Raises:
        MissingBinary: not installed.
    """
    for pattern in candidates:
        for found in sorted(glob.glob(pattern), reverse=True):
            if os.access(found, os.X_OK):
                return found
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if found:
        return found
    raise MissingBinary(
        f"{name} is not installed: install Debian's `{package}` (apt-get install {package}, "
        "or `make services`)"
    )


def _wait_until(ready: Callable[[], bool], timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise RuntimeError(f"{what} did not start within {timeout:g} s\n{tail}")
        time.sleep(0.1)


def _port_open(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex((HOST, port)) == 0


class _Server:
    """A server process in its own temporary directory."""

    def __init__(self, name: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix=f"wegwijzer-{name}-"))
        self.log = self.dir / f"{name}.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None

    def _spawn(self, command: Sequence[str]) -> None:
        self._log_file = self.log.open("ab")
        self._process = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def alive(self) -> bool:
        """Whether the server process still runs."""
        return self._process is not None and self._process.poll() is None

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL) and remove its directory."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=15)
        self._process = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:  # pragma: no cover - every server defines it
        """Start the server and wait until it accepts connections."""
        raise NotImplementedError


class Redis(_Server):
    """redis-server on a Unix socket only (`--port 0`), no persistence."""

    def __init__(self) -> None:
        super().__init__("redis")
        self.socket = self.dir / "redis.sock"
        self.url = f"redis+unix://{self.socket}"

    def start(self) -> None:  # noqa: D102
        binary = find_binary("redis-server", "redis-server")
        self._spawn(
            [
                binary,
                "--port", "0",
                "--unixsocket", str(self.socket),
                "--unixsocketperm", "700",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.dir),
            ]
        )  # fmt: skip
        _wait_until(lambda: self.socket.exists(), 30, "redis-server", self.log)


class PostgreSQL(_Server):
    """A throwaway cluster (initdb + pg_ctl) on 127.0.0.1, trust authentication, no fsync.

    initdb refuses to run as root; as root, the cluster belongs to the `postgres` user (made by
    Debian's package) or else `nobody`, and its commands run through `runuser`.
    """

    def __init__(self, *, database: str = "wegwijzer", user: str = "wegwijzer") -> None:
        super().__init__("postgres")
        self.port = free_port()
        self.database = database
        self.user = user
        self.data = self.dir / "data"
        self.url = f"postgresql://{user}@{HOST}:{self.port}/{database}"
        self._as: list[str] = []

    def _bin(self, name: str) -> str:
        return find_binary(name, "postgresql", candidates=[f"/usr/lib/postgresql/*/bin/{name}"])

    def start(self) -> None:  # noqa: D102
        initdb, pg_ctl, postgres = (self._bin(n) for n in ("initdb", "pg_ctl", "postgres"))
        if os.geteuid() == 0:
            owner = next((u for u in ("postgres", "nobody") if _user_exists(u)), None)
            if owner is None:  # pragma: no cover - Debian always has nobody
                raise RuntimeError("no unprivileged user to run PostgreSQL as")
            entry = pwd.getpwnam(owner)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
            os.chown(self.log, entry.pw_uid, entry.pw_gid) if self.log.exists() else None
            self._as = [find_binary("runuser", "util-linux"), "-u", owner, "--"]
        self._run([initdb, "-D", str(self.data), "-U", self.user, "-A", "trust",
                   "-E", "UTF8", "--no-sync", "--no-instructions"])  # fmt: skip
        options = (
            f"-c listen_addresses={HOST} -p {self.port} -k {self.dir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        self._run([pg_ctl, "-D", str(self.data), "-l", str(self.dir / "server.log"),
                   "-o", options, "-w", "-t", "60", "start"])  # fmt: skip
        del postgres
        self._run([self._bin("createdb"), "-h", HOST, "-p", str(self.port), "-U", self.user,
                   self.database])  # fmt: skip

    def _run(self, command: list[str]) -> None:
        done = subprocess.run(
            [*self._as, *command], capture_output=True, text=True, timeout=120, cwd=self.dir
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{Path(command[0]).name} failed ({done.returncode}): {done.stderr[-2000:]}"
            )

    def stop(self) -> None:  # noqa: D102
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError, MissingBinary, subprocess.TimeoutExpired):
                self._run([self._bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w",
                           "stop"])  # fmt: skip
        super().stop()


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class Nginx(_Server):
    """nginx on 127.0.0.1 in front of `upstreams` (ports), with the shipped proxy settings.

    The settings are `deploy/nginx/wegwijzer-proxy.conf`: the file the production site includes.
    """

    def __init__(self, upstreams: Sequence[int], *, port: int | None = None) -> None:
        super().__init__("nginx")
        self.upstreams = list(upstreams)
        self.port = port or free_port()
        self.url = f"http://{HOST}:{self.port}"

    def config(self) -> str:
        """The test's nginx.conf: an upstream named as in production, the shipped snippet."""
        servers = "\n".join(f"        server {HOST}:{p};" for p in self.upstreams)
        temp = self.dir
        return f"""daemon off;
worker_processes 1;
pid {temp}/nginx.pid;
error_log {self.log} warn;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    upstream wegwijzer {{
{servers}
        keepalive 16;
    }}
    server {{
        listen {HOST}:{self.port};
        include {PROXY_SNIPPET};
    }}
}}
"""

    def start(self) -> None:  # noqa: D102
        binary = find_binary("nginx", "nginx")
        self.dir.chmod(0o755)  # as root, nginx's workers run as nobody and need their temp dirs
        conf = self.dir / "nginx.conf"
        conf.write_text(self.config(), encoding="utf-8")
        check = subprocess.run(
            [binary, "-t", "-q", "-c", str(conf), "-e", str(self.log)],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        if check.returncode != 0:
            raise RuntimeError(f"nginx refused the configuration: {check.stderr}")
        self._spawn([binary, "-c", str(conf), "-e", str(self.log)])
        _wait_until(lambda: _port_open(self.port), 30, "nginx", self.log)
