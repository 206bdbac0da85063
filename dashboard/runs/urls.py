"""URLs of the run pages and the JSON API."""

from django.urls import path

from dashboard.runs import api, views

app_name = "runs"

urlpatterns = [
    path("", views.run_list, name="list"),
    path("runs/new", views.run_new, name="new"),
    path("runs/<str:slug>/", views.run_detail, name="detail"),
    path("runs/<str:slug>/cancel", views.run_cancel, name="cancel"),
    path("runs/<str:slug>/events.jsonl", views.run_events_jsonl, name="events-jsonl"),
    path("api/runs", api.runs_create, name="api-create"),
    path("api/runs/<str:slug>", api.run_read, name="api-read"),
    path("api/runs/<str:slug>/events", api.run_events, name="api-events"),
    path("api/runs/<str:slug>/cancel", api.run_cancel, name="api-cancel"),
]
