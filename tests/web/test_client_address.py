"""Rate limits key on the client address, read through trusted proxies."""

import dataclasses

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from dashboard.config import load_config
from dashboard.runs.models import Run
from dashboard.runs.services import client_address, client_key

PROXY = "10.0.0.9"

# (trusted proxies, X-Forwarded-For or None, expected client address)
ADDRESS_CASES = [
    (0, None, PROXY),
    (0, "203.0.113.7", PROXY),
    (1, None, PROXY),
    (1, "", PROXY),
    (1, "203.0.113.7", "203.0.113.7"),
    (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),
    (2, "198.51.100.1, 203.0.113.7, 10.0.0.1", "203.0.113.7"),
    (2, "203.0.113.7", PROXY),
    (1, " 203.0.113.7 ,", "203.0.113.7"),
]


@pytest.mark.parametrize(("hops", "forwarded", "expected"), ADDRESS_CASES)
def test_client_address_through_proxies(
    settings,  # type: ignore[no-untyped-def]
    hops: int,
    forwarded: str | None,
    expected: str,
) -> None:
    settings.CONFIG = dataclasses.replace(settings.CONFIG, trusted_proxies=hops)
    meta = {"REMOTE_ADDR": PROXY}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded

    assert client_address(meta) == expected


def post_from(client: Client, forwarded: str) -> int:
    response = client.post(
        "/api/runs",
        {"protocol": "toy"},
        content_type="application/json",
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    return response.status_code


@pytest.mark.django_db
def test_rate_limit_per_forwarded_client(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CONFIG = dataclasses.replace(
        settings.CONFIG, runs_per_minute=1, trusted_proxies=1
    )
    statuses = [post_from(client, address) for address in ("203.0.113.7", "::1")]
    repeat = post_from(client, "203.0.113.7")
    clients = set(Run.objects.values_list("client", flat=True))

    assert statuses == [201, 201]
    assert repeat == 429
    assert clients == {client_key("203.0.113.7"), client_key("::1")}


@pytest.mark.django_db
def test_rate_limit_ignores_untrusted_header(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CONFIG = dataclasses.replace(
        settings.CONFIG, runs_per_minute=1, trusted_proxies=0
    )
    statuses = [post_from(client, address) for address in ("203.0.113.7", "::1")]
    clients = set(Run.objects.values_list("client", flat=True))

    assert statuses == [201, 429]
    assert clients == {client_key(PROXY)}


def test_trusted_proxies_default_zero() -> None:
    assert load_config({}).trusted_proxies == 0


def test_trusted_proxies_from_environment() -> None:
    assert load_config({"QS_TRUSTED_PROXIES": "2"}).trusted_proxies == 2


def test_trusted_proxies_rejects_negative() -> None:
    with pytest.raises(ImproperlyConfigured, match="QS_TRUSTED_PROXIES=-1 is invalid"):
        load_config({"QS_TRUSTED_PROXIES": "-1"})
