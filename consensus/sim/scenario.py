"""Scenario documents: validation against the published schema, and defaults.

A scenario (version 1) describes one simulated run. :func:`load` checks a
document in two passes. The first validates it against
``scenario.schema.json`` (JSON Schema draft 2020-12) with the limits of a
:class:`Limits` substituted for the schema's maxima. The second makes the
checks a schema cannot express: node ids below ``n``, one fault entry per
node, partition groups that do not overlap and heal after they start,
``low_ms <= high_ms``, a ``twins_worlds`` schedule that fits the twins
faults, and at least one stop condition. The second pass only runs on a
document that passed the first, so it can trust the types.

A JSON text is parsed first (:func:`decode`): a key given twice in one
object is an error there, and numbers a float cannot hold (NaN, 1e400, an
integer of 5,000 digits) keep their text for the schema pass to report.

Every error is a :class:`ScenarioError` naming the dotted path of the field
(``network.loss``, ``faults.1.node``), the value and the allowed range. The
normalized document that :func:`load` returns has every default filled in
and keys in the order of the schema, so two documents that mean the same
run normalize to equal dicts. An empty ``twins_worlds`` schedule is left
out, so a scenario without one logs the same ``run_start`` as before the
field existed.
"""

from __future__ import annotations

import copy
import functools
import importlib
import json
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# NOTE: jsonschema 4.26 ships no type information (no py.typed), and the
# types-jsonschema stubs are not among the pinned dependencies.
import jsonschema  # type: ignore[import-untyped]

SCHEMA_PATH = Path(__file__).with_name("scenario.schema.json")
VERSION = 1

# Upper bound of any protocol parameter in ms (names ending in "_ms").
PARAM_MS_MAX = 3_600_000
PARAM_MS_RANGE = f"more than 0 to {PARAM_MS_MAX} ms"

# Common protocol parameters; a protocol class may add keys in ``PARAMS``.
COMMON_PARAMS: dict[str, Any] = {
    "view_timeout_ms": 1000,
    "backoff": 2.0,
    "leader_rotation": "round_robin",
}
DEFAULT_LATENCY: dict[str, Any] = {"dist": "constant", "ms": 10}
DEFAULT_STOP: dict[str, Any] = {"time_ms": 10000, "heights": None, "events": None}


@dataclass(frozen=True, slots=True)
class Limits:
    """Upper bounds on the size of a run, enforced by :func:`load`.

    The defaults suit the command line; a server that runs scenarios for
    others passes smaller ones. ``n`` ranges from 1 to ``n_max``.
    ``events_max`` also bounds ``twins_worlds`` ``from_view``: each view
    a protocol enters costs at least one logged event, so a run of that
    many events never reaches a later view.
    """

    n_max: int = 256
    time_ms_max: int = 3_600_000
    events_max: int = 5_000_000
    heights_max: int = 100_000


DEFAULT_LIMITS = Limits()


class ScenarioError(ValueError):
    """An invalid scenario document, with the field, value and reason.

    ``field`` is the dotted path of the offending field ("" for the whole
    document), ``value`` the offending value (None when it is missing) and
    ``message`` the sentence after the field, which names the value and
    the allowed range: ``str(error)`` reads ``n: 300 is out of range;
    allowed 1 to 256``.
    """

    def __init__(self, field: str, value: Any, message: str) -> None:
        self.field = field
        self.value = value
        self.message = message
        super().__init__(f"{field}: {message}" if field else message)


def load(
    doc: Mapping[str, Any] | str, limits: Limits = DEFAULT_LIMITS
) -> dict[str, Any]:
    """Validate a scenario and return it normalized, with defaults filled in.

    ``doc`` is a dict or a JSON string. Raises :class:`ScenarioError` for
    the first problem found; :func:`collect_errors` returns all of them.
    """
    errors = collect_errors(doc, limits)
    if errors:
        raise errors[0]
    return normalize(parse(doc))


def collect_errors(
    doc: Mapping[str, Any] | str, limits: Limits = DEFAULT_LIMITS
) -> list[ScenarioError]:
    """Return every problem of ``doc``, at most one per field, in order.

    Semantic checks run only when the schema pass found nothing, because
    they assume the types the schema guarantees.
    """
    try:
        parsed = parse(doc)
        _check_fault_count(parsed, limits)
        errors = _dedupe(_schema_errors(parsed, limits))
    except ScenarioError as error:
        return [error]
    except RecursionError:
        return [_too_deep()]
    if errors:
        return errors
    return _dedupe(_semantic_errors(normalize(parsed)))


