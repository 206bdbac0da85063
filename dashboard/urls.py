"""URL configuration: pages, the JSON API and static files."""

from importlib.resources import files

from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve

# plotly.js ships inside the pinned plotly package, so it is served from
# there instead of being copied into static/.
PLOTLY_JS_DIR = files("plotly") / "package_data"

urlpatterns = [
    path("", include("dashboard.runs.urls")),
    re_path(
        r"^static/vendor/(?P<path>plotly\.min\.js)$",
        serve,
        {"document_root": str(PLOTLY_JS_DIR)},
    ),
    # Daphne serves no static files itself, so Django serves the few files
    # of the static folder (stylesheets and the run page's scripts).
    re_path(
        r"^static/(?P<path>.*)$",
        serve,
        {"document_root": settings.STATICFILES_DIRS[0]},
    ),
]
