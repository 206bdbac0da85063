"""Helpers for API tests that use Django's test client."""

from __future__ import annotations

import json

from django.test import Client


def create_run(client: Client) -> str:
    """Submit a toy run through the API and return its slug."""
    response = client.post(
        "/api/runs",
        data=json.dumps({"protocol": "toy"}),
        content_type="application/json",
    )
    assert response.status_code == 201
    return str(response.json()["slug"])
