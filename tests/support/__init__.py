"""Helpers for tests that need more than fixtures: rigs of real processes."""
