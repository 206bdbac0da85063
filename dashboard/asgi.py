"""ASGI entry point: HTTP through Django, websockets through Channels.

Serve it with ``daphne dashboard.asgi:application``. The outer
:class:`~dashboard.runs.background.StartBackground` starts the reaper and,
in embedded mode, the runner thread on the first connection.
"""

import os
from http import HTTPStatus

from django.core.asgi import get_asgi_application
from twisted.web import http as twisted_http

# ASGI sends no reason phrase, so Daphne lets Twisted pick it from its
# table, which lacks some codes (429 and 422 in Twisted 26.10) and then
# sends "Unknown Status". The standard library's phrases fill those gaps.
for _status in HTTPStatus:
    twisted_http.RESPONSES.setdefault(_status.value, _status.phrase.encode())

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from dashboard.runs.background import StartBackground  # noqa: E402
from dashboard.runs.routing import origin_checked, websocket_urlpatterns  # noqa: E402

application = StartBackground(
    ProtocolTypeRouter(
        {
            "http": django_application,
            "websocket": origin_checked(URLRouter(websocket_urlpatterns)),
        }
    )
)
