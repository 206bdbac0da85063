"""URL configuration: pages, the JSON API and static files."""

from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve

urlpatterns = [
    path("", include("dashboard.runs.urls")),
    # Daphne serves no static files itself, so Django serves the few files
    # of the static folder (a stylesheet and the run page's script).
    re_path(
        r"^static/(?P<path>.*)$",
        serve,
        {"document_root": settings.STATICFILES_DIRS[0]},
    ),
]
