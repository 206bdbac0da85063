"""docker-compose.yml and the Dockerfile, checked and run on the host.

The static tests read both files and check how they are wired: healthy
dependencies, migrations before serving, loopback-only ports, and an image
that copies files present in the repository and installs pinned packages
from requirements.txt.

The stack tests start what docker-compose.yml describes as host processes,
in the order its ``depends_on`` gives. PostgreSQL is a private server set up
from the postgres service's environment. Redis, web and worker run their
services' commands, the last two with the file's app environment. Every
service hostname maps to 127.0.0.1 and every container port to a free
private port. Each service must pass its own healthcheck, and a PBFT run
submitted through the API must reach ``done`` through the worker.

NOTE: these tests run without a Docker engine, so the image build, the base
images and the container network (hostnames, HOSTNAME, published ports) go
unchecked, and the host's .venv replaces the image's Python packages.
"""

from __future__ import annotations

import ast
import contextlib
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
import yaml

from tests.web.processes import (
    ROOT,
    free_port,
    port_open,
    spawn,
    stop_process,
    wait_for,
)
from tests.web.streamclient import get_json, post_json

COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
REQUIREMENTS = ROOT / "requirements.txt"
VENV_BIN = Path(sys.executable).parent

# Ports the official images listen on inside their containers.
IMAGE_PORTS = {"postgres": 5432, "redis": 6379}
# Upper bound on waiting for one healthcheck, whatever the file allows.
HEALTHY_TIMEOUT_S = 40.0
RUN_TIMEOUT_S = 30.0
FINAL_STATUSES = {"done", "failed", "cancelled"}
PINNED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9_,-]+\])?==[\w.+!-]+$")


# Reading docker-compose.yml


VARIABLE = re.compile(r"\$(?:(\$)|\{(\w+)(?:(:?[-?])([^}]*))?\}|(\w+))")


def interpolate(text: str, variables: dict[str, str]) -> str:
    """Substitute Compose variables in ``text`` as ``docker compose`` does.

    ``$$`` is a literal ``$``, and ``${NAME:-default}`` and
    ``${NAME-default}`` fall back to the default. Raises ValueError for a
    variable that is unset and has no default, where Compose would warn and
    substitute an empty string.
    """

    def replace(match: re.Match[str]) -> str:
        escaped, braced, operator, default, bare = match.groups()
        if escaped:
            return "$"
        name = braced or bare
        value = variables.get(name)
        if operator == ":-" and not value:
            return default
        if operator == "-" and value is None:
            return default
        if operator in (":?", "?"):
            form = f"${{{name}{operator}...}}"
            raise ValueError(f"{form} is not supported here, so use ${{{name}:-...}}")
        if value is None:
            raise ValueError(f"{name} has no default, so write ${{{name}:-value}}")
        return value

    return VARIABLE.sub(replace, text)


def interpolate_all(node: Any, variables: dict[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, variables)
    if isinstance(node, list):
        return [interpolate_all(item, variables) for item in node]
    if isinstance(node, dict):
        return {key: interpolate_all(value, variables) for key, value in node.items()}
    return node


def load_compose() -> dict[str, Any]:
    """Parse docker-compose.yml with variables at their defaults."""
    document = yaml.safe_load(COMPOSE_FILE.read_text())
    return interpolate_all(document, {})


def environment_of(service: dict[str, Any]) -> dict[str, str]:
    """Return a service's ``environment`` as a dict, from either syntax."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        return dict(item.split("=", 1) for item in raw)
    return {key: "" if value is None else str(value) for key, value in raw.items()}


def command_of(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def healthcheck_argv(service: dict[str, Any]) -> list[str] | None:
    """Return the argv of a service's healthcheck ``test``, or None."""
    test = service.get("healthcheck", {}).get("test")
    if test is None or test == ["NONE"]:
        return None
    if isinstance(test, str):
        return ["/bin/sh", "-c", test]
    if test[0] == "CMD":
        return list(test[1:])
    if test[0] == "CMD-SHELL":
        return ["/bin/sh", "-c", test[1]]
    raise ValueError(f"healthcheck test {test!r} starts with neither CMD nor CMD-SHELL")


def duration_s(text: str) -> float:
    """Parse a Compose duration such as ``5s``, ``1m30s`` or ``500ms``."""
    units = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, "us": 1e-6}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|h|m|s)", text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        raise ValueError(f"invalid duration {text!r}, expected e.g. 5s or 1m30s")
    return sum(float(number) * units[unit] for number, unit in parts)


