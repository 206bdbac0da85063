"""The protocol registry: scenario protocol names to callback modules.

``PROTOCOLS`` maps each name a scenario may use to ``"module:Class"``;
:func:`get_protocol` imports the module on first use, so loading the
registry imports no protocol.
"""

from __future__ import annotations

import importlib
from typing import Any

PROTOCOLS: dict[str, str] = {
    "toy": "consensus.protocols.toy:ToyProtocol",
    "hotstuff": "consensus.protocols.hotstuff:HotStuff",
    "chained_hotstuff": "consensus.protocols.chained_hotstuff:ChainedHotStuff",
    "hotstuff2": "consensus.protocols.hotstuff2:HotStuff2",
    "pbft": "consensus.protocols.pbft:Pbft",
    "tendermint": "consensus.protocols.tendermint:Tendermint",
}


def get_protocol(name: str) -> Any:
    """Return the callback module class registered as ``name``.

    Raises KeyError naming the registered protocols when ``name`` is unknown.
    """
    try:
        target = PROTOCOLS[name]
    except KeyError:
        known = ", ".join(sorted(PROTOCOLS))
        raise KeyError(f"unknown protocol {name!r}; registered: {known}") from None
    module_name, _, class_name = target.partition(":")
    return getattr(importlib.import_module(module_name), class_name)
