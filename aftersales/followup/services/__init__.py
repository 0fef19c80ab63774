"""Every write of follow-up: playbooks (``playbooks``), touches (``touches``) and staff tasks (``staff_tasks``)."""

from aftersales.followup.services.playbooks import (
    playbook_create,
    playbook_delete,
    playbook_update,
    step_create,
    step_delete,
    step_update,
    steps_reorder,
)
from aftersales.followup.services.staff_tasks import (
    problem_report,
    task_cancel,
    task_create,
    task_log_outcome,
    task_reassign,
    tasks_escalate_overdue,
)
from aftersales.followup.services.touches import followup_sweep, touch_act, touches_act_pending, touches_record_due

__all__ = [
    "followup_sweep",
    "playbook_create",
    "playbook_delete",
    "playbook_update",
    "problem_report",
    "step_create",
    "step_delete",
    "step_update",
    "steps_reorder",
    "task_cancel",
    "task_create",
    "task_log_outcome",
    "task_reassign",
    "tasks_escalate_overdue",
    "touch_act",
    "touches_act_pending",
    "touches_record_due",
]