def image_of(service: dict[str, Any]) -> str:
    """Return the image name of a service without its tag."""
    return str(service.get("image", "")).split(":")[0]


def container_port(service: dict[str, Any]) -> int | None:
    """Return the port a service listens on inside its container."""
    if image_of(service) in IMAGE_PORTS:
        return IMAGE_PORTS[image_of(service)]
    ports = service.get("ports") or []
    if not ports:
        return None
    if isinstance(ports[0], dict):
        return int(ports[0]["target"])
    return int(str(ports[0]).rsplit(":", 1)[-1].split("/")[0])


def start_order(services: dict[str, Any]) -> list[str]:
    """Return service names so that each comes after its ``depends_on``."""
    order: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in order:
            return
        if name in path:
            raise ValueError(f"depends_on cycle: {' -> '.join(path + (name,))}")
        for dependency in services[name].get("depends_on") or []:
            visit(dependency, path + (name,))
        order.append(name)

    for name in services:
        visit(name, ())
    return order


# Reading the Dockerfile


def dockerfile_instructions() -> list[tuple[str, str]]:
    """Return (INSTRUCTION, arguments) pairs with continuation lines joined."""
    instructions = []
    logical = ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if not logical and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            logical += stripped[:-1] + " "
            continue
        logical += stripped
        keyword, _, arguments = logical.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        logical = ""
    return instructions


def instruction_argv(arguments: str) -> list[str]:
    """Split exec form (a JSON array) or shell form into words."""
    if arguments.startswith("["):
        return list(ast.literal_eval(arguments))
    return shlex.split(arguments)


def dockerfile_environment() -> dict[str, str]:
    """Return the variables the Dockerfile's ENV instructions set."""
    env = {}
    for keyword, arguments in dockerfile_instructions():
        if keyword != "ENV":
            continue
        words = shlex.split(arguments)
        if "=" not in words[0]:
            # The legacy form ENV NAME value, where the value may contain spaces.
            env[words[0]] = " ".join(words[1:])
            continue
        env.update(word.split("=", 1) for word in words)
    return env


def requirement_names(path: Path) -> dict[str, str]:
    """Map normalized distribution names in ``path`` to their lines."""
    names = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            names[distribution_name(line)] = line
    return names


def distribution_name(requirement: str) -> str:
    """Return the normalized distribution name of a requirement."""
    return normalize(re.split(r"[\[=<>~!; ]", requirement, maxsplit=1)[0])


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# Static checks of docker-compose.yml


def test_depends_on_waits_for_healthy() -> None:
    services = load_compose()["services"]

    for name, service in services.items():
        depends_on = service.get("depends_on") or {}
        if isinstance(depends_on, list):
            depends_on = {dependency: {} for dependency in depends_on}
        for dependency, options in depends_on.items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            if "healthcheck" in services[dependency]:
                condition = options.get("condition")
                assert condition == "service_healthy", (name, dependency, condition)
    assert start_order(services)


def web_script() -> str:
    """Return the shell script of the web service's ``sh -c`` command."""
    command = command_of(load_compose()["services"]["web"])
    assert command[:2] == ["sh", "-c"], command
    return command[2]


def test_web_command_migrates_before_serving() -> None:
    script = web_script()
    steps = [step.strip() for step in script.split("&&")]
    migrate = [i for i, step in enumerate(steps) if "manage.py migrate" in step]
    serve = [i for i, step in enumerate(steps) if re.search(r"\bdaphne\b", step)]

    # A separator other than && would serve even when migrating failed.
    assert not re.search(r";|\|\||(?<!&)&(?!&)", script), script
    assert len(migrate) == 1, steps
    assert len(serve) == 1, steps
    assert migrate[0] < serve[0], steps
    assert steps[serve[0]].startswith("exec "), "without exec, sh gets the stop signal"


