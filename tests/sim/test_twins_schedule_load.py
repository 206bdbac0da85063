"""Loading a twins_worlds schedule: defaults, normal form and errors."""

import pytest

from consensus.sim.scenario import Limits, ScenarioError, collect_errors, load

TWINS = [{"node": 0, "behaviour": "twins"}, {"node": 1, "behaviour": "twins"}]


def doc(schedule, faults=TWINS, n=4):
    return {"protocol": "toy", "n": n, "faults": faults, "twins_worlds": schedule}


def layout(from_view, *world_1):
    return {"from_view": from_view, "world_1": list(world_1)}


def test_absent_schedule_left_out():
    assert "twins_worlds" not in load({"protocol": "toy", "faults": TWINS})


def test_empty_schedule_left_out():
    """An empty list means the fixed layout, the same as no field at all."""
    assert load(doc([])) == load({"protocol": "toy", "faults": TWINS})


def test_schedule_kept_after_faults():
    scenario = load(doc([layout(0, 3), layout(4, 2, 3)]))
    assert scenario["twins_worlds"] == [
        {"from_view": 0, "world_1": [3]},
        {"from_view": 4, "world_1": [2, 3]},
    ]
    keys = list(scenario)
    assert keys.index("twins_worlds") == keys.index("faults") + 1


def test_integral_floats_become_ints():
    scenario = load(doc([{"from_view": 0.0, "world_1": [3.0]}]))
    entry = scenario["twins_worlds"][0]
    assert type(entry["from_view"]) is int
    assert type(entry["world_1"][0]) is int


def test_normal_form_is_fixed_point():
    scenario = load(doc([layout(0), layout(2, 2)]))
    assert load(scenario) == scenario


def test_empty_world_allowed():
    """An entry may put every node with one instance in world 0."""
    assert load(doc([layout(0)]))["twins_worlds"] == [layout(0)]


CASES = [
    # (id, schedule, faults, field, text the message must contain)
    (
        "no twins fault",
        [layout(0, 3)],
        [{"node": 0, "behaviour": "silent"}],
        "twins_worlds",
        "no fault has behaviour twins",
    ),
    (
        "first view not zero",
        [layout(3, 3)],
        TWINS,
        "twins_worlds.0.from_view",
        "3 is not 0; the first layout must start at view 0",
    ),
    (
        "views not rising",
        [layout(0, 3), layout(5, 2), layout(5, 3)],
        TWINS,
        "twins_worlds.2.from_view",
        "5 is not after the previous from_view = 5",
    ),
    (
        "views falling",
        [layout(0, 3), layout(6, 2), layout(4, 3)],
        TWINS,
        "twins_worlds.2.from_view",
        "4 is not after the previous from_view = 6",
    ),
    (
        "node above n",
        [layout(0, 4)],
        TWINS,
        "twins_worlds.0.world_1.0",
        "4 is out of range; allowed 0 to 3",
    ),
    (
        "twins node listed",
        [layout(0, 3), layout(2, 2, 1)],
        TWINS,
        "twins_worlds.1.world_1.1",
        "node 1 is a twins node",
    ),
    (
        "node listed twice",
        [layout(0, 3, 2, 3)],
        TWINS,
        "twins_worlds.0.world_1.2",
        "node 3 is listed twice; allowed once",
    ),
    (
        "negative view",
        [layout(-1, 3)],
        TWINS,
        "twins_worlds.0.from_view",
        "-1 is out of range; allowed 0 to 5000000",
    ),
    (
        "view beyond event limit",
        [layout(0, 3), layout(5_000_001, 2)],
        TWINS,
        "twins_worlds.1.from_view",
        "5000001 is out of range; allowed 0 to 5000000",
    ),
    (
        "view not integer",
        [{"from_view": 1.5, "world_1": [3]}],
        TWINS,
        "twins_worlds.0.from_view",
        "1.5 is not an integer",
    ),
    (
        "world missing",
        [{"from_view": 0}],
        TWINS,
        "twins_worlds.0.world_1",
        "required field is missing",
    ),
    (
        "unknown entry field",
        [{"from_view": 0, "world_1": [3], "world_2": [2]}],
        TWINS,
        "twins_worlds.0.world_2",
        "unknown field; allowed: from_view, world_1",
    ),
    (
        "schedule not a list",
        {"from_view": 0, "world_1": [3]},
        TWINS,
        "twins_worlds",
        "is not an array",
    ),
    (
        "negative node",
        [layout(0, -2)],
        TWINS,
        "twins_worlds.0.world_1.0",
        "-2 is out of range; allowed 0 to 3",
    ),
]


@pytest.mark.parametrize(
    ("schedule", "faults", "field", "text"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_invalid_schedule_names_field(schedule, faults, field, text):
    with pytest.raises(ScenarioError) as caught:
        load(doc(schedule, faults))
    assert caught.value.field == field
    assert text in caught.value.message
    assert str(caught.value).startswith(f"{field}: ")


def test_view_at_event_limit_accepted():
    schedule = [layout(0, 3), layout(5_000_000, 2)]
    assert load(doc(schedule))["twins_worlds"][1]["from_view"] == 5_000_000


def test_view_bound_follows_limits():
    schedule = [layout(0, 3), layout(61, 2)]
    errors = collect_errors(doc(schedule), Limits(events_max=60))
    assert [str(error) for error in errors] == [
        "twins_worlds.1.from_view: 61 is out of range; allowed 0 to 60"
    ]


def test_error_carries_offending_view():
    with pytest.raises(ScenarioError) as caught:
        load(doc([layout(2, 3)]))
    assert caught.value.value == 2


def test_collect_errors_lists_each_entry():
    schedule = [layout(1, 0), layout(1, 7)]
    fields = [error.field for error in collect_errors(doc(schedule))]
    assert fields == [
        "twins_worlds.0.from_view",
        "twins_worlds.0.world_1.0",
        "twins_worlds.1.from_view",
        "twins_worlds.1.world_1.0",
    ]
