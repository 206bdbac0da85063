"""The JSON API rejects bad scenarios field by field and stores nothing."""

import dataclasses
import json

import pytest
from django.test import Client

from dashboard.runs.models import Run

SMALL_LIMITS = {"n_max": 64, "time_ms_max": 600_000, "events_max": 2_000_000}

# (request body, field named in the error, text the message must contain)
BAD_SCENARIOS = [
    (
        {"protocol": "hotstuff", "params": {"variant": "bogus"}},
        "params.variant",
        "allowed: three_phase, two_phase",
    ),
    (
        {"protocol": "tendermint", "params": {"gossip_ms": 0}},
        "params.gossip_ms",
        "out of range",
    ),
    (
        {"protocol": "pbft", "params": {"retransmit_ms": -1}},
        "params.retransmit_ms",
        "out of range",
    ),
    (
        b'{"protocol": "pbft", "params": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "",
        "nested too deeply",
    ),
    ({"protocol": "toy", "n": 0}, "n", "allowed 1 to 64"),
    ({"protocol": "toy", "n": 65}, "n", "allowed 1 to 64"),
    ({"protocol": "toy", "n": "four"}, "n", "not an integer"),
    (
        {
            "protocol": "toy",
            "n": 2,
            "faults": [
                {"node": 0, "behaviour": "silent"},
                {"node": 1, "behaviour": "silent"},
                {"node": 2, "behaviour": "silent"},
            ],
        },
        "faults",
        "more than n = 2",
    ),
    (
        {"protocol": "toy", "faults": [{"node": 1, "behaviour": "explode"}]},
        "faults.0.behaviour",
        "unknown",
    ),
    (
        {"protocol": "toy", "faults": [{"node": 9, "behaviour": "silent"}]},
        "faults.0.node",
        "allowed 0 to 3",
    ),
    (
        {"protocol": "toy", "network": {"latency": {"dist": "constant", "ms": -5}}},
        "network.latency.ms",
        "out of range",
    ),
    (
        {"protocol": "toy", "network": {"latency": {"dist": "constant", "ms": "ten"}}},
        "network.latency.ms",
        "not a number",
    ),
    (
        {
            "protocol": "toy",
            "faults": [{"node": 1, "behaviour": "delay", "delay_ms": -1}],
        },
        "faults.0.delay_ms",
        "out of range",
    ),
    ({"protocol": "toy", "network": {"loss": 1.0}}, "network.loss", "out of range"),
    ({"protocol": "toy", "network": {"loss": -0.1}}, "network.loss", "out of range"),
    (
        {"protocol": "toy", "network": {"partitions": [{"groups": [[0, 1], [2, 9]]}]}},
        "network.partitions.0.groups.1.1",
        "allowed 0 to 3",
    ),
    (
        {"protocol": "toy", "network": {"partitions": [{"groups": [[0, 1], []]}]}},
        "network.partitions.0.groups.1",
        "[] is empty; allowed 1 or more node ids",
    ),
    ({"protocol": "toy", "stop": {}}, "stop", "no stop condition"),
    (
        {"protocol": "toy", "stop": {"time_ms": 600_001}},
        "stop.time_ms",
        "out of range",
    ),
    (
        {"protocol": "toy", "stop": {"events": 2_000_001}},
        "stop.events",
        "out of range",
    ),
    ({"protocol": "toy", "colour": "red"}, "colour", "unknown field"),
    ({"protocol": "paxos"}, "protocol", "unknown"),
    ({"n": 4}, "protocol", "missing"),
    (
        b'{"protocol": "toy", "n": 1e400}',
        "n",
        "1e400 is beyond the range of a 64-bit floating-point number; allowed 1 to 64",
    ),
    (
        b'{"protocol": "toy", "network": {"loss": NaN}}',
        "network.loss",
        "invalid JSON: NaN is not a number; allowed 0 up to but not including 1",
    ),
    (
        b'{"protocol": "toy", "twins_worlds": [{"from_view": Infinity, '
        b'"world_1": []}], "faults": [{"node": 0, "behaviour": "twins"}]}',
        "twins_worlds.0.from_view",
        "invalid JSON: Infinity is not a number; allowed 0",
    ),
    (
        {
            "protocol": "toy",
            "faults": [{"node": 0, "behaviour": "twins"}],
            "twins_worlds": [
                {"from_view": 0, "world_1": [1]},
                {"from_view": 2_000_001, "world_1": []},
            ],
        },
        "twins_worlds.1.from_view",
        "2000001 is out of range; allowed 0 to 2000000",
    ),
    (b'{"protocol": "toy",', "", "invalid JSON"),
    (b"[1, 2]", "", "must be a JSON object"),
]