def _check_fault_count(parsed: dict[str, Any], limits: Limits) -> None:
    """Reject a fault list longer than any run can have, before the schema
    pass, whose cost grows with every entry it checks."""
    faults = parsed.get("faults")
    if isinstance(faults, list) and len(faults) > limits.n_max:
        raise ScenarioError(
            "faults",
            len(faults),
            f"{len(faults)} entries is too many; allowed at most one per node, "
            f"and n is at most {limits.n_max}",
        )


def _too_deep() -> ScenarioError:
    return ScenarioError(
        "", "(document)", "invalid document: nested too deeply to validate"
    )


def schema(limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Return the JSON Schema with the maxima of ``limits`` substituted."""
    return copy.deepcopy(_schema(limits))


def parse(doc: Mapping[str, Any] | str) -> dict[str, Any]:
    """Return ``doc`` as a dict, parsing it first when it is a JSON string.

    Raises :class:`ScenarioError` for malformed JSON and for a document
    that is not a JSON object (with field ""), and for a key given twice in
    one object (on the dotted path of that key). NaN, Infinity and numbers
    beyond the float range parse, so that the schema pass can report them
    on the field that contains them.
    """
    if isinstance(doc, str):
        try:
            doc = decode(doc)
        except RecursionError:
            raise _too_deep() from None
    if not isinstance(doc, Mapping):
        raise ScenarioError(
            "", doc, f"a scenario must be a JSON object, not {_json_type(doc)}"
        )
    return dict(doc)


def decode(text: str) -> Any:
    """Parse the JSON ``text`` as the loader does; return any JSON value.

    NaN, Infinity, -Infinity and numbers a 64-bit float cannot hold, such
    as 1e400 or an integer of 5,000 digits, parse to floats that remember
    their text, for the schema pass to report on their field. Raises
    :class:`ScenarioError` for malformed JSON (field "") and for a key
    given twice in one object, on the dotted path of the key relative to
    ``text``'s value. A value nested too deeply raises RecursionError.
    Forms parse their JSON fields with it too.
    """
    duplicates: list[bool] = []

    def object_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) == len(pairs):
            return obj
        duplicates.append(True)
        return _DuplicateKeys(pairs)

    try:
        value = json.loads(
            text,
            parse_float=_parse_float,
            parse_int=_parse_int,
            parse_constant=_json_literal,
            object_pairs_hook=object_pairs,
        )
    except json.JSONDecodeError as error:
        raise ScenarioError(
            "",
            text,
            f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}",
        ) from None
    if duplicates:
        _raise_duplicate(value, ())
    return value


class _DuplicateKeys(dict[str, Any]):
    """A JSON object with a key given more than once; ``pairs`` keeps them
    all, in order. It exists only until :func:`decode` reports it."""

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        self.pairs = pairs


def _raise_duplicate(value: Any, parts: tuple[str | int, ...]) -> None:
    """Raise a ScenarioError for the first key, in document order, that an
    object in ``value`` gives twice."""
    if isinstance(value, _DuplicateKeys):
        counts: dict[str, int] = {}
        for key, _ in value.pairs:
            counts[key] = counts.get(key, 0) + 1
        for key, item in value.pairs:
            _raise_duplicate(item, (*parts, key))
            if counts[key] > 1:
                times = "twice" if counts[key] == 2 else f"{counts[key]} times"
                raise ScenarioError(
                    _join("", *parts, key),
                    [item for name, item in value.pairs if name == key],
                    f"key {_show(key)} is given {times} in one object; allowed once",
                )
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _raise_duplicate(item, (*parts, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _raise_duplicate(item, (*parts, index))


class _JsonLiteral(float):
    """A JSON number that is NaN or infinite as a float, with its ``text``.

    The text is a constant that JSON lacks but Python's parser reads (NaN,
    Infinity, -Infinity) or a number too large in magnitude for a float,
    such as 1e400 or an integer of 400 digits. Errors quote it as written,
    a long one shortened by :func:`abbreviate`.
    """

    text: str


_JSON_CONSTANTS = ("NaN", "Infinity", "-Infinity")


def _parse_float(text: str) -> float:
    value = float(text)
    if math.isfinite(value):
        return value
    return _json_literal(text)


# A JSON integer this short always fits a float (whose maximum has 309
# digits), so it skips the float check below.
_SHORT_INTEGER = 300


def _parse_int(text: str) -> int | float:
    """Parse a JSON integer; one beyond the float range stays text.

    Python's int() refuses more than 4,300 digits (ValueError), and the
    simulator's numbers are floats, so an integer beyond the float range
    is reported like 1e400. float() has no limit on digits, and JSON
    allows no leading zeros, so a long text is a large number.
    """
    if len(text) < _SHORT_INTEGER or math.isfinite(float(text)):
        return int(text)
    return _json_literal(text)


def _json_literal(text: str) -> _JsonLiteral:
    literal = _JsonLiteral(text)
    literal.text = text
    return literal


def number_as_written(text: str) -> float:
    """Return the number ``text``, beyond the float range, as a float that
    remembers ``text``, so the loader's error quotes it as written.

    For the line syntax of the form, whose numbers are not JSON.
    """
    return _json_literal(text)


# Maximum length of a number's text that errors quote in full.
_SHOWN_CHARACTERS = 40
_SHOWN_DIGITS = 20


def abbreviate(text: str) -> str:
    """Return the text of a number as written, or its start and its length
    in digits (characters when it is not an integer) when it is long:
    ``10000000000000000000... (5001 digits)``."""
    if len(text) <= _SHOWN_CHARACTERS:
        return text
    sign = 1 if text[:1] in "+-" else 0
    digits = text[sign:]
    if digits.isdigit():
        return f"{text[: sign + _SHOWN_DIGITS]}... ({len(digits)} digits)"
    return f"{text[:_SHOWN_DIGITS]}... ({len(text)} characters)"


# --- schema pass -----------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _schema(limits: Limits) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    document["properties"]["n"]["maximum"] = limits.n_max
    timeout = document["$defs"]["params"]["properties"]["view_timeout_ms"]
    timeout["maximum"] = PARAM_MS_MAX
    stop = document["$defs"]["stop"]["properties"]
    stop["time_ms"]["anyOf"][0]["maximum"] = limits.time_ms_max
    stop["heights"]["anyOf"][0]["maximum"] = limits.heights_max
    stop["events"]["anyOf"][0]["maximum"] = limits.events_max
    layout = document["$defs"]["twins_layout"]["properties"]
    layout["from_view"]["maximum"] = limits.events_max
    return document


@functools.lru_cache(maxsize=8)
def _validator(limits: Limits) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(_schema(limits))


def _schema_errors(doc: dict[str, Any], limits: Limits) -> Iterator[ScenarioError]:
    errors: list[ScenarioError] = []
    unknown_fields: set[tuple[str | int, ...]] = set()
    range_of = functools.partial(_allowed_range, doc=doc, limits=limits)
    for error in _validator(limits).iter_errors(doc):
        errors.extend(_translate(error, range_of))
        if error.validator in ("additionalProperties", "unevaluatedProperties"):
            allowed = error.schema.get("properties", {})
            base = tuple(error.absolute_path)
            unknown_fields.update(
                (*base, name) for name in error.instance if name not in allowed
            )
    yield from _non_finite_errors(doc, limits, errors, unknown_fields)
    yield from errors


# --- non-finite numbers ----------------------------------------------------

_BOUND_KEYWORDS = frozenset(
    {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
)


def _non_finite_errors(
    doc: dict[str, Any],
    limits: Limits,
    schema_errors: list[ScenarioError],
    unknown_fields: set[tuple[str | int, ...]],
) -> Iterator[ScenarioError]:
    """Yield an error with the allowed range for each NaN or infinity.

    A value in an unknown field, or in a field that is no number at all
    (``protocol``), is left to the schema error about that field, which
    states what is allowed there.
    """
    found: list[tuple[tuple[str | int, ...], float]] = []
    _find_non_finite(doc, (), unknown_fields, found)
    if not found:
        return
    bounds = _number_bounds(doc, limits, {parts for parts, _ in found})
    other_errors = {error.field for error in schema_errors}
    for parts, value in found:
        path = _join("", *parts)
        allowed = _allowed_range(parts, bounds.get(parts), doc, limits)
        if allowed is None and path in other_errors:
            continue
        if allowed is None:
            allowed = "any finite number"
        yield ScenarioError(
            path, value, f"{_describe_non_finite(value)}; allowed {allowed}"
        )


def _find_non_finite(
    value: Any,
    parts: tuple[str | int, ...],
    skip: set[tuple[str | int, ...]],
    found: list[tuple[tuple[str | int, ...], float]],
) -> None:
    """Append the path and value of each NaN or infinity in ``value`` to
    ``found``, leaving out the fields at the paths in ``skip``."""
    if parts in skip:
        return
    if isinstance(value, float) and not math.isfinite(value):
        found.append((parts, value))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _find_non_finite(item, (*parts, key), skip, found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _find_non_finite(item, (*parts, index), skip, found)


# Integers beyond any bound of the schema. They replace NaN and the
# infinities in the probes of _number_bounds, and unlike an infinity they
# pass an "integer" type, so the probes add no type errors in number fields.
_BELOW_ANY_BOUND = -(10**400)
_ABOVE_ANY_BOUND = 10**400


def _number_bounds(
    doc: dict[str, Any], limits: Limits, paths: set[tuple[str | int, ...]]
) -> dict[tuple[str | int, ...], Mapping[str, Any]]:
    """Return the subschema that bounds the number at each of ``paths``.

    NaN compares false with every bound, so the schema pass reports no
    bound it breaks. Validating a copy of ``doc`` whose non-finite numbers
    are replaced by a number below any lower bound makes jsonschema name
    the subschema, with its $ref, if/then and anyOf branches resolved.
    A second copy, with a number above any upper bound, covers the paths
    the first found no lower bound for.
    """
    found: dict[tuple[str | int, ...], Mapping[str, Any]] = {}
    for probe in (_BELOW_ANY_BOUND, _ABOVE_ANY_BOUND):
        if len(found) == len(paths):
            break
        trial = _replace_non_finite(doc, probe)
        for error in _validator(limits).iter_errors(trial):
            for sub in _with_context(error):
                parts = tuple(sub.absolute_path)
                if sub.validator in _BOUND_KEYWORDS and parts in paths:
                    found.setdefault(parts, sub.schema)
    return found


def _replace_non_finite(value: Any, probe: int) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return probe
    if isinstance(value, Mapping):
        return {key: _replace_non_finite(item, probe) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_non_finite(item, probe) for item in value]
    return value


def _with_context(
    error: jsonschema.ValidationError,
) -> Iterator[jsonschema.ValidationError]:
    """Yield ``error`` and the errors of the anyOf branches inside it."""
    yield error
    for sub in error.context or ():
        yield from _with_context(sub)


def _allowed_range(
    parts: tuple[str | int, ...],
    bounds: Mapping[str, Any] | None,
    doc: dict[str, Any],
    limits: Limits,
) -> str | None:
    """Describe the range of the number at ``parts`` as the loader's
    other errors do, or return None when no range applies."""
    if _is_param_ms(parts):
        return PARAM_MS_RANGE
    if bounds is None:
        return None
    n = doc.get("n", 4)
    # jsonschema (4.26) reports the subschema a $ref resolves to, not a
    # copy, so identity distinguishes a node id from other integers >= 0.
    is_node = bounds is _schema(limits)["$defs"]["node"]
    if is_node and _is_integer(n) and 1 <= n <= limits.n_max:
        return f"0 to {n - 1}"
    return describe_range(bounds)


def _is_param_ms(parts: tuple[str | int, ...]) -> bool:
    """Return whether ``parts`` is the path of a protocol timing parameter.

    The loader bounds those by PARAM_MS_MAX whether the schema names them
    or not."""
    return len(parts) == 2 and parts[0] == "params" and str(parts[1]).endswith("_ms")


def _describe_non_finite(value: float) -> str:
    if isinstance(value, _JsonLiteral) and value.text in _JSON_CONSTANTS:
        return f"invalid JSON: {value.text} is not a number"
    if isinstance(value, _JsonLiteral):
        return (
            f"{abbreviate(value.text)} is beyond the range of a 64-bit "
            "floating-point number"
        )
    return f"{_show(value)} is not a finite number"


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# Describes the range allowed at a path with the given bounds, or None.
RangeOf = Callable[[tuple[str | int, ...], Mapping[str, Any] | None], str | None]


def _translate(
    error: jsonschema.ValidationError, range_of: RangeOf
) -> Iterator[ScenarioError]:
    """Turn one jsonschema error into scenario errors with plain messages.

    A value of the wrong type in a bounded number field also gets the
    range, described by ``range_of``.
    """
    parts = tuple(error.absolute_path)
    path = _join("", *parts)
    keyword = error.validator
    instance = error.instance
    rule: Any = error.validator_value
    subschema: Any = error.schema

    if keyword == "required":
        for name in rule:
            if name not in instance:
                yield ScenarioError(
                    _join(path, name), None, "required field is missing"
                )
    elif keyword in ("additionalProperties", "unevaluatedProperties"):
        allowed = list(subschema.get("properties", {}))
        for name in instance:
            if name not in allowed:
                yield ScenarioError(
                    _join(path, name),
                    instance[name],
                    f"unknown field; allowed: {', '.join(allowed) or 'none'}",
                )
    elif keyword == "anyOf":
        yield _translate_any_of(error, path, range_of)
    elif keyword == "type" and (
        _BOUND_KEYWORDS.intersection(subschema) or _is_param_ms(parts)
    ):
        message = _describe(keyword, instance, subschema)
        bounds_text = range_of(parts, subschema)
        if bounds_text is not None:
            message += f"; allowed {bounds_text}"
        yield ScenarioError(path, instance, message)
    elif keyword in _BOUND_KEYWORDS:
        # Node ids and timing parameters have ranges the schema does not
        # state in full (below n, PARAM_MS_MAX), so range_of describes them.
        bounds_text = range_of(parts, subschema) or describe_range(subschema)
        yield ScenarioError(
            path, instance, f"{_show(instance)} is out of range; allowed {bounds_text}"
        )
    else:
        yield ScenarioError(path, instance, _describe(keyword, instance, subschema))


def _translate_any_of(
    error: jsonschema.ValidationError, path: str, range_of: RangeOf
) -> ScenarioError:
    """Explain a failed "number or null" choice by its number branch."""
    for sub in error.context or ():
        if sub.validator != "type":
            return next(_translate(sub, range_of))
    kinds = [branch.get("type") for branch in error.validator_value]
    names = " or ".join(_TYPE_NAMES.get(str(kind), str(kind)) for kind in kinds)
    message = f"{_show(error.instance)} is not {names}"
    for branch in error.validator_value:
        if _BOUND_KEYWORDS.intersection(branch):
            allowed = range_of(tuple(error.absolute_path), branch)
            if allowed is not None:
                message += f"; allowed {allowed}"
            break
    return ScenarioError(path, error.instance, message)


_TYPE_NAMES = {
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "boolean": "a boolean",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


def _describe(keyword: Any, instance: Any, subschema: Mapping[str, Any]) -> str:
    value_text = _show(instance)
    if keyword == "type":
        kinds = subschema["type"]
        kinds = [kinds] if isinstance(kinds, str) else kinds
        return f"{value_text} is not " + " or ".join(_TYPE_NAMES[k] for k in kinds)
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return f"{value_text} is out of range; allowed {describe_range(subschema)}"
    if keyword == "enum":
        allowed = ", ".join(str(item) for item in subschema["enum"])
        return f"{value_text} is unknown; allowed: {allowed}"
    if keyword == "const":
        return f"{value_text} is not supported; allowed: {_show(subschema['const'])}"
    if keyword == "minItems":
        return _describe_min_items(instance, subschema)
    return f"{value_text} is invalid ({keyword})"


def _describe_min_items(instance: list[Any], subschema: Mapping[str, Any]) -> str:
    """Describe a list that is too short, naming its items by the ``title``
    of the items schema ("node id", "group")."""
    items = subschema.get("items")
    noun = items.get("title", "item") if isinstance(items, Mapping) else "item"
    allowed = f"allowed {subschema['minItems']} or more {noun}s"
    if not instance:
        return f"{_show(instance)} is empty; {allowed}"
    count = len(instance)
    counted = f"{count} {noun}" if count == 1 else f"{count} {noun}s"
    return f"{_show(instance)} has {counted}; {allowed}"


def describe_range(subschema: Mapping[str, Any]) -> str:
    """Describe the numeric bounds of a schema in words, as errors do.

    The schema must have at least one of minimum, maximum,
    exclusiveMinimum and exclusiveMaximum.
    """
    low = subschema.get("minimum")
    low_open = subschema.get("exclusiveMinimum")
    high = subschema.get("maximum")
    high_open = subschema.get("exclusiveMaximum")
    if low is not None and high is not None:
        return f"{_show(low)} to {_show(high)}"
    if low is not None and high_open is not None:
        return f"{_show(low)} up to but not including {_show(high_open)}"
    if low_open is not None and high is not None:
        return f"more than {_show(low_open)} up to {_show(high)}"
    if low is not None:
        return f"{_show(low)} or more"
    if low_open is not None:
        return f"more than {_show(low_open)}"
    if high is not None:
        return f"{_show(high)} or less"
    return f"less than {_show(high_open)}"


# --- defaults --------------------------------------------------------------


def normalize(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``doc`` with every default filled in, in the schema's key order.

    ``doc`` must already have passed the schema pass; :func:`load` is the
    public entry point that checks first.
    """
    n = int(doc.get("n", 4))
    normalized: dict[str, Any] = {
        "version": VERSION,
        "protocol": doc["protocol"],
        "params": _params(doc["protocol"], doc.get("params", {})),
        "n": n,
        "faults": [_fault(entry) for entry in doc.get("faults", [])],
    }
    schedule = [_twins_layout(entry) for entry in doc.get("twins_worlds", [])]
    if schedule:
        normalized["twins_worlds"] = schedule
    normalized["network"] = _network(doc.get("network", {}), n)
    normalized["stop"] = _stop(doc.get("stop"))
    normalized["liveness"] = {"stall_ms": doc.get("liveness", {}).get("stall_ms", 5000)}
    normalized["seed"] = int(doc.get("seed", 1))
    return normalized


