"""What a playbook step will do, in plain words ("7 days after delivery: a call task for the selling rep").

The editor shows the sentence beside the form as it is being filled in, so it reads a step from plain
values (an unsaved step, its conditions by name) rather than from the database; the playbook page
reads saved steps through :func:`step_describe`. Words come out in the active language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from aftersales.followup.due import REPEATABLE_TRIGGERS
from aftersales.followup.models import Action, AssignTo, PlaybookStep, Trigger

# Per trigger: (before, on the day, after); "%(days)s" is a number of days already put in words.
_WHEN: dict[str, tuple[Promise, Promise, Promise]] = {
    Trigger.SALE: (
        gettext_lazy("%(days)s before the sale"),
        gettext_lazy("On the day of the sale"),
        gettext_lazy("%(days)s after the sale"),
    ),
    Trigger.DELIVERY: (
        gettext_lazy("%(days)s before delivery"),
        gettext_lazy("On the day of delivery"),
        gettext_lazy("%(days)s after delivery"),
    ),
    Trigger.INSTALLATION: (
        gettext_lazy("%(days)s before installation"),
        gettext_lazy("On the day of installation"),
        gettext_lazy("%(days)s after installation"),
    ),
    Trigger.TICKET_RESOLVED: (
        gettext_lazy("%(days)s before a service ticket is resolved"),
        gettext_lazy("On the day a service ticket is resolved"),
        gettext_lazy("%(days)s after a service ticket is resolved"),
    ),
    Trigger.WARRANTY_END: (
        gettext_lazy("%(days)s before the warranty ends"),
        gettext_lazy("On the last day of the warranty"),
        gettext_lazy("%(days)s after the warranty ended"),
    ),
    Trigger.CONTRACT_END: (
        gettext_lazy("%(days)s before a maintenance contract ends"),
        gettext_lazy("On the last day of a maintenance contract"),
        gettext_lazy("%(days)s after a maintenance contract ended"),
    ),
    Trigger.BIRTHDAY: (
        gettext_lazy("%(days)s before the customer's birthday, every year"),
        gettext_lazy("On the customer's birthday, every year"),
        gettext_lazy("%(days)s after the customer's birthday, every year"),
    ),
    Trigger.MAINTENANCE: (
        gettext_lazy("%(days)s before each maintenance date of the product"),
        gettext_lazy("On each maintenance date of the product"),
        gettext_lazy("%(days)s after each maintenance date of the product"),
    ),
    Trigger.EXCHANGE_WINDOW: (
        gettext_lazy("%(days)s before the exchange window closes"),
        gettext_lazy("On the last day of the exchange window"),
        gettext_lazy("%(days)s after the exchange window closed"),
    ),
    Trigger.PURCHASE_ANNIVERSARY: (
        gettext_lazy("%(days)s before each anniversary of a purchase, every year"),
        gettext_lazy("On each anniversary of a purchase, every year"),
        gettext_lazy("%(days)s after each anniversary of a purchase, every year"),
    ),
    Trigger.FIRST_PURCHASE: (
        gettext_lazy("%(days)s before the customer's first purchase"),
        gettext_lazy("On the day of the customer's first purchase"),
        gettext_lazy("%(days)s after the customer's first purchase"),
    ),
}
# Per repeatable trigger: what the repetitions count from.
_EVERY: dict[str, Promise] = {
    Trigger.SALE: gettext_lazy("Every %(months)s after the customer's latest sale"),
    Trigger.DELIVERY: gettext_lazy("Every %(months)s after delivery"),
    Trigger.INSTALLATION: gettext_lazy("Every %(months)s after installation"),
    Trigger.WARRANTY_END: gettext_lazy("Every %(months)s after the warranty ended"),
}
# Triggers known only once they have happened: a step before them cannot run.
_KNOWN_AFTERWARDS = (Trigger.SALE, Trigger.FIRST_PURCHASE, Trigger.DELIVERY, Trigger.INSTALLATION, Trigger.TICKET_RESOLVED)


@dataclass(frozen=True)
class StepDraft:
    """The values of a step the sentence is made of, saved or not; people and scope by name."""

    trigger: str
    offset_days: int = 0
    repeat_months: int | None = None
    catch_up_days: int = 0
    action: str = ""
    template_code: str = ""
    channel: str = ""
    assign_to: str = ""
    assignee: str = ""
    department: str = ""
    task_due_hours: int = 24
    segments: Sequence[str] = ()
    categories: Sequence[str] = ()
    consent_channel: str = ""
    min_sale_value: Decimal | None = None
    gift_voucher_value: Decimal | None = None
    gift_voucher_days: int = 60


@dataclass(frozen=True)
class StepSentences:
    """A step in words: when and what, for whom, and what to look out for."""

    summary: str
    conditions: list[str]
    catch_up: str
    warnings: list[str]


def _days(count: int) -> str:
    return ngettext("%(count)s day", "%(count)s days", count) % {"count": count}


def _months(count: int) -> str:
    return ngettext("%(count)s month", "%(count)s months", count) % {"count": count}


def _shifted(when: str, offset: int) -> str:
    if offset > 0:
        return _("%(when)s, %(days)s later") % {"when": when, "days": _days(offset)}
    if offset < 0:
        return _("%(when)s, %(days)s earlier") % {"when": when, "days": _days(-offset)}
    return when


def when_sentence(draft: StepDraft) -> str:
    """Return when a step's occurrences fall due, e.g. "7 days after delivery"."""
    offset = draft.offset_days or 0
    if draft.trigger == Trigger.NO_CONTACT:
        return _("After %(days)s without any contact with the customer") % {"days": _days(max(offset, 0))}
    if draft.repeat_months and draft.trigger in _EVERY:
        return _shifted(str(_EVERY[draft.trigger]) % {"months": _months(draft.repeat_months)}, offset)
    forms = _WHEN.get(draft.trigger)
    if forms is None:
        return _("When “%(trigger)s” happens") % {"trigger": draft.trigger}
    before, on, after = forms
    if offset < 0:
        return str(before) % {"days": _days(-offset)}
    if offset > 0:
        return str(after) % {"days": _days(offset)}
    return str(on)


