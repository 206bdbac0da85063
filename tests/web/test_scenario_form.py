"""The scenario form: per-field errors, nothing stored, escaping, copying."""

import dataclasses
import json
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client

from dashboard.runs.forms import (
    LATENCY_FIELDS,
    NUMBER_PATHS,
    NumberField,
    ScenarioForm,
    initial_from_scenario,
)
from dashboard.runs.models import Run
from dashboard.runs.validation import scenario_validate

VALID = {
    "protocol": "toy",
    "view_timeout_ms": "1000",
    "backoff": "2",
    "leader_rotation": "round_robin",
    "extra_params": "",
    "n": "4",
    "faults": "",
    "latency_dist": "constant",
    "latency_ms": "10",
    "links": "",
    "loss": "0",
    "duplicate": "0",
    "partitions": "",
    "gst_ms": "0",
    "pre_gst_max_delay_ms": "0",
    "delta_ms": "100",
    "stop_time_ms": "10000",
    "stall_ms": "5000",
    "seed": "1",
}

# (fields changed from VALID, form field with the error, text in the error)
BAD_FORMS = [
    ({"n": "0"}, "n", "allowed 1 to 64"),
    ({"n": "65"}, "n", "allowed 1 to 64"),
    ({"n": "many"}, "n", "'many' is not a whole number"),
    ({"n": "2", "faults": "0 silent\n1 silent\n2 silent"}, "faults", "more than n = 2"),
    ({"faults": "1 explode"}, "faults", "line 1: behaviour"),
    ({"faults": "x crash"}, "faults", "line 1: node 'x' is not an integer"),
    ({"faults": "1 crash at_ms=soon"}, "faults", "at_ms 'soon' is not a number"),
    ({"latency_ms": "-5"}, "latency_ms", "out of range"),
    ({"latency_ms": "ten"}, "latency_ms", "'ten' is not a number"),
    ({"faults": "1 delay delay_ms=-3"}, "faults", "line 1: delay_ms"),
    (
        {"faults": "1 silent\n2 crash at_ms=5 at_ms=6"},
        "faults",
        "line 2: at_ms is given twice (at_ms=5 and at_ms=6); allowed once",
    ),
    (
        {"links": "0 1 constant ms=5 ms=6"},
        "links",
        "line 1: ms is given twice (ms=5 and ms=6); allowed once",
    ),
    (
        {"partitions": "0 1 | 2 3 heal_ms=500 start_ms=0 heal_ms=900"},
        "partitions",
        "line 1: heal_ms is given twice (heal_ms=500 and heal_ms=900); allowed once",
    ),
    ({"loss": "1"}, "loss", "out of range"),
    ({"loss": "-0.5"}, "loss", "out of range"),
    ({"partitions": "0 1 | 2 9"}, "partitions", "allowed 0 to 3"),
    (
        {"partitions": "0 1 |"},
        "partitions",
        "line 1: groups.1: [] is empty; allowed 1 or more node ids",
    ),
    ({"stop_time_ms": ""}, "stop_time_ms", "no stop condition"),
    ({"stop_time_ms": "600001"}, "stop_time_ms", "out of range"),
    ({"stop_events": "2000001"}, "stop_events", "out of range"),
    (
        {"extra_params": '{"colour": "red"}'},
        "extra_params",
        "colour: unknown parameter",
    ),
    ({"extra_params": "{oops"}, "extra_params", "invalid JSON"),
    ({"latency_dist": "uniform"}, "latency_low_ms", "required field is missing"),
    ({"twins_worlds": "[{oops"}, "twins_worlds", "invalid JSON at line 1 column 3"),
    (
        {"faults": "0 twins", "twins_worlds": '{"from_view": 0}'},
        "twins_worlds",
        'twins_worlds: {"from_view": 0} is not an array',
    ),
    (
        {"faults": "0 twins", "twins_worlds": '[{"from_view": 2, "world_1": [3]}]'},
        "twins_worlds",
        "twins_worlds[0].from_view: 2 is not 0",
    ),
    (
        {"faults": "0 twins", "twins_worlds": '[{"from_view": 0, "world_1": [7]}]'},
        "twins_worlds",
        "twins_worlds[0].world_1[0]: 7 is out of range; allowed 0 to 3",
    ),
    (
        {
            "faults": "0 twins",
            "twins_worlds": '[{"from_view": 0, "world_1": [2]}, '
            '{"from_view": 2000001, "world_1": []}]',
        },
        "twins_worlds",
        "twins_worlds[1].from_view: 2000001 is out of range; allowed 0 to 2000000",
    ),
    (
        {"twins_worlds": '[{"from_view": 0, "world_1": [2]}]'},
        "twins_worlds",
        "no fault has behaviour twins",
    ),
    (
        {"extra_params": '{"view_timeout_ms": 5}'},
        "extra_params",
        "view_timeout_ms has a field of its own; set it in the View timeout ms field",
    ),
    (
        {"extra_params": '{"view_timeout_ms": -1}'},
        "extra_params",
        "view_timeout_ms has a field of its own; set it in the View timeout ms field",
    ),
    (
        {"extra_params": '{"backoff": 3}'},
        "extra_params",
        "backoff has a field of its own; set it in the Backoff field",
    ),
    (
        {"extra_params": '{"leader_rotation": "stable"}'},
        "extra_params",
        "leader_rotation has a field of its own; set it in the Leader rotation field",
    ),
    (
        {"view_timeout_ms": "nan"},
        "view_timeout_ms",
        "View timeout ms: 'nan' is not a finite number; allowed more than 0",
    ),
    ({"backoff": "-inf"}, "backoff", "Backoff: '-inf' is not a finite number"),
    (
        {"loss": "inf"},
        "loss",
        "Loss: 'inf' is not a finite number; allowed 0 up to but not including 1",
    ),
    (
        {"stop_time_ms": "1e400"},
        "stop_time_ms",
        "Stop time ms: '1e400' is not a finite number; "
        "allowed more than 0 up to 600000",
    ),
    (
        {"latency_low_ms": "NaN"},
        "latency_low_ms",
        "'NaN' is not a finite number; constant latency does not use it",
    ),
    (
        {"protocol": "paxos"},
        "protocol",
        "Protocol: 'paxos' is unknown; allowed: pbft, tendermint, hotstuff, "
        "chained_hotstuff, hotstuff2, toy",
    ),
    (
        {"leader_rotation": "random"},
        "leader_rotation",
        "Leader rotation: 'random' is unknown; allowed: round_robin, stable",
    ),
    (
        {"latency_dist": "gamma"},
        "latency_dist",
        "Latency dist: 'gamma' is unknown; allowed: constant, uniform, normal, "
        "exponential, lognormal",
    ),
]


