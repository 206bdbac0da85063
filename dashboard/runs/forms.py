"""The scenario form: every part of a scenario document as form fields.

The form only turns its fields into a scenario document; whether the
document is valid is decided by the same server-side validation as the
API's, and each error lands on the field it names. Faults, partitions and
links are written one per line in a short text syntax (see the help text);
protocol-specific parameters are a JSON object and the twins world schedule
a JSON list.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.forms.utils import pretty_name

from consensus.sim import scenario
from consensus.sim.scenario import COMMON_PARAMS, PARAM_MS_RANGE
from dashboard.runs.ranges import allowed_range
from dashboard.runs.validation import ScenarioInvalid, scenario_validate, server_limits


def _quote(text: Any) -> str:
    """Quote a value the user typed; a long number by its start and length."""
    if isinstance(text, str) and len(text) > 40:
        return scenario.abbreviate(text.strip())
    return repr(text)


class WholeNumberField(forms.IntegerField):
    """An integer field whose error quotes the value that failed and the
    allowed range, which ``ScenarioForm`` sets in ``allowed``."""

    allowed = ""

    def to_python(self, value: Any) -> int | None:
        try:
            return super().to_python(value)
        except forms.ValidationError:
            if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value.strip()):
                # Too many digits for int(); beyond every range.
                reason = "is out of range"
            else:
                reason = "is not a whole number"
            raise forms.ValidationError(
                f"{_quote(value)} {reason}{self.allowed}", code="invalid"
            ) from None


class NumberField(forms.FloatField):
    """A number field whose error quotes the value that failed and the
    allowed range, which ``ScenarioForm`` sets in ``allowed``.

    NaN and the infinities pass the field. ``ScenarioForm.clean`` rejects
    them, because the allowed range it quotes depends on the scenario path.
    """

    allowed = ""

    def to_python(self, value: Any) -> float | None:
        try:
            return super().to_python(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                f"{_quote(value)} is not a number{self.allowed}", code="invalid"
            ) from None

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)


class ListedChoiceField(forms.ChoiceField):
    """A choice field whose error names the field, quotes the value and
    lists the allowed values, as the scenario loader's errors do.

    The field is named by its ``label``, so declare one.
    """

    def validate(self, value: Any) -> None:
        try:
            super().validate(value)
        except forms.ValidationError as error:
            if error.code != "invalid_choice":
                raise
            allowed = ", ".join(str(choice) for choice, _ in self.choices)
            raise forms.ValidationError(
                f"{self.label}: {value!r} is unknown; allowed: {allowed}",
                code="invalid_choice",
            ) from None


PROTOCOLS = ["pbft", "tendermint", "hotstuff", "chained_hotstuff", "hotstuff2", "toy"]
BEHAVIOURS = [
    "silent",
    "crash",
    "crash_recover",
    "equivocate",
    "double_vote",
    "withhold_votes",
    "delay",
    "twins",
]
DISTRIBUTIONS = ["constant", "uniform", "normal", "exponential", "lognormal"]
# Form field of each latency parameter of the default latency.
LATENCY_FIELDS = {
    "ms": "latency_ms",
    "low_ms": "latency_low_ms",
    "high_ms": "latency_high_ms",
    "mean_ms": "latency_mean_ms",
    "stdev_ms": "latency_stdev_ms",
    "mu": "latency_mu",
    "sigma": "latency_sigma",
}
NETWORK_FIELDS = ["loss", "duplicate", "gst_ms", "pre_gst_max_delay_ms", "delta_ms"]
STOP_FIELDS = {
    "time_ms": "stop_time_ms",
    "heights": "stop_heights",
    "events": "stop_events",
}
# Scenario parameters that have a form field of their own, by field.
PARAM_FIELDS = ["view_timeout_ms", "backoff", "leader_rotation"]
# Scenario path of each number field's value.
NUMBER_PATHS = {
    "view_timeout_ms": "params.view_timeout_ms",
    "backoff": "params.backoff",
    **{field: f"network.latency.{key}" for key, field in LATENCY_FIELDS.items()},
    **{name: f"network.{name}" for name in NETWORK_FIELDS},
    "stop_time_ms": "stop.time_ms",
    "stall_ms": "liveness.stall_ms",
}
# Scenario path of each whole-number field's value.
INTEGER_PATHS = {
    "n": "n",
    "stop_heights": "stop.heights",
    "stop_events": "stop.events",
    "seed": "seed",
}
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
# Dotted scenario paths and the form field their errors belong to; the
# first prefix that matches wins.
ERROR_FIELDS = [
    ("protocol", "protocol"),
    *((f"params.{name}", name) for name in PARAM_FIELDS),
    ("params", "extra_params"),
    ("n", "n"),
    ("faults", "faults"),
    ("twins_worlds", "twins_worlds"),
    *((f"network.latency.{key}", field) for key, field in LATENCY_FIELDS.items()),
    ("network.latency", "latency_dist"),
    ("network.links", "links"),
    ("network.partitions", "partitions"),
    *((f"network.{name}", name) for name in NETWORK_FIELDS),
    *((f"stop.{key}", field) for key, field in STOP_FIELDS.items()),
    ("stop", "stop_time_ms"),
    ("liveness.stall_ms", "stall_ms"),
    ("seed", "seed"),
]
LINE_FIELDS = {"faults", "links", "partitions"}


def _choices(names: list[str]) -> list[tuple[str, str]]:
    return [(name, name) for name in names]


class ScenarioForm(forms.Form):
    """A whole scenario; ``cleaned_data["scenario"]`` is the normalized one."""

    protocol = ListedChoiceField(
        label="Protocol", choices=_choices(PROTOCOLS), initial="pbft"
    )
    view_timeout_ms = NumberField(
        initial=1000,
        help_text=(
            f"Time a node waits in a view before a view change ({PARAM_MS_RANGE})."
        ),
    )
    backoff = NumberField(
        initial=2.0,
        help_text="Factor the view timeout grows by per failed view (1 to 16).",
    )
    leader_rotation = ListedChoiceField(
        label="Leader rotation",
        choices=_choices(["round_robin", "stable"]),
        initial="round_robin",
    )
    extra_params = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Parameters of the protocol as a JSON object.",
    )
    n = WholeNumberField(initial=4, help_text="Number of nodes.")
    faults = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "One faulty node per line: NODE BEHAVIOUR [key=value ...], e.g. "
            "'1 crash at_ms=500', '2 crash_recover at_ms=500 recover_ms=1500', "
            "'3 delay delay_ms=200'. Behaviours: " + ", ".join(BEHAVIOURS) + "."
        ),
    )
    twins_worlds = forms.CharField(
        label="Twins worlds (JSON)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Schedule of twins world layouts by view, as a JSON list of "
            '{"from_view": VIEW, "world_1": [NODE, ...]}, e.g. '
            '[{"from_view": 0, "world_1": [2, 3]}, '
            '{"from_view": 3, "world_1": [2]}]. '
            "Each layout holds from its from_view (a view number of the protocol: "
            "0 for the first entry, then rising) until the next entry's. "
            "world_1 lists the node ids, below n and without the twins behaviour, "
            "that sit in world 1; the other nodes with one instance sit in world 0. "
            "Needs a twins fault. Leave empty for the fixed layout."
        ),
    )
    latency_dist = ListedChoiceField(
        label="Latency dist",
        choices=_choices(DISTRIBUTIONS),
        initial="constant",
        help_text="Distribution of message delay; fill in its parameters below.",
    )
    latency_ms = NumberField(
        required=False, initial=10, help_text="constant: delay (ms)."
    )
    latency_low_ms = NumberField(
        required=False, help_text="uniform: lowest delay (ms)."
    )
    latency_high_ms = NumberField(
        required=False, help_text="uniform: highest delay (ms)."
    )
    latency_mean_ms = NumberField(
        required=False, help_text="normal, exponential: mean delay (ms)."
    )
    latency_stdev_ms = NumberField(
        required=False, help_text="normal: standard deviation (ms)."
    )
    latency_mu = NumberField(required=False, help_text="lognormal: mu of ln(ms).")
    latency_sigma = NumberField(required=False, help_text="lognormal: sigma of ln(ms).")
    links = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=(
            "Per-link latency, one directed link per line: FROM TO DIST "
            "key=value ..., e.g. '0 1 constant ms=50'."
        ),
    )
    loss = NumberField(
        initial=0.0, help_text="Probability that a message is lost, in [0, 1)."
    )
    duplicate = NumberField(
        initial=0.0,
        help_text="Probability that a message is delivered twice, in [0, 1).",
    )
    partitions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=(
            "One partition per line: groups of node ids split by '|', then "
            "start_ms= and heal_ms=, e.g. '0 1 | 2 3 start_ms=0 heal_ms=1000'. "
            "Nodes left out form one more group."
        ),
    )
    gst_ms = NumberField(
        initial=0, help_text="Global stabilization time (ms of simulated time)."
    )
    pre_gst_max_delay_ms = NumberField(
        initial=0,
        help_text="Extra delay the adversary may add before GST, at most (ms).",
    )
    delta_ms = NumberField(initial=100, help_text="Delivery bound after GST (ms).")
    stop_time_ms = NumberField(
        required=False, initial=10000, help_text="Stop at this simulated time (ms)."
    )
    stop_heights = WholeNumberField(
        required=False, help_text="Stop once this many heights are committed."
    )
    stop_events = WholeNumberField(
        required=False, help_text="Stop after this many events."
    )
    stall_ms = NumberField(
        initial=5000,
        help_text="Report a liveness violation after this long without a commit (ms).",
    )
    seed = WholeNumberField(initial=1, help_text="Seed of every random choice.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        config = settings.CONFIG
        self.fields["extra_params"].help_text = extra_params_help(self._protocol())
        self.fields["n"].help_text = f"Number of nodes, 1 to {config.n_max}."
        self.fields["stop_time_ms"].help_text += f" At most {config.time_ms_max}."
        self.fields["stop_heights"].help_text += f" At most {config.heights_max}."
        self.fields["stop_events"].help_text += f" At most {config.events_max}."
        twins_worlds = self.fields["twins_worlds"]
        twins_worlds.help_text += f" from_view is at most {config.events_max}."
        limits = server_limits(config)
        dist = self.data.get("latency_dist") if self.is_bound else None
        for name in (*NUMBER_PATHS, *INTEGER_PATHS):
            field = self.fields[name]
            if isinstance(field, (NumberField, WholeNumberField)):
                allowed = field_range(name, limits, dist)
                field.allowed = f"; {allowed}" if allowed else ""

    def _protocol(self) -> str:
        """Return the protocol the form shows: posted, copied or the default."""
        if self.is_bound:
            protocol = self.data.get("protocol")
        else:
            protocol = self.initial.get("protocol")
        return protocol if protocol in PROTOCOLS else self.fields["protocol"].initial

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self._reject_non_finite(data)
        if self.errors:
            return data
        doc = self._document(data)
        if self.errors:
            return data
        try:
            data["scenario"] = scenario_validate(doc, settings.CONFIG)
        except ScenarioInvalid as invalid:
            for path, message in invalid.errors.items():
                field, text = error_field(path, message)
                self.add_error(field, text)
        return data

    def _reject_non_finite(self, data: dict[str, Any]) -> None:
        """Add an error with the allowed range for each NaN or infinity."""
        limits = server_limits(settings.CONFIG)
        dist = data.get("latency_dist", "")
        for name in NUMBER_PATHS:
            value = data.get(name)
            if value is None or math.isfinite(value):
                continue
            self.add_error(
                name,
                f"{self[name].label}: {_quote(self[name].data)} is not a finite "
                f"number; {field_range(name, limits, dist)}",
            )

    def _document(self, data: dict[str, Any]) -> dict[str, Any]:
        """Build the scenario document from the cleaned fields.

        A text field that does not parse adds its error and counts as empty.
        """
        params: dict[str, Any] = {
            "view_timeout_ms": _plain(data["view_timeout_ms"]),
            "backoff": data["backoff"],
            "leader_rotation": data["leader_rotation"],
        }
        params.update(self._parsed(_extra_params, data["extra_params"], {}))
        latency: dict[str, Any] = {"dist": data["latency_dist"]}
        for key in _latency_keys(data["latency_dist"]):
            if data[LATENCY_FIELDS[key]] is not None:
                latency[key] = _plain(data[LATENCY_FIELDS[key]])
        network: dict[str, Any] = {"latency": latency}
        network.update({name: _plain(data[name]) for name in NETWORK_FIELDS})
        network["links"] = self._parsed(parse_links, data["links"], [])
        network["partitions"] = self._parsed(parse_partitions, data["partitions"], [])
        stop = {
            key: _plain(data[field])
            for key, field in STOP_FIELDS.items()
            if data[field] is not None
        }
        doc: dict[str, Any] = {
            "protocol": data["protocol"],
            "params": params,
            "n": data["n"],
            "faults": self._parsed(parse_faults, data["faults"], []),
        }
        if data["twins_worlds"].strip():
            doc["twins_worlds"] = self._parsed(_twins_worlds, data["twins_worlds"], [])
        doc.update(
            {
                "network": network,
                "stop": stop,
                "liveness": {"stall_ms": _plain(data["stall_ms"])},
                "seed": data["seed"],
            }
        )
        return doc

    def _parsed(self, parse: Callable[[str], Any], text: str, empty: Any) -> Any:
        """Return ``parse(text)``, or ``empty`` after adding its error."""
        try:
            return parse(text)
        except LineError as error:
            self.add_error(error.field, error.message)
            return empty


def field_range(name: str, limits: scenario.Limits, dist: str | None) -> str:
    """Describe what number field ``name`` allows, as "allowed ...".

    ``dist`` is the latency distribution posted, which decides the range of
    the latency fields. With None, or a value that is not a distribution,
    they get "" because there is no range to give.
    """
    path = NUMBER_PATHS.get(name) or INTEGER_PATHS[name]
    if path.startswith("params.") and path.endswith("_ms"):
        return f"allowed {PARAM_MS_RANGE}"
    if path.startswith("network.latency.") and dist not in DISTRIBUTIONS:
        return ""
    try:
        return f"allowed {allowed_range(path, limits, dist or '')}"
    except KeyError:
        return f"{dist} latency does not use it; leave it empty"


def protocol_extra_params(protocol: str) -> dict[str, Any]:
    """Return the defaults of the parameters ``protocol`` adds to the common ones."""
    params = scenario.protocol_params(protocol)
    return {key: value for key, value in params.items() if key not in COMMON_PARAMS}


def extra_params_help(protocol: str) -> str:
    """Build the help of the extra parameters, with an example for ``protocol``.

    The example is ``protocol``'s own defaults, so the server accepts it.
    """
    example = protocol_extra_params(protocol)
    if example:
        example_text = f"Example for {protocol}: {json.dumps(example)}."
    else:
        example_text = f"{protocol} has none."
    keys = "; ".join(
        f"{name}: {', '.join(protocol_extra_params(name)) or 'none'}"
        for name in PROTOCOLS
    )
    return (
        "Parameters of the protocol beyond the three above, as a JSON object. "
        f"{example_text} Keys per protocol: {keys}. Keys ending in _ms are in "
        f"ms, {PARAM_MS_RANGE}."
    )


class LineError(Exception):
    """A line of a text field that does not parse."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def error_field(path: str, message: str) -> tuple[str | None, str]:
    """Return the form field for a scenario error and the text to show."""
    for prefix, field in ERROR_FIELDS:
        if path == prefix or path.startswith(prefix + "."):
            rest = path[len(prefix) + 1 :]
            if field in LINE_FIELDS and rest:
                index, _, inner = rest.partition(".")
                where = f"line {int(index) + 1}"
                return (
                    field,
                    f"{where}: {inner}: {message}" if inner else f"{where}: {message}",
                )
            if field == "extra_params" and rest:
                return field, f"{rest}: {message}"
            if field == "twins_worlds":
                return field, f"{_json_path(path)}: {message}"
            return field, message
    return None, f"{path}: {message}" if path else message


