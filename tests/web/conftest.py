"""Test set-up of the dashboard: Django in-process, services as processes.

In-process tests (forms, API validation, consumers, services) run Django
configured from this environment in embedded mode: no REDIS_URL, the test
database that pytest-django creates. End-to-end tests start real
processes instead; see :mod:`tests.web.processes`.
"""

import os

import django

os.environ.pop("REDIS_URL", None)
os.environ["DATABASE_URL"] = "sqlite:///:memory:"
os.environ.pop("PRODUCTION", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "dashboard.settings"
django.setup()

from tests.web.processes import (  # noqa: E402, F401  (fixtures)
    celery_env,
    celery_server,
    embedded_server,
    postgres_database_url,
    redis_url,
    shared_database_url,
)