def _holder(draft: StepDraft) -> str:
    if draft.assign_to == AssignTo.SELLING_REP:
        return _("the selling rep")
    if draft.assign_to == AssignTo.USER:
        return draft.assignee or _("a staff member still to be chosen")
    if draft.assign_to == AssignTo.QUEUE:
        return _("the %(queue)s queue") % {"queue": draft.department} if draft.department else _("a queue still to be chosen")
    return _("nobody yet")


def _channel_word(channel: str) -> str:
    return {"email": _("an email"), "sms": _("a text message"), "letter": _("a letter")}.get(channel, _("a message"))


def what_sentence(draft: StepDraft) -> str:
    """Return what a step does, e.g. "a call task for the selling rep, to do within 24 hours"."""
    template = draft.template_code or "?"
    hours = ngettext("%(count)s hour", "%(count)s hours", draft.task_due_hours) % {"count": draft.task_due_hours}
    if draft.action == Action.SEND_TEMPLATE:
        sentence = _("%(message)s from the template “%(template)s”") % {
            "message": _channel_word(draft.channel),
            "template": template,
        }
        if draft.gift_voucher_value is not None:
            amount = number_format(draft.gift_voucher_value, decimal_pos=2, use_l10n=True, force_grouping=True)
            gift = _("with a gift voucher worth %(amount)s, valid for %(days)s") % {
                "amount": amount,
                "days": _days(draft.gift_voucher_days),
            }
            sentence = f"{sentence}, {gift}"
        return sentence
    if draft.action == Action.CALL_TASK:
        return _("a call task for %(holder)s with the script “%(template)s”, to do within %(hours)s") % {
            "holder": _holder(draft),
            "template": template,
            "hours": hours,
        }
    if draft.action == Action.VISIT_TASK:
        return _("a visit task for %(holder)s, to do within %(hours)s") % {"holder": _holder(draft), "hours": hours}
    if draft.action == Action.PROPOSE_WORK_ORDER:
        return _("a task for %(holder)s to propose a work order, within %(hours)s") % {"holder": _holder(draft), "hours": hours}
    if draft.action == Action.SEND_SURVEY:
        return _("a satisfaction survey")
    return _("nothing yet: choose an action")


