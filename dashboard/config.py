"""Configuration of the web app, read from environment variables here only.

Every knob the dashboard has is an environment variable, read once into a
frozen :class:`Config` when the settings module loads. Without
``REDIS_URL`` the app runs embedded: SQLite, an in-memory channel layer and
a runner thread inside the ASGI process. With ``REDIS_URL`` it uses Redis
for the channel layer, the Celery broker and the live event logs, and
``DATABASE_URL`` (PostgreSQL in the Compose set-up) for everything stored.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

# Only for development: production refuses to start without SECRET_KEY.
DEVELOPMENT_SECRET_KEY = "django-insecure-quorumscope-development-only"


@dataclass(frozen=True, slots=True)
class Config:
    """Settings of one process, parsed and checked from the environment."""

    production: bool
    debug: bool
    secret_key: str
    allowed_hosts: tuple[str, ...]
    csrf_trusted_origins: tuple[str, ...]
    database_url: str
    redis_url: str | None
    # Reverse proxies in front of the app whose X-Forwarded-For is trusted.
    trusted_proxies: int
    # Limits on the scenarios the server accepts.
    n_max: int
    time_ms_max: int
    events_max: int
    heights_max: int
    # Admission control.
    runs_per_minute: int
    queued_runs_max: int
    # Execution: Celery time limits, liveness of running runs, batching.
    soft_time_limit_s: int
    hard_time_limit_s: int
    heartbeat_s: float
    stale_s: float
    reaper_interval_s: float
    redispatch_s: float
    batch_events: int
    batch_ms: float

    @property
    def embedded(self) -> bool:
        """True when runs execute in a thread of the ASGI process."""
        return self.redis_url is None


def load_config(environ: Mapping[str, str] = os.environ) -> Config:
    """Build a :class:`Config` from ``environ``; raise on invalid values."""
    production = _flag(environ, "PRODUCTION", False)
    secret_key = environ.get("SECRET_KEY", "")
    if production and not secret_key:
        raise ImproperlyConfigured("SECRET_KEY must be set when PRODUCTION=1")
    default_hosts = "" if production else "127.0.0.1,localhost,[::1]"
    default_database = f"sqlite:///{BASE_DIR / 'var' / 'quorumscope.sqlite3'}"
    return Config(
        production=production,
        debug=_flag(environ, "DEBUG", False) and not production,
        secret_key=secret_key or DEVELOPMENT_SECRET_KEY,
        allowed_hosts=_list(environ.get("ALLOWED_HOSTS", default_hosts)),
        csrf_trusted_origins=_list(environ.get("CSRF_TRUSTED_ORIGINS", "")),
        database_url=environ.get("DATABASE_URL", default_database),
        redis_url=environ.get("REDIS_URL") or None,
        trusted_proxies=_integer(environ, "QS_TRUSTED_PROXIES", 0, minimum=0),
        n_max=_integer(environ, "QS_N_MAX", 256),
        time_ms_max=_integer(environ, "QS_TIME_MS_MAX", 600_000),
        events_max=_integer(environ, "QS_EVENTS_MAX", 2_000_000),
        heights_max=_integer(environ, "QS_HEIGHTS_MAX", 10_000),
        runs_per_minute=_integer(environ, "QS_RUNS_PER_MINUTE", 30),
        queued_runs_max=_integer(environ, "QS_QUEUED_RUNS_MAX", 50),
        soft_time_limit_s=_integer(environ, "QS_SOFT_TIME_LIMIT_S", 600),
        hard_time_limit_s=_integer(environ, "QS_HARD_TIME_LIMIT_S", 660),
        heartbeat_s=_number(environ, "QS_HEARTBEAT_S", 1.0),
        stale_s=_number(environ, "QS_STALE_S", 30.0),
        reaper_interval_s=_number(environ, "QS_REAPER_INTERVAL_S", 5.0),
        redispatch_s=_number(environ, "QS_REDISPATCH_S", 60.0),
        batch_events=_integer(environ, "QS_BATCH_EVENTS", 2000),
        batch_ms=_number(environ, "QS_BATCH_MS", 20.0),
    )


def _flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    value = environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is invalid; use 1 or 0")


def _integer(
    environ: Mapping[str, str], name: str, default: int, minimum: int = 1
) -> int:
    value = environ.get(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None
    if number < minimum:
        raise ImproperlyConfigured(
            f"{name}={number} is invalid; it must be >= {minimum}"
        )
    return number


def _number(environ: Mapping[str, str], name: str, default: float) -> float:
    value = environ.get(name)
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number") from None
    if not number > 0:
        raise ImproperlyConfigured(f"{name}={number} is invalid; it must be > 0")
    return number


def _list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())