LATENCY_KEYS = {
    "constant": ["ms"],
    "uniform": ["low_ms", "high_ms"],
    "normal": ["mean_ms", "stdev_ms"],
    "exponential": ["mean_ms"],
    "lognormal": ["mu", "sigma"],
}


@pytest.fixture(autouse=True)
def server_limits(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CONFIG = dataclasses.replace(
        settings.CONFIG, n_max=64, time_ms_max=600_000, events_max=2_000_000
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "field", "text"), BAD_FORMS)
def test_form_rejects_bad_field(
    client: Client, changes: dict, field: str, text: str
) -> None:
    response = client.post("/runs/new", {**VALID, **changes})
    errors = response.context["form"].errors

    assert response.status_code == 400
    assert field in errors, errors
    assert any(text in message for message in errors[field]), errors[field]
    assert Run.objects.count() == 0


@pytest.mark.django_db
def test_extra_params_rejects_field_keys(client: Client) -> None:
    """A key with a form field of its own is rejected, not applied."""
    response = client.post(
        "/runs/new",
        {**VALID, "view_timeout_ms": "1000", "extra_params": '{"view_timeout_ms": 5}'},
    )
    errors = response.context["form"].errors

    assert response.status_code == 400
    assert "view_timeout_ms" not in errors, errors
    assert list(errors) == ["extra_params"], errors
    assert Run.objects.count() == 0


# (number field, latency distribution that uses it)
NUMBER_FIELD_CASES = [
    (name, "constant") for name in NUMBER_PATHS if name not in LATENCY_FIELDS.values()
] + [
    ("latency_ms", "constant"),
    ("latency_low_ms", "uniform"),
    ("latency_high_ms", "uniform"),
    ("latency_mean_ms", "normal"),
    ("latency_mean_ms", "exponential"),
    ("latency_stdev_ms", "normal"),
    ("latency_mu", "lognormal"),
    ("latency_sigma", "lognormal"),
]


def test_number_paths_cover_number_fields() -> None:
    number_fields = {
        name
        for name, field in ScenarioForm.base_fields.items()
        if isinstance(field, NumberField)
    }
    cased = {name for name, _ in NUMBER_FIELD_CASES}

    assert set(NUMBER_PATHS) == number_fields
    assert cased == number_fields


@pytest.mark.parametrize(("name", "dist"), NUMBER_FIELD_CASES)
@pytest.mark.parametrize("text", ["nan", "-inf"])
def test_non_finite_number_gives_range(name: str, dist: str, text: str) -> None:
    """NaN and infinities quote the loader's range for a finite value."""
    base = {**VALID, "latency_dist": dist, "faults": ""}
    base.update({LATENCY_FIELDS[key]: "1" for key in LATENCY_KEYS[dist]})
    out_of_range = ScenarioForm({**base, name: "-1e300"})
    non_finite = ScenarioForm({**base, name: text})

    assert not out_of_range.is_valid()
    assert not non_finite.is_valid()
    loader_text = out_of_range.errors[name][0]
    allowed = loader_text[loader_text.index("allowed ") :]
    label = non_finite[name].label
    assert non_finite.errors[name] == [
        f"{label}: {text!r} is not a finite number; {allowed}"
    ]


@pytest.mark.django_db
def test_form_creates_run_and_redirects(client: Client) -> None:
    response = client.post("/runs/new", {**VALID, "faults": "3 crash at_ms=500"})
    run = Run.objects.get()

    assert response.status_code == 302
    assert response["Location"] == f"/runs/{run.slug}/"
    assert run.scenario["faults"] == [{"node": 3, "behaviour": "crash", "at_ms": 500}]