def protocol_params(protocol: str) -> dict[str, Any]:
    """Return the parameter defaults of ``protocol``: common plus its own.

    A protocol declares its own parameters as a ``PARAMS`` class attribute
    mapping each key to its default.
    """
    return {**COMMON_PARAMS, **_declared_params(protocol)}


@functools.cache
def _declared_params(protocol: str) -> dict[str, Any]:
    # NOTE: a protocol whose module is not importable declares no keys of
    # its own, so its scenarios may use the common parameters only.
    try:
        registry = importlib.import_module("consensus.protocols")
        machine = registry.get_protocol(protocol)
    except (ImportError, AttributeError, KeyError):
        return {}
    declared = getattr(machine, "PARAMS", {})
    return dict(declared) if isinstance(declared, Mapping) else {}


@functools.cache
def _declared_choices(protocol: str) -> dict[str, tuple[Any, ...]]:
    # A protocol lists the allowed values of a parameter in PARAM_CHOICES.
    try:
        registry = importlib.import_module("consensus.protocols")
        machine = registry.get_protocol(protocol)
    except (ImportError, AttributeError, KeyError):
        return {}
    declared = getattr(machine, "PARAM_CHOICES", {})
    return dict(declared) if isinstance(declared, Mapping) else {}


def _params(protocol: str, section: Mapping[str, Any]) -> dict[str, Any]:
    params = protocol_params(protocol)
    for key, value in section.items():
        params[key] = value
    return params


