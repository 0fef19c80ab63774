"""Building blocks for follow-up tests: a purchase, a day's sweep, the default playbook's steps by name."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import time_machine

from aftersales.followup import services
from aftersales.followup.models import Playbook, PlaybookStep, Touch
from aftersales.followup.services import followup_sweep
from tests.factories import ProductFactory, SaleFactory, SaleLineFactory, UnitFactory

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")

DELIVERY_VISIT = "Delivery visit by the selling rep"
COURTESY_CALL = "Courtesy call: how is the product working?"
USAGE_TIPS = "Usage tips and training offer"
SURVEY = "Satisfaction survey"
MAINTENANCE = "Maintenance reminder"
WARRANTY_OFFER = "Maintenance contract or extended warranty offer"
BIRTHDAY = "Birthday greeting"
EXCHANGE = "Exchange window closing"
CHECK_IN = "Check-in with high-value customers"


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """Return a local moment in Madrid on a day."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=MADRID)


def step(name: str) -> PlaybookStep:
    return PlaybookStep.objects.select_related("playbook").get(name=name)


def custom_step(**data) -> PlaybookStep:
    """Switch off the default playbook and return one step of a new one (an email by default)."""
    Playbook.objects.update(active=False)
    playbook = services.playbook_create(actor=None, data={"name": f"Test {data.get('name', '')}"})
    fields = {"name": "Test step", "action": "send_template", "template_code": "usage_tips", "channel": "email", **data}
    return services.step_create(actor=None, playbook=playbook, data=fields)


def only_steps(*names: str) -> None:
    """Switch off every step of the default playbook except the named ones."""
    PlaybookStep.objects.exclude(name__in=names).update(active=False)


def bought(customer, *, sold_on, delivered_on=None, installed_on=None, rep=None, total="499.00", product=None, **product_terms):
    """Return the unit of a one-line sale, delivered and installed at 11:00 on the days given."""
    product = product or ProductFactory(**product_terms)
    sale = SaleFactory(customer=customer, sold_on=sold_on, sales_rep=rep, total=Decimal(total))
    line = SaleLineFactory(sale=sale, product=product, unit_price=Decimal(total))
    return UnitFactory(
        sale_line=line,
        delivered_at=at(delivered_on, 11) if delivered_on else None,
        installed_at=at(installed_on, 11) if installed_on else None,
    )


def sweep_on(day: dt.date, hour: int = 10) -> dict[str, int]:
    """Run the follow-up sweep at a local hour of a day."""
    with time_machine.travel(at(day, hour), tick=False):
        return followup_sweep()


def touches(name: str | None = None) -> list[Touch]:
    queryset = Touch.objects.select_related("step").order_by("due_on", "pk")
    return list(queryset.filter(step__name=name) if name else queryset)