def test_ports_bind_to_loopback() -> None:
    services = load_compose()["services"]
    published = [
        (name, port) for name, s in services.items() for port in s.get("ports", [])
    ]

    assert published
    for name, port in published:
        if isinstance(port, dict):
            host_ip = port.get("host_ip")
        else:
            parts = str(port).split(":")
            host_ip = parts[0] if len(parts) == 3 else None
        assert host_ip == "127.0.0.1", f"{name} publishes {port!r} beyond loopback"


def test_web_listens_on_published_port() -> None:
    web = load_compose()["services"]["web"]
    port = container_port(web)
    healthcheck = " ".join(healthcheck_argv(web) or [])

    assert re.search(rf"\bdaphne\b.*(-p|--port)[ =]{port}\b", web_script())
    assert f"127.0.0.1:{port}/" in healthcheck


def test_app_urls_point_at_services() -> None:
    services = load_compose()["services"]
    postgres = environment_of(services["postgres"])
    for name in ("web", "worker"):
        env = environment_of(services[name])
        database = urlsplit(env["DATABASE_URL"])
        redis = urlsplit(env["REDIS_URL"])

        assert (database.hostname, database.port) == ("postgres", 5432), name
        assert database.username == postgres["POSTGRES_USER"], name
        assert database.password == postgres["POSTGRES_PASSWORD"], name
        assert database.path == "/" + postgres["POSTGRES_DB"], name
        assert (redis.hostname, redis.port) == ("redis", 6379), name


def test_built_services_have_dockerfile() -> None:
    services = load_compose()["services"]
    built = {name: s["build"] for name, s in services.items() if "build" in s}

    assert set(built) == {"web", "worker"}
    for name, build in built.items():
        context = build if isinstance(build, str) else build.get("context", ".")
        dockerfile = "Dockerfile"
        if isinstance(build, dict):
            dockerfile = build.get("dockerfile", dockerfile)
        assert (ROOT / context / dockerfile).is_file(), name


# Static checks of the Dockerfile


def test_dockerfile_copies_existing_paths() -> None:
    copies = [args for keyword, args in dockerfile_instructions() if keyword == "COPY"]

    assert copies
    for arguments in copies:
        words = [w for w in instruction_argv(arguments) if not w.startswith("--")]
        for source in words[:-1]:
            assert (ROOT / source).exists(), f"COPY {source}: not in the repository"


def test_dockerfile_installs_only_requirements() -> None:
    copied: set[str] = set()
    installs = 0
    for keyword, arguments in dockerfile_instructions():
        if keyword == "COPY":
            copied.update(instruction_argv(arguments)[:-1])
        if keyword != "RUN":
            continue
        for step in arguments.split("&&"):
            words = shlex.split(step)
            if "pip" not in words or "install" not in words:
                continue
            installs += 1
            targets = words[words.index("install") + 1 :]
            if "-r" in targets:
                requirement = targets[targets.index("-r") + 1]
                assert requirement == "requirements.txt", step
                assert requirement in copied, f"{requirement} is not copied yet"
            else:
                # The project itself, whose dependencies come from -r.
                assert "--no-deps" in targets, step
                assert [t for t in targets if not t.startswith("-")] == ["."], step

    assert installs == 2


def test_requirements_are_pinned() -> None:
    lines = [
        line.strip()
        for line in REQUIREMENTS.read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]

    assert lines
    for line in lines:
        assert PINNED.match(line), f"requirements.txt: {line!r} is not name==version"


def test_project_dependencies_in_requirements() -> None:
    """``pip install --no-deps .`` relies on requirements.txt for these."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    expected = list(project["dependencies"])
    expected += project.get("optional-dependencies", {}).get("web", [])
    pinned = requirement_names(REQUIREMENTS)

    for dependency in expected:
        name = distribution_name(dependency)
        assert pinned.get(name) == dependency, f"{dependency} vs {pinned.get(name)}"


def image_commands() -> list[tuple[str, list[str]]]:
    """Return the commands the image runs: its CMD and the services' commands."""
    commands = []
    for keyword, arguments in dockerfile_instructions():
        if keyword in ("CMD", "ENTRYPOINT"):
            commands.append((keyword, instruction_argv(arguments)))
    services = load_compose()["services"]
    for step in web_script().split("&&"):
        commands.append(("web", shlex.split(step.strip().removeprefix("exec "))))
    commands.append(("worker", command_of(services["worker"])))
    return commands


