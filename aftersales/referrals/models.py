"""Referrals: models."""
