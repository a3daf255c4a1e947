"""Analyst review: people and roles, the queue, the evidence, and decisions. Used by the CLI and
the web application alike, so the rules live here once."""