def _json_path(path: str) -> str:
    """Return dotted ``twins_worlds.0.world_1.1`` as ``twins_worlds[0].world_1[1]``."""
    parts = path.split(".")
    out = parts[0]
    for part in parts[1:]:
        if part.isdigit():
            out += f"[{part}]"
        else:
            out += f".{part}"
    return out


def _latency_keys(dist: str) -> list[str]:
    return {
        "constant": ["ms"],
        "uniform": ["low_ms", "high_ms"],
        "normal": ["mean_ms", "stdev_ms"],
        "exponential": ["mean_ms"],
        "lognormal": ["mu", "sigma"],
    }[dist]


# Floats from this magnitude on stay floats: an int would print every digit
# (1e308 as 309 of them) and claim a precision the float does not have.
_EXACT_FLOAT_LIMIT = 2.0**53


def _plain(value: Any) -> Any:
    """Return a float with a whole-number value as an int, for tidy JSON."""
    if (
        isinstance(value, float)
        and value.is_integer()
        and abs(value) < _EXACT_FLOAT_LIMIT
    ):
        return int(value)
    return value


def _json_field(field: str, text: str) -> Any:
    """Parse a JSON field with the scenario loader's parser, which keeps
    numbers beyond the float range as written and rejects a key given
    twice in one object."""
    try:
        return scenario.decode(text)
    except scenario.ScenarioError as error:
        if not error.field:
            raise LineError(field, error.message) from None
        where = _json_path(f"{field}.{error.field}")
        if field == "extra_params":
            where = error.field
        raise LineError(field, f"{where}: {error.message}") from None
    except RecursionError:
        raise LineError(field, "invalid JSON: nested too deeply") from None


