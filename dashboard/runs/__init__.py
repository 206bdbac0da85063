"""Runs: scenarios submitted through the dashboard, executed and streamed."""
