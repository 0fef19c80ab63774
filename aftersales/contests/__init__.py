"""Contests and sweepstakes with entries earned by rule and an auditable, reproducible draw."""