def condition_sentences(draft: StepDraft) -> list[str]:
    """Return who a step is limited to, one sentence per condition (none: every customer in the playbook's scope)."""
    found = []
    if draft.segments:
        found.append(_("Customers in the segments: %(names)s") % {"names": ", ".join(draft.segments)})
    if draft.categories:
        found.append(_("Products in the categories (or below): %(names)s") % {"names": ", ".join(draft.categories)})
    if draft.consent_channel:
        labels = {"email": _("email"), "sms": _("SMS"), "phone": _("phone"), "post": _("post")}
        channel = labels.get(draft.consent_channel, draft.consent_channel)
        found.append(_("Customers who agreed to be contacted by %(channel)s") % {"channel": channel})
    if draft.min_sale_value is not None:
        amount = number_format(draft.min_sale_value, decimal_pos=2, use_l10n=True, force_grouping=True)
        found.append(_("Sales worth at least %(amount)s") % {"amount": amount})
    return found


def warning_sentences(draft: StepDraft) -> list[str]:
    """Return why a step, as written, may never do anything."""
    found = []
    if (draft.offset_days or 0) < 0 and draft.trigger in _KNOWN_AFTERWARDS and not draft.repeat_months:
        found.append(_("This trigger is only known once it has happened, so a step before it never runs."))
    if draft.repeat_months and draft.trigger not in REPEATABLE_TRIGGERS:
        found.append(_("This trigger cannot repeat every few months."))
    if draft.action == Action.SEND_SURVEY:
        found.append(_("A customer already surveyed in the last few weeks is not asked again (the fatigue rule)."))
    return found


def draft_describe(draft: StepDraft) -> StepSentences:
    """Return a step in words."""
    catch_up = ngettext(
        "An occurrence missed by up to %(count)s day still happens; older ones never do.",
        "An occurrence missed by up to %(count)s days still happens; older ones never do.",
        draft.catch_up_days,
    ) % {"count": draft.catch_up_days}
    if not draft.catch_up_days:
        catch_up = _("Only occurrences due on the day itself happen; a missed one never does.")
    summary = _("%(when)s: %(what)s.") % {"when": when_sentence(draft), "what": what_sentence(draft)}
    return StepSentences(summary, condition_sentences(draft), catch_up, warning_sentences(draft))


def step_draft(step: PlaybookStep, *, language: str) -> StepDraft:
    """Return the values of a saved step for :func:`draft_describe` (its conditions loaded or prefetched)."""
    return StepDraft(
        trigger=step.trigger,
        offset_days=step.offset_days,
        repeat_months=step.repeat_months,
        catch_up_days=step.catch_up_days,
        action=step.action,
        template_code=step.template_code,
        channel=step.channel,
        assign_to=step.assign_to,
        assignee=str(step.assignee) if step.assignee_id and step.assignee else "",
        department=step.department.display_name(language) if step.department_id and step.department else "",
        task_due_hours=step.task_due_hours,
        segments=[segment.name for segment in step.segments.all()],
        categories=[category.display_name(language) for category in step.categories.all()],
        consent_channel=step.consent_channel,
        min_sale_value=step.min_sale_value,
        gift_voucher_value=step.gift_voucher_value,
        gift_voucher_days=step.gift_voucher_days,
    )


def step_describe(step: PlaybookStep, *, language: str) -> StepSentences:
    """Return a saved step in words."""
    return draft_describe(step_draft(step, language=language))
