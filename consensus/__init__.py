"""Quorumscope's consensus laboratory: a gen_statem-style engine, Byzantine
fault-tolerant protocols written as callback modules on it, and a
deterministic network simulator that runs them."""
