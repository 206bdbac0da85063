"""The allowed range of a scenario number, read from the published schema.

The form quotes it when a number field contains NaN or an infinity, which
the schema's bounds cannot judge. Reading the bounds from
``consensus.sim.scenario.schema(limits)`` keeps the text in step with the
loader's own "out of range" errors and with the server's limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from consensus.sim import scenario


def allowed_range(path: str, limits: scenario.Limits, dist: str) -> str:
    """Describe the bounds of the number at dotted scenario ``path``.

    ``dist`` is the latency distribution, which selects the branch that
    declares the fields of ``network.latency``. Raises ``KeyError`` for a
    path the schema does not declare under that distribution.
    """
    document = scenario.schema(limits)
    node: Mapping[str, Any] = document
    for name in path.split("."):
        node = _property(_resolve(document, node), name, dist)
    return _describe(_number_branch(_resolve(document, node)))


def _resolve(document: Mapping[str, Any], node: Mapping[str, Any]) -> Any:
    """Follow a local ``$ref`` such as ``#/$defs/milliseconds``."""
    while "$ref" in node:
        node = document["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _property(node: Mapping[str, Any], name: str, dist: str) -> Any:
    """Return the subschema of property ``name``, looking into if/then branches.

    A property declared as ``true`` in ``properties`` only allows the key,
    so its bounds are in the ``then`` branch whose ``dist`` matches.
    """
    declared = node.get("properties", {}).get(name)
    if isinstance(declared, Mapping):
        return declared
    for branch in node.get("allOf", []):
        condition = branch.get("if", {}).get("properties", {}).get("dist", {})
        found = branch.get("then", {}).get("properties", {}).get(name)
        if condition.get("const") == dist and isinstance(found, Mapping):
            return found
    raise KeyError(name)


def _number_branch(node: Mapping[str, Any]) -> Any:
    """Return the number branch of a "number or null" choice, else ``node``."""
    for branch in node.get("anyOf", []):
        if branch.get("type") != "null":
            return branch
    return node


def _describe(node: Mapping[str, Any]) -> str:
    """Describe the bounds in the loader's words ("1 to 16", "more than 0")."""
    bounds = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
    if any(node.get(bound) is not None for bound in bounds):
        return scenario.describe_range(node)
    return "any finite number"