def _fault(entry: Mapping[str, Any]) -> dict[str, Any]:
    fault: dict[str, Any] = {
        "node": int(entry["node"]),
        "behaviour": entry["behaviour"],
    }
    behaviour = entry["behaviour"]
    if behaviour in ("crash", "crash_recover"):
        fault["at_ms"] = entry.get("at_ms", 0)
    if behaviour == "crash_recover":
        fault["recover_ms"] = entry["recover_ms"]
    if behaviour == "delay":
        fault["delay_ms"] = entry["delay_ms"]
    return fault


def _twins_layout(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "from_view": int(entry["from_view"]),
        "world_1": [int(node) for node in entry["world_1"]],
    }


def _network(section: Mapping[str, Any], n: int) -> dict[str, Any]:
    return {
        "latency": dict(section.get("latency", DEFAULT_LATENCY)),
        "links": [
            {
                "from": int(link["from"]),
                "to": int(link["to"]),
                "latency": dict(link["latency"]),
            }
            for link in section.get("links", [])
        ],
        "loss": section.get("loss", 0.0),
        "duplicate": section.get("duplicate", 0.0),
        "partitions": [_partition(entry, n) for entry in section.get("partitions", [])],
        "gst_ms": section.get("gst_ms", 0),
        "pre_gst_max_delay_ms": section.get("pre_gst_max_delay_ms", 0),
        "delta_ms": section.get("delta_ms", 100),
    }


