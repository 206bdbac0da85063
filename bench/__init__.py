"""Benchmarks of Quorumscope. BENCHMARKS.md records their results."""
