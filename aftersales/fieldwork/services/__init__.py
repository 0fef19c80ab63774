"""Every write of field service, one module per concern, re-exported here."""

from aftersales.fieldwork.services.orders import work_order_create, work_order_event

__all__ = ["work_order_create", "work_order_event"]

# Carrying out visits: checklists, parts, time, photos, the report and its sign-off.
from aftersales.fieldwork.services.checklists import (
    checklist_item_tick,
    checklist_template_delete,
    checklist_template_for,
    checklist_template_save,
    work_order_checklist_copy,
)
from aftersales.fieldwork.services.visits import (
    visit_complete,
    visit_part_add,
    visit_part_remove,
    visit_perform_check,
    visit_photo_add,
    visit_start,
    visit_time_add,
)

__all__ += [
    "checklist_item_tick",
    "checklist_template_delete",
    "checklist_template_for",
    "checklist_template_save",
    "visit_complete",
    "visit_part_add",
    "visit_part_remove",
    "visit_perform_check",
    "visit_photo_add",
    "visit_start",
    "visit_time_add",
    "work_order_checklist_copy",
]
