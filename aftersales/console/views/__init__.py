"""Screens of the staff console, one module per area."""
