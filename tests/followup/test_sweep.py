"""The sweep: each occurrence is found on its day, within its catch-up window, once, following the current definition."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from aftersales.core.models import TimelineEvent
from aftersales.followup import services
from aftersales.followup.models import StaffTask, TaskKind, TouchResult, TouchStatus
from aftersales.followup.services import touch_act, touches_act_pending, touches_record_due
from aftersales.followup.signals import survey_requested
from aftersales.messaging.models import Message, MessageChannel, MessageStatus
from tests.factories import CustomerFactory, staff
from tests.followup.helpers import (
    COURTESY_CALL,
    DELIVERY_VISIT,
    SURVEY,
    USAGE_TIPS,
    at,
    bought,
    only_steps,
    step,
    sweep_on,
    touches,
)

pytestmark = pytest.mark.django_db

DELIVERED = dt.date(2025, 3, 3)


@pytest.fixture
def seller(db):
    return staff("sales_rep")


def test_the_courtesy_call_is_a_task_for_the_selling_rep_on_day_seven_with_its_script_in_the_customers_language(seller):
    only_steps(COURTESY_CALL)
    ana = CustomerFactory(language="es", name="Ana García")
    unit = bought(ana, sold_on=DELIVERED, delivered_on=DELIVERED, rep=seller)

    sweep_on(DELIVERED + dt.timedelta(days=6))
    assert not StaffTask.objects.exists()

    sweep_on(DELIVERED + dt.timedelta(days=7))
    [task] = StaffTask.objects.all()
    assert (task.kind, task.assignee, task.customer, task.unit) == (TaskKind.CALL, seller, ana, unit)
    assert task.due_at == at(DELIVERED + dt.timedelta(days=7)) + dt.timedelta(hours=24)
    # one thing to work: the task carries the outbox's call message, in Spanish, assigned to the same rep
    assert task.message.channel == MessageChannel.CALL
    assert task.message.assignee == seller
    assert task.message.language == "es"
    assert task.message.subject == "Llamada de cortesía a Ana García"
    [touch] = touches()
    assert (touch.status, touch.result, touch.due_on) == (
        TouchStatus.DONE,
        TouchResult.TASK_CREATED,
        DELIVERED + dt.timedelta(days=7),
    )
    assert TimelineEvent.objects.filter(customer=ana, kind="followup_task_created").count() == 1


def test_sweeping_again_the_same_day_or_the_next_changes_nothing(seller):
    customer = CustomerFactory()
    bought(customer, sold_on=DELIVERED, delivered_on=DELIVERED, rep=seller)
    for day in (DELIVERED, DELIVERED, DELIVERED + dt.timedelta(days=1)):
        for hour in (9, 10, 23):
            sweep_on(day, hour)

    assert [(t.step.name, t.status) for t in touches()] == [(DELIVERY_VISIT, TouchStatus.DONE)]
    assert StaffTask.objects.count() == 1


def test_an_imported_sale_from_years_ago_fires_nothing(seller):
    customer = CustomerFactory(birthday=None)
    bought(customer, sold_on=dt.date(2019, 5, 2), delivered_on=dt.date(2019, 5, 3), rep=seller, maintenance_interval_months=None)

    sweep_on(dt.date(2025, 3, 3))

    assert touches() == []
    assert not Message.objects.exists()


def test_a_missed_occurrence_happens_within_the_catch_up_window_and_never_after(seller):
    only_steps(USAGE_TIPS)  # day 14, catch-up 3 days
    late = CustomerFactory()
    too_late = CustomerFactory()
    bought(late, sold_on=DELIVERED, delivered_on=DELIVERED)
    bought(too_late, sold_on=DELIVERED - dt.timedelta(days=1), delivered_on=DELIVERED - dt.timedelta(days=1))

    # no sweep ran for days; on day 17 of the first delivery (day 18 of the second) one is still in its window
    sweep_on(DELIVERED + dt.timedelta(days=17))

    assert [(t.customer, t.due_on) for t in touches()] == [(late, DELIVERED + dt.timedelta(days=14))]


def test_a_changed_step_applies_to_every_occurrence_not_yet_due(seller):
    only_steps(COURTESY_CALL)
    early, later = CustomerFactory(), CustomerFactory()
    bought(early, sold_on=DELIVERED, delivered_on=DELIVERED, rep=seller)
    bought(later, sold_on=DELIVERED, delivered_on=DELIVERED + dt.timedelta(days=2), rep=seller)
    sweep_on(DELIVERED + dt.timedelta(days=7))  # the early customer's call is due and made

    call = step(COURTESY_CALL)
    services.step_update(actor=None, step=call, data={"offset_days": 10})

    for offset in range(8, 14):
        sweep_on(DELIVERED + dt.timedelta(days=offset))
    assert [(t.customer, t.due_on) for t in touches()] == [
        (early, DELIVERED + dt.timedelta(days=7)),  # recorded before the change: stays as it was, not repeated
        (later, DELIVERED + dt.timedelta(days=12)),  # not yet due at the change: follows the new offset
    ]
    assert StaffTask.objects.count() == 2


def test_a_touch_left_pending_by_a_crash_is_acted_on_by_the_next_sweep_once(seller, monkeypatch):
    only_steps(USAGE_TIPS)
    customer = CustomerFactory()
    bought(customer, sold_on=DELIVERED, delivered_on=DELIVERED)
    day = DELIVERED + dt.timedelta(days=14)

    # the process dies after queuing the message, before the touch is marked: the transaction rolls back
    import aftersales.followup.services.touches as engine

    def die(**kwargs):
        raise SystemExit("killed")

    monkeypatch.setattr(engine, "timeline_record", die)
    with time_machine.travel(at(day), tick=False):
        touches_record_due()
        with pytest.raises(SystemExit):
            touches_act_pending()
    assert [t.status for t in touches()] == [TouchStatus.PENDING]
    assert not Message.objects.exists()

    monkeypatch.undo()
    sweep_on(day, 11)
    sweep_on(day, 12)
    [touch] = touches()
    assert touch.status == TouchStatus.DONE
    assert Message.objects.get().idempotency_key == f"followup:touch:{touch.pk}"


def test_acting_on_a_touch_twice_does_nothing_the_second_time(seller):
    only_steps(USAGE_TIPS)
    bought(CustomerFactory(), sold_on=DELIVERED, delivered_on=DELIVERED)
    with time_machine.travel(at(DELIVERED + dt.timedelta(days=14)), tick=False):
        touches_record_due()
        [touch] = touches()
        assert touch_act(touch_id=touch.pk) == TouchStatus.DONE
        assert touch_act(touch_id=touch.pk) == ""
    assert Message.objects.count() == 1
    [event] = TimelineEvent.objects.filter(kind="followup_touch")
    # The step's and playbook's names in both languages, for readers of either.
    step = touch.step
    assert (event.data["step"], event.data["step_es"]) == (step.name, step.name_es)
    assert (event.data["playbook"], event.data["playbook_es"]) == (step.playbook.name, step.playbook.name_es)


def test_a_survey_step_asks_feedback_for_a_survey_and_is_skipped_when_nobody_answers():
    from aftersales.feedback.receivers import playbook_survey

    only_steps(SURVEY)
    first, second = CustomerFactory(), CustomerFactory()
    bought(first, sold_on=DELIVERED, delivered_on=DELIVERED)
    bought(second, sold_on=DELIVERED, delivered_on=DELIVERED + dt.timedelta(days=1))

    # without a feedback capability answering, the touch is skipped and nothing is sent
    survey_requested.disconnect(dispatch_uid="aftersales.feedback.survey_requested")
    try:
        sweep_on(DELIVERED + dt.timedelta(days=30))
    finally:
        survey_requested.connect(playbook_survey, dispatch_uid="aftersales.feedback.survey_requested")
    sweep_on(DELIVERED + dt.timedelta(days=31))

    assert [(t.customer, t.status, t.result) for t in touches()] == [
        (first, TouchStatus.SKIPPED, TouchResult.NO_SURVEYS),
        (second, TouchStatus.DONE, TouchResult.SURVEY_REQUESTED),
    ]
    assert [message.customer for message in Message.objects.filter(template_code="feedback_survey")] == [second]


def test_two_units_delivered_together_make_one_visit_not_two(seller):
    only_steps(DELIVERY_VISIT)
    customer = CustomerFactory()
    first = bought(customer, sold_on=DELIVERED, delivered_on=DELIVERED, rep=seller)
    bought(customer, sold_on=DELIVERED, delivered_on=DELIVERED, rep=seller)

    sweep_on(DELIVERED)

    [task] = StaffTask.objects.all()
    assert (task.kind, task.unit) == (TaskKind.VISIT, first)


def test_a_switched_off_step_does_nothing_even_for_a_touch_already_found():
    only_steps(USAGE_TIPS)
    bought(CustomerFactory(), sold_on=DELIVERED, delivered_on=DELIVERED)
    with time_machine.travel(at(DELIVERED + dt.timedelta(days=14)), tick=False):
        touches_record_due()
        services.step_update(actor=None, step=step(USAGE_TIPS), data={"active": False})
        touches_act_pending()
    assert [(t.status, t.result) for t in touches()] == [(TouchStatus.SKIPPED, TouchResult.STEP_INACTIVE)]
    assert not Message.objects.exists()


def test_a_missing_template_fails_the_touch_and_says_why():
    only_steps(USAGE_TIPS)
    from aftersales.messaging.models import MessageTemplate

    MessageTemplate.objects.filter(code="usage_tips_training").delete()
    bought(CustomerFactory(), sold_on=DELIVERED, delivered_on=DELIVERED)

    sweep_on(DELIVERED + dt.timedelta(days=14))

    [touch] = touches()
    assert (touch.status, touch.result) == (TouchStatus.FAILED, TouchResult.TEMPLATE_MISSING)
    assert "usage_tips_training" in touch.detail


def test_a_call_to_a_customer_without_a_phone_number_makes_no_task():
    only_steps(COURTESY_CALL)
    bought(CustomerFactory(phone=""), sold_on=DELIVERED, delivered_on=DELIVERED)

    sweep_on(DELIVERED + dt.timedelta(days=7))

    [touch] = touches()
    assert (touch.status, touch.result, touch.detail) == (TouchStatus.SKIPPED, TouchResult.MESSAGE_SUPPRESSED, "no_address")
    assert touch.message.status == MessageStatus.SUPPRESSED
    assert not StaffTask.objects.exists()
