"""Huge integers, duplicate keys and ranges in the API and the form.

An integer of more than 4,300 digits must get a field error, not the
bare ValueError that json.loads raises for it. A key given twice is an
error instead of the last value winning. Form errors for a number that
does not parse give the allowed range.
"""

import dataclasses
import json

import pytest
from django.test import Client

from consensus.sim.scenario import PARAM_MS_MAX
from dashboard.runs.forms import ScenarioForm
from dashboard.runs.models import Run
from tests.web.test_scenario_form import VALID

ZEROS = "0" * 5000
FLOAT_RANGE = "is beyond the range of a 64-bit floating-point number"


@pytest.fixture(autouse=True)
def server_limits(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CONFIG = dataclasses.replace(
        settings.CONFIG, n_max=64, time_ms_max=600_000, events_max=2_000_000
    )


def post(client: Client, body: str) -> object:
    return client.post("/api/runs", data=body, content_type="application/json")


# (request body, field named in the error, text the message must contain)
API_CASES = [
    (
        '{"protocol":"pbft","n":1' + ZEROS + "}",
        "n",
        f"10000000000000000000... (5001 digits) {FLOAT_RANGE}; allowed 1 to 64",
    ),
    (
        '{"protocol":"pbft","stop":{"events":1' + ZEROS + "}}",
        "stop.events",
        f"(5001 digits) {FLOAT_RANGE}; allowed 1 to 2000000",
    ),
    (
        '{"protocol":"raft","protocol":"pbft"}',
        "protocol",
        'key "protocol" is given twice in one object; allowed once',
    ),
    (
        '{"protocol":"pbft","network":{"loss":0.5,"delta_ms":5,"loss":0}}',
        "network.loss",
        'key "loss" is given twice',
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "field", "text"), API_CASES)
def test_api_rejects_literal(client: Client, body: str, field: str, text: str) -> None:
    response = post(client, body)
    errors = {error["field"]: error["message"] for error in response.json()["errors"]}

    assert response.status_code == 400
    assert field in errors, errors
    assert text in errors[field]
    assert len(errors[field]) < 200
    assert Run.objects.count() == 0


# (fields changed from VALID, form field with the error, text in the error)
FORM_CASES = [
    (
        {"extra_params": '{"retransmit_ms": 1' + ZEROS + "}", "protocol": "pbft"},
        "extra_params",
        f"retransmit_ms: 10000000000000000000... (5001 digits) {FLOAT_RANGE}; "
        f"allowed more than 0 to {PARAM_MS_MAX} ms",
    ),
    (
        {
            "faults": "0 twins",
            "twins_worlds": '[{"from_view": 1' + ZEROS + ', "world_1": []}]',
        },
        "twins_worlds",
        f"twins_worlds[0].from_view: 10000000000000000000... (5001 digits) "
        f"{FLOAT_RANGE}; allowed 0 to 2000000",
    ),
    (
        {"faults": "0 crash at_ms=1" + "0" * 4400},
        "faults",
        f"line 1: at_ms: 10000000000000000000... (4401 digits) {FLOAT_RANGE}; "
        "allowed 0 or more",
    ),
    (
        {"faults": "0 crash at_ms=1e400"},
        "faults",
        f"line 1: at_ms: 1e400 {FLOAT_RANGE}; allowed 0 or more",
    ),
    (
        {
            "extra_params": '{"retransmit_ms": 5, "retransmit_ms": 6}',
            "protocol": "pbft",
        },
        "extra_params",
        'retransmit_ms: key "retransmit_ms" is given twice in one object; allowed once',
    ),
    (
        {
            "faults": "0 twins",
            "twins_worlds": '[{"from_view": 0, "world_1": [], "world_1": [1]}]',
        },
        "twins_worlds",
        'twins_worlds[0].world_1: key "world_1" is given twice in one object',
    ),
    (
        {"view_timeout_ms": "1e308"},
        "view_timeout_ms",
        f"1e+308 is out of range; allowed more than 0 to {PARAM_MS_MAX} ms",
    ),
    ({"n": "abc"}, "n", "'abc' is not a whole number; allowed 1 to 64"),
    (
        {"n": "1" + ZEROS},
        "n",
        "10000000000000000000... (5001 digits) is out of range; allowed 1 to 64",
    ),
    (
        {"n": "1" + "0" * 100},
        "n",
        "10000000000000000000... (101 digits) is out of range; allowed 1 to 64",
    ),
    (
        {"seed": "x"},
        "seed",
        "'x' is not a whole number; allowed 0 to 9223372036854775807",
    ),
    (
        {"stop_heights": "ten"},
        "stop_heights",
        "'ten' is not a whole number; allowed 1 to ",
    ),
    ({"stop_events": "1.5"}, "stop_events", "allowed 1 to 2000000"),
    (
        {"stop_time_ms": "soon"},
        "stop_time_ms",
        "'soon' is not a number; allowed more than 0 up to 600000",
    ),
    (
        {"view_timeout_ms": "x"},
        "view_timeout_ms",
        f"allowed more than 0 to {PARAM_MS_MAX} ms",
    ),
    ({"latency_ms": "ten"}, "latency_ms", "'ten' is not a number; allowed 0 or more"),
    (
        {"latency_sigma": "big"},
        "latency_sigma",
        "constant latency does not use it; leave it empty",
    ),
    (
        {"stop_time_ms": "1" + ZEROS},
        "stop_time_ms",
        "Stop time ms: 10000000000000000000... (5001 digits) is not a finite number",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "field", "text"), FORM_CASES)
def test_form_reports_literal(
    client: Client, changes: dict, field: str, text: str
) -> None:
    response = client.post("/runs/new", {**VALID, **changes})
    errors = response.context["form"].errors

    assert response.status_code == 400
    assert field in errors, errors
    assert any(text in message for message in errors[field]), errors[field]
    assert all(len(message) < 300 for message in errors[field]), errors[field]
    assert Run.objects.count() == 0


def test_form_help_states_timing_range() -> None:
    form = ScenarioForm()
    bound = f"more than 0 to {PARAM_MS_MAX} ms"

    assert bound in str(form.fields["view_timeout_ms"].help_text)
    assert bound in str(form.fields["extra_params"].help_text)


@pytest.mark.django_db
def test_form_keeps_a_large_whole_float_short(client: Client) -> None:
    """A whole float beyond 2**53 stays a float, not an int of every digit."""
    form = ScenarioForm({**VALID, "stall_ms": "1e20"})

    assert form.is_valid(), form.errors
    assert (
        json.dumps(form.cleaned_data["scenario"]["liveness"]) == '{"stall_ms": 1e+20}'
    )
