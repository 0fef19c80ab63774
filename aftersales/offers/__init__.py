"""Vouchers with unguessable codes, special offers sent to segments, and gift touches from playbooks."""
