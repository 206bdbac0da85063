"""Command line: run a scenario, or replay a recorded event log.

``python -m consensus run [SCENARIO.json] [flags]`` validates the scenario
(flags override the file's fields), runs it, prints the summary as JSON on
stdout and, with ``--events``, streams the event log to a JSONL file.
``python -m consensus replay LOG.jsonl`` re-runs the scenario recorded in
the log's ``run_start`` event and compares the new log with the file byte
for byte.

Exit status: 0 on success ("identical" for replay), 1 when a replay
differs, 2 for invalid input (a bad flag, a missing file, malformed JSON
or an invalid scenario), with a one-line ``error:`` message on stderr that
names the field.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable, Sequence
from itertools import zip_longest
from pathlib import Path
from typing import Any, TextIO

from .sim import scenario as scenarios
from .sim.scenario import DEFAULT_LIMITS, ScenarioError

FAULT_SYNTAX = "NODE:BEHAVIOUR[@AT_MS[-RECOVER_MS]]"
LATENCY_SYNTAX = (
    "constant:MS, uniform:LOW:HIGH, normal:MEAN:STDEV, exponential:MEAN "
    "or lognormal:MU:SIGMA"
)
LATENCY_FIELDS = {
    "constant": ("ms",),
    "uniform": ("low_ms", "high_ms"),
    "normal": ("mean_ms", "stdev_ms"),
    "exponential": ("mean_ms",),
    "lognormal": ("mu", "sigma"),
}

# The simulator's own cap on a run's events, as the runner applies it.
DEFAULT_EVENT_CAP: int = DEFAULT_LIMITS.events_max


class InputError(Exception):
    """Invalid command-line input; the message is the whole error line."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            return run_command(args)
        return replay_command(args)
    except (InputError, ScenarioError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of both subcommands and their flags."""
    parser = argparse.ArgumentParser(
        prog="python -m consensus",
        description="Simulate Byzantine fault-tolerant consensus protocols.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    _add_run_parser(commands)
    replay = commands.add_parser(
        "replay",
        help="re-run a recorded log and compare",
        description="Re-run the scenario of a recorded event log and compare "
        "the new log with the file byte for byte.",
    )
    replay.add_argument("log", help="event log (JSONL) written by run --events")
    return parser


def _add_run_parser(commands: Any) -> None:
    run = commands.add_parser(
        "run",
        help="run a scenario and print its summary",
        description="Run a scenario; flags override the fields of the file.",
    )
    run.add_argument("scenario", nargs="?", help="scenario JSON file")
    run.add_argument("--protocol", help="protocol name, such as pbft or toy")
    run.add_argument("--n", type=flag_number, help="number of nodes")
    run.add_argument(
        "--fault",
        action="append",
        metavar="SPEC",
        help=f"a faulty node as {FAULT_SYNTAX}, for example 0:equivocate, "
        "1:crash@500, 2:crash_recover@500-1500 or 3:delay@200 (extra delay "
        "in ms); repeat for more nodes; replaces the file's faults",
    )
    run.add_argument("--seed", type=flag_number, help="random seed")

    run.add_argument(
        "--time-ms", type=flag_number, help="stop at this simulated time (ms)"
    )
    run.add_argument("--heights", type=flag_number, help="stop after this many heights")
    run.add_argument(
        "--max-events", type=flag_number, help="stop after this many events"
    )

    run.add_argument("--latency", metavar="SPEC", help=f"latency: {LATENCY_SYNTAX}")
    run.add_argument(
        "--loss",
        type=flag_fraction,
        help="probability that a message is lost, in [0, 1)",
    )
    run.add_argument(
        "--duplicate",
        type=flag_fraction,
        help="probability that a message is delivered twice, in [0, 1)",
    )
    run.add_argument(
        "--gst-ms", type=flag_number, help="global stabilization time (ms)"
    )
    run.add_argument(
        "--stall-ms", type=flag_number, help="liveness stall threshold (ms)"
    )
    run.add_argument(
        "--param",
        action="append",
        metavar="KEY=VALUE",
        help="protocol parameter; the value is parsed as JSON when it is valid JSON",
    )

    run.add_argument("--events", metavar="FILE", help="write the event log (JSONL)")
    run.add_argument(
        "--progress",
        action="store_true",
        help="show a progress bar on stderr even when it is not a terminal",
    )


# --- run -------------------------------------------------------------------


def run_command(args: argparse.Namespace) -> int:
    """Validate and run the scenario of ``args``; print its summary."""
    document = scenarios.load(scenario_from_args(args))
    if args.events is not None:
        check_events_path(args.events)
    bar = ProgressBar(sys.stderr) if args.progress or sys.stderr.isatty() else None
    try:
        summary = run_scenario(
            document, events_path=args.events, progress=bar.update if bar else None
        )
    except OSError as error:
        if args.events is None:
            raise
        reason = error.strerror or str(error)
        raise InputError(f"--events: {args.events}: write failed: {reason}") from None
    finally:
        if bar is not None:
            bar.close()
    print(json.dumps(summary, indent=2))
    return 0


def check_events_path(path: str) -> None:
    """Raise InputError unless ``path`` names a file in an existing folder."""
    target = Path(path)
    if target.is_dir() or path.endswith(("/", "\\")):
        raise InputError(f"--events: {path}: is a folder; give a file name")
    if not target.parent.is_dir():
        raise InputError(f"--events: {path}: folder not found")


def scenario_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """Return the scenario document of the file with the flags applied."""
    if args.scenario is not None:
        document = read_scenario(args.scenario)
    elif args.protocol is None:
        raise InputError("give a scenario file or --protocol")
    else:
        document = {}
    _set(document, "protocol", args.protocol)
    _set(document, "n", args.n)
    _set(document, "seed", args.seed)
    if args.fault is not None:
        document["faults"] = [parse_fault(spec) for spec in args.fault]
    _apply_network(document, args)
    _apply_stop(document, args)
    if args.stall_ms is not None:
        document["liveness"] = {
            **document.get("liveness", {}),
            "stall_ms": args.stall_ms,
        }
    for spec in args.param or ():
        key, value = parse_param(spec)
        document["params"] = {**document.get("params", {}), key: value}
    return document


def _set(document: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        document[key] = value


def _apply_network(document: dict[str, Any], args: argparse.Namespace) -> None:
    network = dict(document.get("network", {}))
    if args.latency is not None:
        network["latency"] = parse_latency(args.latency)
    _set(network, "loss", args.loss)
    _set(network, "duplicate", args.duplicate)
    _set(network, "gst_ms", args.gst_ms)
    if network:
        document["network"] = network


def _apply_stop(document: dict[str, Any], args: argparse.Namespace) -> None:
    """Merge the stop flags into the file's stop, or into the default one."""
    flags = {
        "time_ms": args.time_ms,
        "heights": args.heights,
        "events": args.max_events,
    }
    if all(value is None for value in flags.values()):
        return
    stop = dict(document.get("stop", {"time_ms": scenarios.DEFAULT_STOP["time_ms"]}))
    for key, value in flags.items():
        _set(stop, key, value)
    document["stop"] = stop


def parse_fault(spec: str) -> dict[str, Any]:
    """Parse a ``--fault`` value such as ``1:crash@500`` into a fault entry."""
    node_text, _, rest = spec.partition(":")
    behaviour, _, timing = rest.partition("@")
    try:
        fault: dict[str, Any] = {"node": int(node_text), "behaviour": behaviour}
        if timing:
            _apply_timing(fault, timing)
    except ValueError:
        raise InputError(
            f"--fault: {spec!r} is invalid; expected {FAULT_SYNTAX}"
        ) from None
    return fault


def _apply_timing(fault: dict[str, Any], timing: str) -> None:
    if fault["behaviour"] == "delay":
        fault["delay_ms"] = _number(timing)
    elif fault["behaviour"] == "crash_recover":
        at, _, recover = timing.partition("-")
        if not recover:
            raise InputError(
                f"--fault: crash_recover@{timing} is missing its recovery time; "
                "write crash_recover@AT_MS-RECOVER_MS, for example "
                "crash_recover@500-1500"
            )
        fault["at_ms"] = _number(at)
        fault["recover_ms"] = _number(recover)
    else:
        fault["at_ms"] = _number(timing)


def parse_latency(spec: str) -> dict[str, Any]:
    """Parse a ``--latency`` value such as ``uniform:5:15``."""
    dist, *values = spec.split(":")
    names = LATENCY_FIELDS.get(dist)
    if names is None or len(values) != len(names):
        raise InputError(f"--latency: {spec!r} is invalid; expected {LATENCY_SYNTAX}")
    try:
        numbers = [_number(value) for value in values]
    except ValueError:
        raise InputError(
            f"--latency: {spec!r} is invalid; expected {LATENCY_SYNTAX}"
        ) from None
    return {"dist": dist, **dict(zip(names, numbers, strict=True))}


def parse_param(spec: str) -> tuple[str, Any]:
    """Parse a ``--param KEY=VALUE``; the value is JSON when it parses."""
    key, equals, text = spec.partition("=")
    if not equals or not key:
        raise InputError(f"--param: {spec!r} is invalid; expected KEY=VALUE")
    try:
        return key, scenarios.decode(text)
    except ScenarioError:
        return key, text
    except RecursionError:
        raise InputError(f"--param: {key} is nested too deeply") from None


def flag_number(text: str) -> int | float | str:
    """Parse a numeric flag as the JSON number it is written as.

    A number no float can hold (``1e400``, 400 digits) keeps its text.
    Other forms Python reads as numbers (``nan``, ``+5``, ``5.``) are read
    so, and any other text stays text. The scenario loader then reports a
    bad value on the field the flag sets, with the value and the range
    that field allows, as it does for a scenario file.
    """
    try:
        value = scenarios.decode(text)
    except (ScenarioError, RecursionError):
        value = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    try:
        return _number(text)
    except ValueError:
        return text


def flag_fraction(text: str) -> float | str:
    """Parse a probability flag as :func:`flag_number` does, as a float."""
    value = flag_number(text)
    return float(value) if type(value) is int else value


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def read_scenario(path: str) -> dict[str, Any]:
    """Return the JSON object in the file ``path``, unvalidated."""
    try:
        return scenarios.parse(read_text(path))
    except ScenarioError as error:
        raise InputError(f"{path}: {error}") from None


def read_text(path: str) -> str:
    """Return the text of ``path``, or raise InputError naming the file."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot be read: {error}") from None


class ProgressBar:
    """A text progress bar that redraws one line when the percentage moves."""

    def __init__(self, stream: TextIO, width: int = 40) -> None:
        self.stream = stream
        self.width = width
        self.percent = -1

    def update(self, fraction: float) -> None:
        """Show ``fraction`` (0 to 1) of the run as done."""
        percent = int(min(max(fraction, 0.0), 1.0) * 100)
        if percent == self.percent:
            return
        self.percent = percent
        filled = self.width * percent // 100
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r[{bar}] {percent:3d}%")
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line."""
        if self.percent >= 0:
            self.stream.write("\n")
            self.stream.flush()


# --- replay ----------------------------------------------------------------


def replay_command(args: argparse.Namespace) -> int:
    """Re-run the log's scenario and report the first differing event.

    A log that ends before ``run_end`` was cut short, as when the process
    writing it was killed: it is compared as far as it goes and reported
    as cut short, never as identical.
    """
    recorded = Path(args.log)
    document = recorded_scenario(recorded)
    last_seq, end = last_event(recorded)
    max_events = DEFAULT_EVENT_CAP
    if end is None:
        # Events past the cut cannot be compared, so the run stops there.
        max_events = max(1, min(last_seq, DEFAULT_EVENT_CAP))
    elif end.get("reason") == "event_limit":
        max_events = end["event_limit"]
    with tempfile.TemporaryDirectory(prefix="quorumscope-replay-") as folder:
        fresh = Path(folder) / "replay.jsonl"
        run_scenario(document, events_path=str(fresh), max_events=max_events)
        difference = first_difference(
            recorded, fresh, last_seq if end is None else None
        )
    if end is None:
        if difference is None:
            print(
                f"cut short: the log ends at seq {last_seq} before run_end; "
                "the events up to there are identical"
            )
        else:
            print(
                f"differs at seq {difference} (the log is cut short at "
                f"seq {last_seq}, before run_end)"
            )
        return 1
    if difference is None:
        print("identical")
        return 0
    print(f"differs at seq {difference}")
    return 1


def recorded_scenario(path: Path) -> dict[str, Any]:
    """Return the scenario of the ``run_start`` event on the log's first line."""
    try:
        with path.open("rb") as log:
            first_line = log.readline()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read: {error}") from None
    if not first_line.strip():
        raise InputError(f"{path}: line 1 is empty; a log starts with run_start")
    try:
        event = scenarios.decode(first_line.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{path}: line 1 is not UTF-8 text") from None
    except ScenarioError as error:
        raise InputError(f"{path}: line 1: {error}") from None
    except RecursionError:
        raise InputError(f"{path}: line 1 is nested too deeply") from None
    if not isinstance(event, dict) or event.get("kind") != "run_start":
        raise InputError(f"{path}: line 1 is not a run_start event")
    document = event.get("scenario")
    if not isinstance(document, dict):
        raise InputError(f"{path}: the run_start event has no scenario")
    return document


def last_event(path: Path) -> tuple[int, dict[str, Any] | None]:
    """Return the number of whole lines of the log and its ``run_end`` event.

    A whole line ends with a newline, and blank lines at the end do not
    count. The event is None unless the last whole line is a ``run_end``
    event and nothing follows it: a log cut while its last line was being
    written has no whole ``run_end``.
    """
    count = 0
    blanks = 0
    last = b""
    tail = b""
    with path.open("rb") as log:
        for line in log:
            if not line.endswith(b"\n"):
                tail = line
            elif line.strip():
                count += blanks + 1
                blanks = 0
                last = line
            else:
                blanks += 1
    if tail.strip() or not last:
        return count, None
    try:
        event = json.loads(last)
    except (ValueError, RecursionError):
        return count, None
    if not isinstance(event, dict) or event.get("kind") != "run_end":
        return count, None
    cap = event.get("event_limit")
    if event.get("reason") == "event_limit" and not (type(cap) is int and cap > 0):
        raise InputError(
            f"{path}: the run_end event's event_limit {cap!r} is invalid; "
            "allowed a whole number above 0"
        )
    return count, event


def first_difference(
    recorded: Path, fresh: Path, until: int | None = None
) -> int | None:
    """Return the seq of the first line that differs, or None if none does.

    Line k of a log contains the event with seq k, so the line number is the
    seq even when the recorded line was altered beyond parsing. With
    ``until``, only the first ``until`` lines are compared.
    """
    with recorded.open("rb") as old, fresh.open("rb") as new:
        for number, (old_line, new_line) in enumerate(zip_longest(old, new), 1):
            if until is not None and number > until:
                break
            if old_line != new_line:
                return number
    return None


def run_scenario(
    document: dict[str, Any],
    events_path: str | None = None,
    progress: Callable[[float], None] | None = None,
    max_events: int | None = DEFAULT_EVENT_CAP,
) -> dict[str, Any]:
    """Run ``document`` with the simulator and return the summary."""
    from .sim.runner import run_scenario as simulate

    summary: dict[str, Any] = simulate(
        document, events_path=events_path, progress=progress, max_events=max_events
    )
    return summary