@pytest.mark.parametrize(
    "source,argv",
    [
        pytest.param(source, argv, id=f"{source}-{argv[0]}")
        for source, argv in image_commands()
    ],
)
def test_image_command_exists(source: str, argv: list[str]) -> None:
    program = argv[0]
    requirements = requirement_names(REQUIREMENTS)

    if program == "python":
        # The base image provides python, and the repository the script.
        assert (ROOT / argv[1]).is_file(), f"{source}: {argv[1]} not found"
    else:
        scripts = entry_points(group="console_scripts", name=program)
        distributions = {normalize(script.dist.name) for script in scripts}
        assert distributions & set(requirements), f"{source}: {program} not installed"
    if "-A" in argv:
        app = ROOT / argv[argv.index("-A") + 1].replace(".", "/")
        assert app.is_dir() or app.with_suffix(".py").is_file(), f"{source}: -A {app}"
    for word in argv:
        if re.fullmatch(r"[\w.]+:\w+", word):
            module, attribute = word.split(":")
            path = ROOT / (module.replace(".", "/") + ".py")
            tree = ast.parse(path.read_text())
            names = {
                target.id
                for node in ast.walk(tree)
                if isinstance(node, ast.Assign)
                for target in node.targets
                if isinstance(target, ast.Name)
            }
            assert attribute in names, f"{source}: {word} not defined"


# The stack, run on the host


@dataclass
class Healthcheck:
    """A service's healthcheck ``test`` as run on the host."""

    argv: list[str]
    env: dict[str, str]
    timeout_s: float

    def missing_program(self) -> str | None:
        """Return the program the check runs when this host lacks it."""
        shell = self.argv[:2] == ["/bin/sh", "-c"]
        program = shlex.split(self.argv[2])[0] if shell else self.argv[0]
        return None if shutil.which(program, path=self.env["PATH"]) else program

    def run(self) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(
                self.argv,
                cwd=ROOT,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=self.timeout_s,
            )
        except subprocess.TimeoutExpired as error:
            message = f"timed out after {error.timeout} s"
            return subprocess.CompletedProcess(self.argv, -1, "", message)


@dataclass
class Service:
    """One compose service running as a host process on a private port."""

    name: str
    port: int | None
    process: subprocess.Popen[bytes]
    log: Path
    healthcheck: Healthcheck | None


Ports = dict[tuple[str, int], int]


def rewrite_addresses(text: str, ports: Ports) -> str:
    """Point each ``host:port`` of ``ports`` in ``text`` at its private port."""
    for (host, port), private in ports.items():
        pattern = rf"(?<![\w.-]){re.escape(host)}:{port}(?!\d)"
        text = re.sub(pattern, f"127.0.0.1:{private}", text)
    return text


def host_environment(service: dict[str, Any], ports: Ports) -> dict[str, str]:
    """Return a service's environment on the host, as its container has it."""
    env = {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
        # Docker sets HOSTNAME to the container's host name, which is also
        # the Celery node name that the worker's healthcheck pings.
        "HOSTNAME": socket.gethostname(),
    }
    if "build" in service:
        env.update(dockerfile_environment())
    for key, value in environment_of(service).items():
        env[key] = rewrite_addresses(value, ports)
    return env


def host_healthcheck(
    name: str, service: dict[str, Any], ports: Ports, env: dict[str, str]
) -> Healthcheck | None:
    """Return a service's healthcheck aimed at its private server.

    Inside its container a healthcheck reaches the service on localhost at
    the container port, which pg_isready and redis-cli use by default. On
    the host those defaults reach the machine's own servers, so the private
    address is given explicitly.
    """
    argv = healthcheck_argv(service)
    port = container_port(service)
    if argv is None:
        return None
    env = dict(env)
    if port is not None:
        private = ports[(name, port)]
        own = {**ports, ("127.0.0.1", port): private, ("localhost", port): private}
        argv = [rewrite_addresses(word, own) for word in argv]
        if image_of(service) == "postgres":
            env.update(PGHOST="127.0.0.1", PGPORT=str(private))
        if argv[0] == "redis-cli":
            argv[1:1] = ["-h", "127.0.0.1", "-p", str(private)]
    timing = service.get("healthcheck", {})
    return Healthcheck(argv, env, duration_s(timing.get("timeout", "30s")))


