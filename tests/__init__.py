"""Tests for Quorumscope, one module per concept."""
