"""Loyalty programme: models."""