def healthy_budget_s(service: dict[str, Any]) -> float:
    """Return how long Docker waits before it calls the service unhealthy."""
    timing = service.get("healthcheck", {})
    start_s = duration_s(timing.get("start_period", "0s"))
    interval_s = duration_s(timing.get("interval", "30s"))
    return start_s + interval_s * int(timing.get("retries", 3))


def wait_healthy(running: Service, budget_s: float) -> None:
    """Run the healthcheck until it passes, or wait for the port without one."""
    check = running.healthcheck
    if check is None or check.missing_program() is not None:
        if running.port is not None:
            port = running.port
            wait_for(lambda: port_open(port), running.name)
        return
    # Polls every 0.5 s rather than at the file's interval, to keep it short.
    deadline = time.monotonic() + min(budget_s, HEALTHY_TIMEOUT_S)
    while True:
        result = check.run()
        if result.returncode == 0:
            return
        if running.process.poll() is not None or time.monotonic() > deadline:
            log = running.log.read_text(errors="replace")
            raise RuntimeError(
                f"{running.name} never passed its healthcheck: {result.stdout}"
                f"{result.stderr}\n{running.log.name}:\n{log}"
            )
        time.sleep(0.5)


def postgres_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda path: float(path.parts[-3]),
    )
    return str(versions[-1]) if versions else None


def postgres_owner() -> pwd.struct_passwd | None:
    """Return the postgres user when running as root, else None.

    initdb and postgres refuse to run as root.
    """
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root, and no postgres user to run PostgreSQL")