def _extra_params(text: str) -> dict[str, Any]:
    if not text.strip():
        return {}
    value = _json_field("extra_params", text)
    if not isinstance(value, dict):
        raise LineError("extra_params", "must be a JSON object")
    own_field_keys = [key for key in PARAM_FIELDS if key in value]
    if own_field_keys:
        raise LineError(
            "extra_params",
            "; ".join(
                f"{key} has a field of its own; set it in the "
                f"{pretty_name(key)} field and remove it from the extra parameters"
                for key in own_field_keys
            ),
        )
    return value


def _twins_worlds(text: str) -> Any:
    """Parse the schedule as JSON. The scenario loader checks its shape."""
    return _json_field("twins_worlds", text)


def _lines(text: str) -> list[tuple[int, list[str]]]:
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if words:
            out.append((number, words))
    return out


def _number(field: str, where: str, name: str, text: str) -> int | float:
    """Return the number ``text``; one beyond the float range (such as an
    integer of 5,000 digits) keeps its text for the loader's error."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        raise LineError(
            field, f"{where}: {name} {_quote(text)} is not a number"
        ) from None
    if math.isinf(value) and "inf" not in text.lower():
        return scenario.number_as_written(text)
    return value


def _node(field: str, where: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise LineError(field, f"{where}: node {text!r} is not an integer") from None


def _options(field: str, where: str, words: list[str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    written: dict[str, str] = {}
    for word in words:
        name, sign, value = word.partition("=")
        if not sign or not name:
            raise LineError(field, f"{where}: {word!r} is not key=value")
        if name in written:
            raise LineError(
                field,
                f"{where}: {name} is given twice ({written[name]} and {word}); "
                "allowed once",
            )
        options[name] = _number(field, where, name, value)
        written[name] = word
    return options


def parse_faults(text: str) -> list[dict[str, Any]]:
    """Parse lines of NODE BEHAVIOUR [key=value ...] into fault entries."""
    faults = []
    for number, words in _lines(text):
        where = f"line {number}"
        if len(words) < 2:
            raise LineError("faults", f"{where}: expected NODE BEHAVIOUR")
        fault = {"node": _node("faults", where, words[0]), "behaviour": words[1]}
        fault.update(_options("faults", where, words[2:]))
        faults.append(fault)
    return faults


def parse_links(text: str) -> list[dict[str, Any]]:
    """Parse lines of FROM TO DIST [key=value ...] into link overrides."""
    links = []
    for number, words in _lines(text):
        where = f"line {number}"
        if len(words) < 3:
            raise LineError("links", f"{where}: expected FROM TO DIST key=value ...")
        latency = {"dist": words[2], **_options("links", where, words[3:])}
        links.append(
            {
                "from": _node("links", where, words[0]),
                "to": _node("links", where, words[1]),
                "latency": latency,
            }
        )
    return links


def parse_partitions(text: str) -> list[dict[str, Any]]:
    """Parse lines of 'A B | C D start_ms=.. heal_ms=..' into partitions."""
    partitions = []
    for number, words in _lines(text):
        where = f"line {number}"
        nodes = [word for word in words if "=" not in word]
        options = _options("partitions", where, [word for word in words if "=" in word])
        groups: list[list[int]] = [[]]
        for word in " ".join(nodes).replace("|", " | ").split():
            if word == "|":
                groups.append([])
            else:
                groups[-1].append(_node("partitions", where, word))
        partitions.append({"groups": groups, **options})
    return partitions


def initial_from_scenario(doc: dict[str, Any]) -> dict[str, Any]:
    """Return form initial values that reproduce normalized scenario ``doc``."""
    params = dict(doc["params"])
    network = doc["network"]
    initial: dict[str, Any] = {
        "protocol": doc["protocol"],
        "view_timeout_ms": params.pop("view_timeout_ms"),
        "backoff": params.pop("backoff"),
        "leader_rotation": params.pop("leader_rotation"),
        "n": doc["n"],
        "faults": "\n".join(_fault_line(fault) for fault in doc["faults"]),
        "twins_worlds": _twins_worlds_text(doc.get("twins_worlds", [])),
        "latency_dist": network["latency"]["dist"],
        "links": "\n".join(_link_line(link) for link in network["links"]),
        "partitions": "\n".join(_partition_line(p) for p in network["partitions"]),
        "stall_ms": doc["liveness"]["stall_ms"],
        "seed": doc["seed"],
    }
    defaults = scenario.protocol_params(doc["protocol"])
    extra = {key: value for key, value in params.items() if defaults.get(key) != value}
    initial["extra_params"] = json.dumps(extra) if extra else ""
    for key, field in LATENCY_FIELDS.items():
        initial[field] = network["latency"].get(key)
    initial.update({name: network[name] for name in NETWORK_FIELDS})
    initial.update({field: doc["stop"][key] for key, field in STOP_FIELDS.items()})
    return initial


def _twins_worlds_text(schedule: list[dict[str, Any]]) -> str:
    return json.dumps(schedule) if schedule else ""


def _options_text(entry: dict[str, Any], skip: tuple[str, ...]) -> str:
    return " ".join(f"{key}={value}" for key, value in entry.items() if key not in skip)


def _fault_line(fault: dict[str, Any]) -> str:
    options = _options_text(fault, ("node", "behaviour"))
    return f"{fault['node']} {fault['behaviour']} {options}".strip()


def _link_line(link: dict[str, Any]) -> str:
    latency = link["latency"]
    return f"{link['from']} {link['to']} {latency['dist']} " + _options_text(
        latency, ("dist",)
    )


def _partition_line(partition: dict[str, Any]) -> str:
    groups = " | ".join(
        " ".join(str(node) for node in group) for group in partition["groups"]
    )
    options = [f"start_ms={partition['start_ms']}"]
    if partition["heal_ms"] is not None:
        options.append(f"heal_ms={partition['heal_ms']}")
    return f"{groups} {' '.join(options)}"
