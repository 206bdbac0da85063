"""Builders of hand-made event streams for the checker and metrics tests."""

from consensus.sim.scenario import load


class Stream:
    """Numbers events like the simulation does: seq, t, kind, node, fields."""

    def __init__(self):
        self.seq = 0

    def event(self, t, kind, node=None, **fields):
        self.seq += 1
        event = {"seq": self.seq, "t": t, "kind": kind}
        if node is not None:
            event["node"] = node
        event.update(fields)
        return event

    def propose(self, t, node, height, value, view=0):
        return self.event(t, "propose", node, view=view, height=height, value=value)

    def commit(self, t, node, height, value, view=0, quorum=(0, 1, 2)):
        return self.event(
            t,
            "commit",
            node,
            height=height,
            value=value,
            view=view,
            quorum=sorted(quorum),
        )

    def send(self, t, node, to, msg, size, category="other", **fields):
        return self.event(
            t,
            "send",
            node,
            to=to,
            msg=msg,
            category=category,
            view=0,
            size=size,
            fields=fields,
        )


def scenario(n=4, faults=(), **network):
    return load(
        {
            "protocol": "toy",
            "n": n,
            "faults": list(faults),
            "network": network,
            "liveness": {"stall_ms": 1000},
        }
    )