def accepts(url: str) -> bool:
    """Return True once the server at ``url`` accepts a session."""
    try:
        with psycopg.connect(url, connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


@contextlib.contextmanager
def postgres_server(
    service: dict[str, Any], port: int, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a private PostgreSQL server set up as the postgres image does.

    The image (docker-library/postgres, 14 and later) makes POSTGRES_USER
    the superuser with POSTGRES_PASSWORD and creates POSTGRES_DB. It trusts
    local connections and asks for the password (scram-sha-256) over TCP.
    """
    initdb, postgres = postgres_binary("initdb"), postgres_binary("postgres")
    if initdb is None or postgres is None:
        pytest.skip("PostgreSQL server binaries (initdb, postgres) are not installed")
    env = environment_of(service)
    user = env.get("POSTGRES_USER", "postgres")
    database = env.get("POSTGRES_DB", user)
    owner = postgres_owner()
    as_owner: dict[str, Any] = {"user": owner.pw_uid} if owner else {}
    folder = Path(tempfile.mkdtemp(prefix="quorumscope-compose-pg-"))
    try:
        password_file = folder / "password"
        password_file.write_text(env["POSTGRES_PASSWORD"])
        for path in (folder, password_file):
            if owner is not None:
                os.chown(path, owner.pw_uid, owner.pw_gid)
        data = str(folder / "data")
        initdb_args = [initdb, "-D", data, "-U", user, "-E", "UTF8", "--no-sync"]
        initdb_args += [f"--pwfile={password_file}", "--auth-local=trust"]
        initdb_args += ["--auth-host=scram-sha-256"]
        result = subprocess.run(
            initdb_args,
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=60,
            **as_owner,
        )
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{result.stdout}{result.stderr}")
        server_args = [postgres, "-D", data, "-p", str(port), "-k", str(folder)]
        server_args += ["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]
        with open(log, "wb") as out:
            process = subprocess.Popen(
                server_args,
                cwd=folder,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **as_owner,
            )
        try:
            password = env["POSTGRES_PASSWORD"]
            admin = f"postgresql://{user}:{password}@127.0.0.1:{port}/postgres"
            wait_for(lambda: accepts(admin) or process.poll() is not None, "postgres")
            if process.poll() is not None:
                raise RuntimeError(f"postgres exited at start:\n{log.read_text()}")
            with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
                if database != "postgres":
                    conn.execute(f'CREATE DATABASE "{database}"')
            yield process
        finally:
            # SIGINT is PostgreSQL's fast shutdown, which ends open sessions.
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(10)
            stop_process(process)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def host_command(name: str, service: dict[str, Any], ports: Ports) -> list[str]:
    """Return a service's command bound to 127.0.0.1 on its private port."""
    argv = command_of(service)
    port = container_port(service)
    if port is None:
        return argv
    private = ports[(name, port)]
    if image_of(service) == "redis":
        if shutil.which(argv[0]) is None:
            pytest.skip(f"{argv[0]} is not installed")
        return argv + ["--port", str(private), "--bind", "127.0.0.1"]
    rewritten = []
    for word in argv:
        word = re.sub(r"(?<![\w.])0\.0\.0\.0(?![\w.])", "127.0.0.1", word)
        word = re.sub(rf"(-p|--port)([ =]){port}\b", rf"\g<1>\g<2>{private}", word)
        rewritten.append(word)
    if rewritten == argv:
        message = f"{name}: command {argv!r} does not listen on port {port}"
        raise ValueError(f"{message}, so add -p {port} or --port {port}")
    return rewritten


def start_service(
    name: str,
    service: dict[str, Any],
    ports: Ports,
    folder: Path,
    exits: contextlib.ExitStack,
) -> Service:
    """Start one service and register its stop with ``exits``."""
    port = container_port(service)
    private = ports[(name, port)] if port is not None else None
    env = host_environment(service, ports)
    check = host_healthcheck(name, service, ports, env)
    log = folder / f"{name}.log"

    # Before the service starts, its healthcheck must fail, because a pass
    # would mean that it reached another server on this machine.
    if check is not None and check.missing_program() is None:
        before = check.run()
        assert before.returncode != 0, f"{name} passed its healthcheck unstarted"

    if image_of(service) == "postgres":
        assert private is not None
        process = exits.enter_context(postgres_server(service, private, log))
    else:
        process = spawn(host_command(name, service, ports), env, log)
        exits.callback(stop_process, process)
    return Service(name, private, process, log, check)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Service]]:
    """Start the compose services in dependency order, each one healthy."""
    services = load_compose()["services"]
    folder = tmp_path_factory.mktemp("compose")
    ports: Ports = {}
    for name, service in services.items():
        port = container_port(service)
        if port is not None:
            ports[(name, port)] = free_port()

    running: dict[str, Service] = {}
    with contextlib.ExitStack() as exits:
        for name in start_order(services):
            running[name] = start_service(name, services[name], ports, folder, exits)
            wait_healthy(running[name], healthy_budget_s(services[name]))
        yield running


def services_with_healthcheck() -> list[str]:
    services = load_compose()["services"]
    return [name for name, service in services.items() if "healthcheck" in service]


@pytest.mark.parametrize("name", services_with_healthcheck())
def test_healthcheck_passes_when_up(stack: dict[str, Service], name: str) -> None:
    check = stack[name].healthcheck
    assert check is not None
    missing = check.missing_program()
    if missing is not None:
        pytest.skip(f"{missing} is not installed on this host")

    result = check.run()

    assert result.returncode == 0, result.stdout + result.stderr


def test_run_completes_through_worker(stack: dict[str, Service]) -> None:
    web = stack["web"]
    scenario = {"protocol": "pbft", "n": 4}
    status, run = post_json(f"http://127.0.0.1:{web.port}/api/runs", scenario)
    assert status == 201, run

    deadline = time.monotonic() + RUN_TIMEOUT_S
    detail = get_json(run["api"])
    while detail["status"] not in FINAL_STATUSES and time.monotonic() < deadline:
        time.sleep(0.2)
        detail = get_json(run["api"])

    assert detail["status"] == "done", detail
    assert detail["event_count"] > 0
    assert detail["summary"]
    assert detail["scenario"]["protocol"] == "pbft"
    worker_log = stack["worker"].log
    succeeded = re.compile(rb"Task runs\.execute\[[\w-]+\] succeeded")
    wait_for(
        lambda: succeeded.search(worker_log.read_bytes()) is not None,
        "the worker to log the runs.execute task as succeeded",
        timeout=10,
    )
