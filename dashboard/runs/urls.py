"""URLs of the run pages and the JSON API.

A run's slug is ``secrets.token_urlsafe(12)``: 16 characters of the URL-safe
base64 alphabet. The ``run`` converter matches only that alphabet (and at
most the slug column's 32 characters). So a path containing anything else,
such as a NUL byte that PostgreSQL cannot store in a text value, is a 404
before any view runs or any query is made.
"""

from django.urls import path, register_converter

from dashboard.runs import api, views
from dashboard.runs.selectors import SLUG_PATTERN


class RunSlugConverter:
    regex = SLUG_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(RunSlugConverter, "run")

app_name = "runs"

urlpatterns = [
    path("", views.run_list, name="list"),
    path("runs/new", views.run_new, name="new"),
    path("runs/<run:slug>/", views.run_detail, name="detail"),
    path("runs/<run:slug>/cancel", views.run_cancel, name="cancel"),
    path("runs/<run:slug>/events.jsonl", views.run_events_jsonl, name="events-jsonl"),
    path("api/runs", api.runs_create, name="api-create"),
    path("api/runs/<run:slug>", api.run_read, name="api-read"),
    path("api/runs/<run:slug>/events", api.run_events, name="api-events"),
    path("api/runs/<run:slug>/cancel", api.run_cancel, name="api-cancel"),
]
