"""A throwaway PostgreSQL server for the store's tests: its own cluster in a temporary folder,
reachable only through a Unix socket there, stopped (and the folder removed) at the end."""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path


def server_binaries() -> Path | None:
    """The folder of Debian's PostgreSQL server programs (initdb, postgres), the newest version."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


class PostgresServer:
    """initdb refuses to run as root, so as root the cluster belongs to the `postgres` account."""

    def __init__(self, binaries: Path):
        self.binaries = binaries
        self.folder = Path(tempfile.mkdtemp(prefix="mlkatas-pg-"))
        self.data = self.folder / "data"
        self.socket_dir = self.folder
        self._names = itertools.count()
        self._process: subprocess.Popen | None = None
        self._user = None
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            self._user = account.pw_uid
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        os.chmod(self.folder, 0o700)

    def _run(self, *args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, user=self._user)

    def start(self) -> None:
        self._run(str(self.binaries / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--no-sync")
        # no TCP, no durability: a test server that nothing else reaches and nobody keeps
        self._process = subprocess.Popen(
            [str(self.binaries / "postgres"), "-D", str(self.data), "-k", str(self.socket_dir),
             "-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off",
             "-c", "full_page_writes=off"],
            user=self._user, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while not (self.socket_dir / ".s.PGSQL.5432").exists():
            if self._process.poll() is not None:
                raise RuntimeError(f"PostgreSQL did not start: {self._process.stderr.read().decode()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError("PostgreSQL did not open its socket within 30 s")
            time.sleep(0.05)
        self._wait_ready(deadline)

    def _wait_ready(self, deadline: float) -> None:
        while True:
            ready = subprocess.run([str(self.binaries / "pg_isready"), "-h", str(self.socket_dir), "-U", "postgres"],
                                   capture_output=True)
            if ready.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise RuntimeError("PostgreSQL did not accept connections within 30 s")
            time.sleep(0.05)

    def new_database(self) -> str:
        """A fresh, empty database; its SQLAlchemy URL."""
        import psycopg

        name = f"t{os.getpid()}_{next(self._names)}"
        with psycopg.connect(f"host={self.socket_dir} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@/{name}?host={self.socket_dir}"

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGINT)  # "fast" shutdown: SIGTERM would wait for clients to leave
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)