def _partition(entry: Mapping[str, Any], n: int) -> dict[str, Any]:
    """Return a partition whose groups cover every node.

    Nodes named in no group form one more group, so the network can treat
    any two nodes in different groups as cut off from each other.
    """
    groups = [[int(node) for node in group] for group in entry["groups"]]
    named = {node for group in groups for node in group}
    rest = [node for node in range(n) if node not in named]
    if rest:
        groups.append(rest)
    return {
        "groups": groups,
        "start_ms": entry.get("start_ms", 0),
        "heal_ms": entry.get("heal_ms"),
    }


def _stop(section: Mapping[str, Any] | None) -> dict[str, Any]:
    if section is None:
        return dict(DEFAULT_STOP)
    stop = {key: section.get(key) for key in DEFAULT_STOP}
    for key in ("heights", "events"):
        value = stop[key]
        if value is not None:
            stop[key] = int(value)
    return stop


# --- semantic pass ---------------------------------------------------------


def _semantic_errors(doc: dict[str, Any]) -> Iterator[ScenarioError]:
    n = doc["n"]
    yield from _param_errors(doc["protocol"], doc["params"])
    yield from _fault_errors(doc["faults"], n)
    yield from _twins_worlds_errors(doc.get("twins_worlds", []), doc["faults"], n)
    yield from _latency_errors(doc["network"]["latency"], "network.latency")
    for index, link in enumerate(doc["network"]["links"]):
        yield from _link_errors(link, f"network.links.{index}", n)
    yield from _duplicate_link_errors(doc["network"]["links"])
    for index, partition in enumerate(doc["network"]["partitions"]):
        yield from _partition_errors(partition, f"network.partitions.{index}", n)
    if all(value is None for value in doc["stop"].values()):
        yield ScenarioError(
            "stop", doc["stop"], "no stop condition set; set time_ms, heights or events"
        )


