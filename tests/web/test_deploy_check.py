"""Production settings pass Django's deployment checks."""

import os
import secrets
import subprocess
import sys

from tests.web.processes import ROOT


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key not in ("SECRET_KEY", "REDIS_URL")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_in_production() -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        PRODUCTION="1",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="quorumscope.example",
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_requires_secret_key() -> None:
    result = manage("check", PRODUCTION="1", ALLOWED_HOSTS="quorumscope.example")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_development_settings_fail_deploy_check() -> None:
    """The deploy check can fail: the development defaults do not pass it."""
    result = manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode != 0
