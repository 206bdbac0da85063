"""Fixtures that run the real parts: Redis, PostgreSQL, Daphne and Celery.

Each service is a subprocess on a free port with its output in a log file
under the test's temporary folder; every wait has a timeout and every
process is stopped at teardown. Redis is a private ``redis-server`` when
the binary is installed (so tests never share queues with anything else),
else the server on 127.0.0.1:6379. The Celery tests use a fresh PostgreSQL
database on 127.0.0.1:5432 when that server accepts connections, else a
SQLite file shared by Daphne and the worker.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
START_TIMEOUT_S = 30


# Ports of QS_TEST_PORTS already returned, which a server may not have bound
# yet.
_returned_ports: set[int] = set()


def free_port() -> int:
    """Return a free local port: the first in QS_TEST_PORTS ("low-high",
    inclusive) that binds and was not returned before, when it is set, else
    one the OS picks."""
    ports = os.environ.get("QS_TEST_PORTS")
    if not ports:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]
    low, _, high = ports.partition("-")
    for port in range(int(low), int(high or low) + 1):
        if port in _returned_ports:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _returned_ports.add(port)
        return port
    raise RuntimeError(f"no free port in QS_TEST_PORTS={ports}; widen the range")


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_for(condition, what: str, timeout: float = START_TIMEOUT_S) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def stop_process(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """Stop ``process`` and its process group: SIGTERM, then SIGKILL."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout)
    else:
        # The leader is gone; end any children it left in its group.
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start ``args`` in its own process group with output to ``log``."""
    with open(log, "wb") as out:
        return subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def start_redis(folder: Path) -> tuple[str, subprocess.Popen[bytes] | None]:
    """Start a private redis-server, else fall back to 127.0.0.1:6379."""
    server = shutil.which("redis-server")
    if server is None:
        if not port_open(6379):
            raise RuntimeError("no redis-server installed and none on 127.0.0.1:6379")
        return "redis://127.0.0.1:6379/0", None
    port = free_port()
    args = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    args += ["--appendonly", "no", "--dir", str(folder)]
    process = spawn(args, dict(os.environ), folder / "redis.log")
    try:
        wait_for(lambda: port_open(port), "redis-server")
    except TimeoutError:
        stop_process(process)
        raise
    return f"redis://127.0.0.1:{port}/0", process


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url, process = start_redis(tmp_path_factory.mktemp("redis"))
    yield url
    if process is not None:
        stop_process(process)


def postgres_available() -> bool:
    if not port_open(5432):
        return False
    import psycopg

    try:
        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/test", connect_timeout=3
        ):
            return True
    except psycopg.Error:
        return False


@contextlib.contextmanager
def new_postgres_database() -> Iterator[str]:
    """Create a PostgreSQL database with a random name; drop it on exit."""
    import psycopg

    name = f"quorumscope_test_{secrets.token_hex(6)}"
    admin = "postgresql://postgres@127.0.0.1:5432/test"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def shared_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database for processes: a new PostgreSQL one, else a SQLite file."""
    if not postgres_available():
        path = tmp_path_factory.mktemp("db") / "runs.sqlite3"
        yield f"sqlite:///{path}"
        return
    with new_postgres_database() as url:
        yield url


@pytest.fixture(scope="module")
def postgres_database_url() -> Iterator[str]:
    """A new PostgreSQL database on 127.0.0.1:5432, dropped at the end.

    Skips the test when that server does not accept connections: behaviour
    that only PostgreSQL shows cannot be tested on SQLite.
    """
    if not postgres_available():
        pytest.skip(
            "PostgreSQL is not reachable as postgres@127.0.0.1:5432/test; "
            "this test needs a real PostgreSQL server"
        )
    with new_postgres_database() as url:
        yield url


def process_env(database_url: str, redis_url: str | None) -> dict[str, str]:
    """Environment of a Daphne or Celery process under test."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "QS_"))
        and key not in ("REDIS_URL", "PRODUCTION")
    }
    env.update(
        DATABASE_URL=database_url,
        PYTHONPATH=str(ROOT),
        QS_HEARTBEAT_S="0.2",
        QS_STALE_S="2",
        QS_REAPER_INTERVAL_S="0.5",
        QS_RUNS_PER_MINUTE="1000",
        QS_EVENTS_MAX="400000",
    )
    if redis_url is not None:
        env["REDIS_URL"] = redis_url
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )


@dataclass
class Server:
    """A running Daphne server: its base URLs and process."""

    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"


def start_daphne(env: dict[str, str], folder: Path) -> Server:
    port = free_port()
    log = folder / "daphne.log"
    args = [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    process = spawn(args + ["dashboard.asgi:application"], env, log)
    server = Server(port, process, log)
    try:
        wait_for(lambda: port_open(port) or process.poll() is not None, "daphne")
    except TimeoutError:
        stop_process(process)
        raise
    if process.poll() is not None:
        raise RuntimeError(f"daphne exited at start:\n{log.read_text()}")
    return server


def start_worker(env: dict[str, str], folder: Path) -> subprocess.Popen[bytes]:
    """Start a Celery worker (prefork, one child) and wait until it is ready."""
    log = folder / f"worker-{secrets.token_hex(3)}.log"
    args = [PYTHON, "-m", "celery", "-A", "dashboard", "worker", "--pool=prefork"]
    args += [
        "--concurrency=1",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
    ]
    process = spawn(args, env, log)
    try:
        wait_for(
            lambda: b"ready." in log.read_bytes() or process.poll() is not None,
            "the Celery worker",
        )
    except TimeoutError:
        stop_process(process)
        raise
    if process.poll() is not None:
        raise RuntimeError(f"celery worker exited at start:\n{log.read_text()}")
    return process


@pytest.fixture(scope="module")
def embedded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Daphne in embedded mode: SQLite file, in-memory layer, runner thread."""
    folder = tmp_path_factory.mktemp("embedded")
    env = process_env(f"sqlite:///{folder / 'runs.sqlite3'}", None)
    migrate(env)
    server = start_daphne(env, folder)
    yield server
    stop_process(server.process)


@pytest.fixture(scope="module")
def celery_env(shared_database_url: str, redis_url: str) -> dict[str, str]:
    env = process_env(shared_database_url, redis_url)
    migrate(env)
    return env


@pytest.fixture(scope="module")
def celery_server(
    celery_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """Daphne with Redis and the shared database, without a worker."""
    server = start_daphne(celery_env, tmp_path_factory.mktemp("celery"))
    yield server
    stop_process(server.process)