def _param_errors(protocol: str, params: Mapping[str, Any]) -> Iterator[ScenarioError]:
    defaults = protocol_params(protocol)
    for key, value in params.items():
        path = f"params.{key}"
        if key not in defaults:
            allowed = ", ".join(defaults)
            yield ScenarioError(
                path, value, f"unknown parameter for {protocol}; allowed: {allowed}"
            )
        elif _json_type(value) != _json_type(defaults[key]):
            message = f"{_show(value)} is not {_json_type(defaults[key])}"
            if key.endswith("_ms"):
                message += f"; allowed {PARAM_MS_RANGE}"
            yield ScenarioError(path, value, message)
        elif key.endswith("_ms") and not 0 < value <= PARAM_MS_MAX:
            yield ScenarioError(
                path, value, f"{_show(value)} is out of range; allowed {PARAM_MS_RANGE}"
            )
        else:
            choices = _declared_choices(protocol).get(key)
            if choices is not None and value not in choices:
                yield ScenarioError(
                    path,
                    value,
                    f"{_show(value)} is not allowed; allowed: {', '.join(choices)}",
                )


def _fault_errors(faults: list[dict[str, Any]], n: int) -> Iterator[ScenarioError]:
    if len(faults) > n:
        yield ScenarioError(
            "faults", len(faults), f"{len(faults)} faulty nodes is more than n = {n}"
        )
    seen: dict[int, int] = {}
    for index, fault in enumerate(faults):
        path = f"faults.{index}"
        node = fault["node"]
        yield from _node_errors(node, f"{path}.node", n)
        if node in seen:
            yield ScenarioError(
                f"{path}.node",
                node,
                f"node {node} already has a fault (faults.{seen[node]}); "
                "allowed one entry per node",
            )
        seen.setdefault(node, index)
        if (
            fault["behaviour"] == "crash_recover"
            and fault["recover_ms"] <= fault["at_ms"]
        ):
            yield ScenarioError(
                f"{path}.recover_ms",
                fault["recover_ms"],
                f"{_show(fault['recover_ms'])} is not after at_ms = "
                f"{_show(fault['at_ms'])}; recovery must come after the crash",
            )