@pytest.fixture(autouse=True)
def server_limits(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CONFIG = dataclasses.replace(settings.CONFIG, **SMALL_LIMITS)


def post(client: Client, body) -> object:  # type: ignore[no-untyped-def]
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post("/api/runs", data=data, content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "field", "text"), BAD_SCENARIOS)
def test_api_rejects_bad_scenario(client: Client, body, field: str, text: str) -> None:  # type: ignore[no-untyped-def]
    response = post(client, body)
    errors = {error["field"]: error["message"] for error in response.json()["errors"]}

    assert response.status_code == 400
    assert field in errors, errors
    assert text in errors[field]
    assert Run.objects.count() == 0


@pytest.mark.django_db
def test_api_accepts_minimal_request(client: Client) -> None:
    """{"protocol": "pbft", "n": 4} is complete: everything else defaults."""
    response = post(client, {"protocol": "pbft", "n": 4})
    body = response.json()
    run = Run.objects.get(slug=body["slug"])

    assert response.status_code == 201
    assert body["websocket"].endswith(f"/ws/runs/{run.slug}/")
    assert body["url"].endswith(f"/runs/{run.slug}/")
    assert run.scenario["stop"]["time_ms"] == 10000
    assert run.status == "queued"
    assert len(run.slug) >= 16


@pytest.mark.django_db
def test_api_requires_json_content_type(client: Client) -> None:
    response = client.post("/api/runs", data={"protocol": "toy"})

    assert response.status_code == 415
    assert Run.objects.count() == 0


@pytest.mark.django_db
def test_api_cancel_requires_json(client: Client) -> None:
    """A cross-site form cannot cancel a run: only a JSON body can."""
    slug = post(client, {"protocol": "pbft", "n": 4}).json()["slug"]
    form = client.post(f"/api/runs/{slug}/cancel", data={"x": "1"})
    assert form.status_code == 415
    assert Run.objects.get(slug=slug).status == "queued"
    response = client.post(
        f"/api/runs/{slug}/cancel", data="{}", content_type="application/json"
    )
    assert response.status_code == 200
    assert Run.objects.get(slug=slug).status == "cancelled"


@pytest.mark.django_db
def test_api_rate_limits_per_client(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CONFIG = dataclasses.replace(settings.CONFIG, runs_per_minute=2)
    statuses = [post(client, {"protocol": "toy"}).status_code for _ in range(3)]
    last = post(client, {"protocol": "toy"})

    assert statuses == [201, 201, 429]
    assert "rate limit" in last.json()["errors"][0]["message"]
    assert Run.objects.count() == 2


@pytest.mark.django_db
def test_api_bounds_queued_runs(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CONFIG = dataclasses.replace(settings.CONFIG, queued_runs_max=1)
    first = post(client, {"protocol": "toy"})
    second = post(client, {"protocol": "toy"})

    assert first.status_code == 201
    assert second.status_code == 503
    assert "queued" in second.json()["errors"][0]["message"]
    assert Run.objects.count() == 1


@pytest.mark.django_db
def test_api_unknown_run_is_404(client: Client) -> None:
    assert client.get("/api/runs/nope").status_code == 404
    assert client.get("/api/runs/nope/events").status_code == 404
    assert client.get("/runs/nope/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["after=-1", "after=x", "after=99999999999999999999999", "limit=0", "limit=10001"],
)
def test_api_events_rejects_bad_paging(client: Client, query: str) -> None:
    slug = post(client, {"protocol": "toy"}).json()["slug"]

    assert client.get(f"/api/runs/{slug}/events?{query}").status_code == 400