@pytest.mark.django_db
def test_form_escapes_user_text(client: Client) -> None:
    response = client.post(
        "/runs/new", {**VALID, "faults": "<script>alert(1)</script> x"}
    )
    content = response.content.decode()

    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;" in content


@pytest.mark.django_db
def test_form_requires_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/runs/new", VALID)

    assert response.status_code == 403
    assert Run.objects.count() == 0


@pytest.mark.django_db
def test_form_from_earlier_run_round_trips(client: Client) -> None:
    """?from=<slug> fills the form so that posting it gives the same scenario."""
    scenario = scenario_validate(
        {
            "protocol": "toy",
            "n": 5,
            "faults": [
                {
                    "node": 1,
                    "behaviour": "crash_recover",
                    "at_ms": 200,
                    "recover_ms": 900,
                },
                {"node": 4, "behaviour": "equivocate"},
            ],
            "network": {
                "latency": {"dist": "uniform", "low_ms": 5, "high_ms": 15},
                "links": [
                    {"from": 0, "to": 1, "latency": {"dist": "constant", "ms": 50}}
                ],
                "loss": 0.1,
                "partitions": [
                    {"groups": [[0, 1], [2, 3]], "start_ms": 100, "heal_ms": 800}
                ],
                "gst_ms": 300,
            },
            "stop": {"time_ms": 5000, "heights": 3},
            "seed": 42,
        },
        settings.CONFIG,
    )
    earlier = Run.objects.create(
        slug="earlier-run", scenario=scenario, protocol="toy", n=5
    )
    page = client.get(f"/runs/new?from={earlier.slug}")
    initial = page.context["form"].initial
    data = {key: "" if value is None else str(value) for key, value in initial.items()}
    form = ScenarioForm(data)

    assert page.status_code == 200
    assert initial == initial_from_scenario(scenario)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["scenario"] == scenario


@pytest.mark.django_db
def test_form_page_shows_limits(client: Client) -> None:
    content = client.get("/runs/new").content.decode()

    assert "Number of nodes, 1 to 64." in content
    assert "(ms)" in content


class PageIds(HTMLParser):
    """A parser that collects the ids, their text and each field's aria-describedby."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.texts: dict[str, str] = {}
        self.described: dict[str, list[str]] = {}
        self.open_ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
            self.open_ids.append(str(values["id"]))
        if values.get("name") and values.get("aria-describedby"):
            ids = str(values["aria-describedby"]).split()
            self.described[str(values["name"])] = ids

    def handle_data(self, data: str) -> None:
        for element_id in self.open_ids:
            self.texts[element_id] = self.texts.get(element_id, "") + data

    def handle_endtag(self, tag: str) -> None:
        if tag in ("small", "ul") and self.open_ids:
            self.open_ids.pop()


def page_ids(content: bytes) -> PageIds:
    parser = PageIds()
    parser.feed(content.decode())
    return parser


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "field", "text"), BAD_FORMS)
def test_form_error_described_by_ids(
    client: Client, changes: dict, field: str, text: str
) -> None:
    response = client.post("/runs/new", {**VALID, **changes})
    page = page_ids(response.content)
    described = page.described.get(field, [])
    missing = [element_id for element_id in described if element_id not in page.ids]
    error_ids = [
        element_id for element_id in described if text in page.texts.get(element_id, "")
    ]

    assert response.status_code == 400
    assert described, f"{field} has no aria-describedby"
    assert missing == []
    assert error_ids, f"no element {described} of {field} shows {text!r}"


def help_example(content: bytes) -> str:
    """Return the JSON example in the extra parameters' help text."""
    page = page_ids(content)
    help_text = page.texts["id_extra_params_helptext"]
    match = re.search(r"Example for (\w+): (\{.*?\})\.", help_text)
    assert match, help_text
    return match.group(2)


@pytest.mark.django_db
def test_form_extra_params_example_accepted(client: Client) -> None:
    example = help_example(client.get("/runs/new").content)
    response = client.post(
        "/runs/new", {**VALID, "protocol": "pbft", "extra_params": example}
    )
    run = Run.objects.get()

    assert response.status_code == 302
    assert run.protocol == "pbft"
    assert json.loads(example).items() <= run.scenario["params"].items()


@pytest.mark.django_db
@pytest.mark.parametrize("protocol", ["tendermint", "hotstuff"])
def test_form_example_follows_copied_protocol(client: Client, protocol: str) -> None:
    scenario = scenario_validate({"protocol": protocol, "n": 4}, settings.CONFIG)
    earlier = Run.objects.create(
        slug=f"earlier-{protocol}", scenario=scenario, protocol=protocol, n=4
    )
    example = help_example(client.get(f"/runs/new?from={earlier.slug}").content)
    response = client.post(
        "/runs/new", {**VALID, "protocol": protocol, "extra_params": example}
    )

    assert response.status_code == 302
    assert Run.objects.filter(protocol=protocol).count() == 2