def _twins_worlds_errors(
    schedule: list[dict[str, Any]], faults: list[dict[str, Any]], n: int
) -> Iterator[ScenarioError]:
    twins = {fault["node"] for fault in faults if fault["behaviour"] == "twins"}
    if schedule and not twins:
        yield ScenarioError(
            "twins_worlds",
            schedule,
            "is set but no fault has behaviour twins; add a twins fault "
            "or leave twins_worlds out",
        )
    previous: int | None = None
    for index, entry in enumerate(schedule):
        path = f"twins_worlds.{index}"
        yield from _from_view_errors(entry["from_view"], previous, f"{path}.from_view")
        previous = entry["from_view"]
        seen: set[int] = set()
        for k, node in enumerate(entry["world_1"]):
            node_path = f"{path}.world_1.{k}"
            yield from _node_errors(node, node_path, n)
            if node in twins:
                yield ScenarioError(
                    node_path,
                    node,
                    f"node {node} is a twins node, which has an instance in "
                    "each world; allowed: nodes without the twins behaviour",
                )
            elif node in seen:
                yield ScenarioError(
                    node_path, node, f"node {node} is listed twice; allowed once"
                )
            seen.add(node)


def _from_view_errors(
    view: int, previous: int | None, path: str
) -> Iterator[ScenarioError]:
    if previous is None and view != 0:
        yield ScenarioError(
            path, view, f"{view} is not 0; the first layout must start at view 0"
        )
    elif previous is not None and view <= previous:
        yield ScenarioError(
            path,
            view,
            f"{view} is not after the previous from_view = {previous}; "
            "from_view must rise from entry to entry",
        )


