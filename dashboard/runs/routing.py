"""Websocket routing of runs, behind an origin check for browsers."""

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.urls import path, re_path

import dashboard.runs.urls  # noqa: F401  (registers the ``run`` converter)
from dashboard.runs.consumers import CLOSE_NOT_FOUND, RunConsumer


class NotFoundConsumer(AsyncWebsocketConsumer):
    """Refuses the handshake of a path that names no run, as for no run.

    A slug outside the slug alphabet (a NUL byte, say) never reaches the
    database, and any other path gets the same refusal instead of an error
    from the router.
    """

    async def connect(self) -> None:
        await self.close(code=CLOSE_NOT_FOUND)


websocket_urlpatterns = [
    path("ws/runs/<run:slug>/", RunConsumer.as_asgi()),
    re_path(r"", NotFoundConsumer.as_asgi()),
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
