"""Vouchers and offers: models."""
