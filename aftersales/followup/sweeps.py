"""Periodic sweeps of follow-up, run by ``aftersales tick``."""
