"""A redis-server of a test's own, on a free port, that the test may stop, hang and start again.

Never the shared Redis on 6379: outage tests stop and freeze their own.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO

import pytest
import redis

PORTS = range(6400, 6421)


def require_redis_server() -> str:
    """Return the path of redis-server; skip the test, saying why, when it is not installed."""
    path = shutil.which("redis-server")
    if path is None:
        pytest.skip(
            "redis-server is not installed (apt-get install redis-server): outage tests run their own"
        )
    return path


def free_port() -> int:
    for port in PORTS:
        with contextlib.closing(socket.socket()) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip(f"no free port in {PORTS.start}-{PORTS.stop - 1} for a redis-server of the test's own")


def claim_port() -> tuple[int, IO[str]]:
    """Return a free port and a lock on it that keeps every other test process off it until closed.

    A port that is merely free now may be taken by another test run on this machine (the two
    database passes of .ci/run run at once) while this server is stopped for a restart, and its
    server would then answer this test's pings.
    """
    for port in PORTS:
        lock = open(Path(tempfile.gettempdir()) / f"newsroom-test-port-{port}.lock", "w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            continue
        with contextlib.closing(socket.socket()) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                lock.close()
                continue
        return port, lock
    pytest.skip(f"no free port in {PORTS.start}-{PORTS.stop - 1} for a redis-server of the test's own")


class RedisServer:
    """A redis-server in ``directory``; with ``persistent`` every write is saved to an append-only file
    (fsync always) and read back when the server starts again, as a restarted production Redis does."""

    def __init__(self, directory: Path, persistent: bool = False) -> None:
        self.executable = require_redis_server()
        self.directory = directory
        self.persistent = persistent
        self.port, self._port_lock = claim_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def start(self) -> None:
        persistence = (
            ["--appendonly", "yes", "--appendfsync", "always", "--save", ""]
            if self.persistent
            else ["--appendonly", "no", "--save", ""]
        )
        self.process = subprocess.Popen(
            [
                self.executable,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--daemonize",
                "no",
                "--logfile",
                str(self.directory / "redis.log"),
                *persistence,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        """Shut the server down as an operator would (SIGTERM: it saves what it persists, then exits)."""
        if self.process is not None:
            self.resume()
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(10)
            self.process = None

    def hang(self) -> None:
        """Freeze the server (SIGSTOP): connections are accepted by the kernel, nothing is answered."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGCONT)

    def close(self) -> None:
        if self.process is not None:
            self.resume()
            self.process.kill()
            self.process.wait(10)
            self.process = None
        self._port_lock.close()
