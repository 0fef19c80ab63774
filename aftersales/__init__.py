"""Aftersales: after-sales service management."""

__version__ = "0.1.0"
