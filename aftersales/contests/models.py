"""Contests: models."""
