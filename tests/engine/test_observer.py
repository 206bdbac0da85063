"""Observer records: one call per engine step, none without an observer."""

from __future__ import annotations

from typing import Any

from consensus.engine import From, Machine, VirtualRuntime

from .scripted import Scripted, spawn


class Recorder:
    """Observer that stores each record as ``(kind, *fields)``."""

    def __init__(self) -> None:
        self.records: list[tuple[Any, ...]] = []
        self.machines: list[Machine] = []

    def __call__(self, machine: Machine, kind: str, *fields: Any) -> None:
        self.machines.append(machine)
        self.records.append((kind, *fields))


def script(kind: Any, content: Any, state: Any, data: Any) -> Any:
    if kind == "enter":
        return "keep_state_and_data"
    if state == "a" and content == "p":
        return ("keep_state_and_data", ["postpone"])
    if content == "upd":
        return ("keep_state_and_data", [("state_timeout", "update", "st2")])
    if kind == "state_timeout":
        return (
            "next_state",
            "b",
            data,
            [
                ("next_event", "internal", "i"),
                (("timeout", "n"), 5, "n"),
            ],
        )
    if content == "p":
        return ("keep_state_and_data", [("timeout", 3, "e")])
    if content == "q":
        return ("keep_state_and_data", [("reply", kind[1], "r")])
    if kind == ("timeout", "n"):
        return "stop"
    return "keep_state_and_data"


def run_scenario(observer: Any) -> tuple[Scripted, VirtualRuntime, Machine, From]:
    module = Scripted(
        script, state="a", actions=[("state_timeout", 10, "st")], state_enter=True
    )
    runtime, machine = spawn(module, observer=observer)
    runtime.schedule(1, runtime.cast, machine, "p")
    runtime.schedule(2, runtime.cast, machine, "upd")
    callers: list[From] = []
    runtime.schedule(11, lambda: callers.append(runtime.call(machine, "q")))
    runtime.run()
    return module, runtime, machine, callers[0]


def test_records_every_step_in_order() -> None:
    recorder = Recorder()
    module, runtime, machine, caller = run_scenario(recorder)
    call = ("call", caller)
    assert recorder.records == [
        ("init", "a"),
        ("enter", "a", "a"),
        ("timer_set", "state_timeout", 10, "st", False),
        ("handle", "a", "cast", "p"),
        ("postpone", "a", "cast", "p"),
        ("handle", "a", "cast", "upd"),
        ("timer_update", "state_timeout", "st2"),
        ("timer_fire", "state_timeout", "st2"),
        ("handle", "a", "state_timeout", "st2"),
        ("enter", "a", "b"),
        ("state_change", "a", "b"),
        ("timer_set", ("timeout", "n"), 5, "n", False),
        ("insert", "internal", "i"),
        ("handle", "b", "internal", "i"),
        ("handle", "b", "cast", "p"),
        ("timer_set", "timeout", 3, "e", False),
        ("handle", "b", call, "q"),
        ("reply", caller, "r"),
        ("timer_cancel", "timeout"),
        ("timer_fire", ("timeout", "n"), "n"),
        ("handle", "b", ("timeout", "n"), "n"),
        ("stop", "normal"),
    ]
    assert all(seen is machine for seen in recorder.machines)


def test_zero_timeout_and_absolute_records() -> None:
    """Timers of one transition are set, and recorded, last action first."""
    recorder = Recorder()
    actions = [("state_timeout", 0, "z"), (("timeout", "n"), 7, "a", {"abs": True})]
    runtime, machine = spawn(Scripted(actions=actions), observer=recorder)
    runtime.run()
    assert recorder.records == [
        ("init", "idle"),
        ("timer_set", ("timeout", "n"), 7, "a", True),
        ("timer_set", "state_timeout", 0, "z", False),
        ("timer_fire", "state_timeout", "z"),
        ("handle", "idle", "state_timeout", "z"),
        ("timer_fire", ("timeout", "n"), "a"),
        ("handle", "idle", ("timeout", "n"), "a"),
    ]


def test_no_observer_records_nothing() -> None:
    """Only the machine given an observer reports to it; the other machine
    runs the same scenario with the same trace and reports nowhere."""
    recorder = Recorder()
    watched, _, watched_machine, _ = run_scenario(recorder)
    count = len(recorder.records)
    quiet, _, quiet_machine, _ = run_scenario(None)
    assert quiet_machine.observer is None
    assert len(recorder.records) == count
    assert quiet.trace == watched.trace


def test_runtime_observer_is_default() -> None:
    default = Recorder()
    explicit = Recorder()
    runtime = VirtualRuntime(observer=default)
    first = runtime.spawn(Scripted())
    second = runtime.spawn(Scripted(), observer=explicit)
    runtime.cast(first, 1)
    runtime.cast(second, 2)
    runtime.run()
    assert default.records == [("init", "idle"), ("handle", "idle", "cast", 1)]
    assert explicit.records == [("init", "idle"), ("handle", "idle", "cast", 2)]


def test_detached_observer_stops_recording() -> None:
    recorder = Recorder()
    runtime, machine = spawn(Scripted(), observer=recorder)
    runtime.cast(machine, 1)
    runtime.run()
    machine.observer = None
    runtime.cast(machine, 2)
    runtime.run()
    assert recorder.records == [("init", "idle"), ("handle", "idle", "cast", 1)]


class QuietRecorder(Recorder):
    handle_records = False


def test_observer_may_decline_handle_records() -> None:
    """An observer with handle_records false gets every record but handle,
    in the same order."""
    everything = Recorder()
    run_scenario(everything)
    quiet = QuietRecorder()
    run_scenario(quiet)
    assert any(record[0] == "handle" for record in everything.records)
    expected = [record for record in everything.records if record[0] != "handle"]
    assert comparable(quiet.records) == comparable(expected)


def comparable(records: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Return ``records`` with each caller handle (new per run) as "from"."""
    return [
        tuple("from" if isinstance(field, From) else field for field in record)
        for record in records
    ]


def test_attached_observer_declines_handle_records() -> None:
    recorder = Recorder()
    runtime, machine = spawn(Scripted(), observer=recorder)
    runtime.cast(machine, 1)
    runtime.run()
    quiet = QuietRecorder()
    machine.observer = quiet
    runtime.cast(machine, 2)
    runtime.run()
    assert recorder.records == [("init", "idle"), ("handle", "idle", "cast", 1)]
    assert machine.observer is quiet
    assert quiet.records == []
