"""Websocket routing of runs, behind an origin check for browsers."""

from channels.security.websocket import OriginValidator
from django.conf import settings
from django.urls import path

from dashboard.runs.consumers import RunConsumer

websocket_urlpatterns = [
    path("ws/runs/<str:slug>/", RunConsumer.as_asgi()),
]


class BrowserOriginValidator(OriginValidator):
    """Rejects a cross-site browser; lets in clients that send no Origin.

    Browsers always send an Origin header, so checking it against
    ALLOWED_HOSTS stops other sites' pages from opening the stream; scripts
    and the benchmark send none, and a run's stream is public anyway.
    """

    def valid_origin(self, parsed_origin):  # type: ignore[no-untyped-def]
        if parsed_origin is None:
            return True
        return self.validate_origin(parsed_origin)


def origin_checked(application):  # type: ignore[no-untyped-def]
    """Wrap ``application`` in a BrowserOriginValidator for ALLOWED_HOSTS."""
    return BrowserOriginValidator(application, settings.ALLOWED_HOSTS)
