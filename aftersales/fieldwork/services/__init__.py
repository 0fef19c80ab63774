"""Every write of field service, one module per concern, re-exported here."""

from aftersales.fieldwork.services.orders import work_order_create, work_order_event

__all__ = ["work_order_create", "work_order_event"]
