"""plotly.js, served from the plotly package at a static address."""

from django.test import Client


def test_plotly_js_served() -> None:
    response = Client().get("/static/vendor/plotly.min.js")
    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript"
    assert body.startswith(b"/**\n* plotly.js v")