def _node_errors(node: int, path: str, n: int) -> Iterator[ScenarioError]:
    if not 0 <= node < n:
        yield ScenarioError(path, node, f"{node} is out of range; allowed 0 to {n - 1}")


def _latency_errors(latency: Mapping[str, Any], path: str) -> Iterator[ScenarioError]:
    if latency["dist"] == "uniform" and latency["low_ms"] > latency["high_ms"]:
        yield ScenarioError(
            f"{path}.low_ms",
            latency["low_ms"],
            f"{_show(latency['low_ms'])} is greater than high_ms = "
            f"{_show(latency['high_ms'])}",
        )


def _link_errors(link: Mapping[str, Any], path: str, n: int) -> Iterator[ScenarioError]:
    yield from _node_errors(link["from"], f"{path}.from", n)
    yield from _node_errors(link["to"], f"{path}.to", n)
    if link["from"] == link["to"]:
        yield ScenarioError(
            f"{path}.to",
            link["to"],
            f"{link['to']} is the same as from; a link joins two different nodes",
        )
    yield from _latency_errors(link["latency"], f"{path}.latency")


def _duplicate_link_errors(links: list[dict[str, Any]]) -> Iterator[ScenarioError]:
    seen: set[tuple[int, int]] = set()
    for index, link in enumerate(links):
        pair = (link["from"], link["to"])
        if pair in seen:
            yield ScenarioError(
                f"network.links.{index}",
                link,
                f"link {pair[0]} -> {pair[1]} is given twice; allowed once",
            )
        seen.add(pair)


def _partition_errors(
    partition: Mapping[str, Any], path: str, n: int
) -> Iterator[ScenarioError]:
    seen: set[int] = set()
    for g, group in enumerate(partition["groups"]):
        for k, node in enumerate(group):
            node_path = f"{path}.groups.{g}.{k}"
            yield from _node_errors(node, node_path, n)
            if node in seen:
                yield ScenarioError(
                    node_path,
                    node,
                    f"node {node} is in two groups; groups must not overlap",
                )
            seen.add(node)
    heal = partition["heal_ms"]
    if heal is not None and heal <= partition["start_ms"]:
        yield ScenarioError(
            f"{path}.heal_ms",
            heal,
            f"{_show(heal)} is not after start_ms = {_show(partition['start_ms'])}",
        )


# --- helpers ---------------------------------------------------------------


def _join(path: str, *parts: Any) -> str:
    pieces = [path] if path else []
    pieces.extend(str(part) for part in parts)
    return ".".join(pieces)


def _show(value: Any) -> str:
    """Return ``value`` as JSON text, a long number shortened."""
    if isinstance(value, _JsonLiteral):
        return abbreviate(value.text)
    if _is_integer(value):
        try:
            return abbreviate(str(value))
        except ValueError:  # more digits than int-to-str conversion allows
            return f"an integer of {value.bit_length()} bits"
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, (list, tuple)):
        return "an array"
    return "an object"


def _dedupe(errors: Iterator[ScenarioError]) -> list[ScenarioError]:
    """Keep the first error for each field."""
    first_by_field: dict[str, ScenarioError] = {}
    for error in errors:
        first_by_field.setdefault(error.field, error)
    return list(first_by_field.values())
