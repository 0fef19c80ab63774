"""Build the demo company: staff for every role, a catalogue, and three years of bilingual customers and sales.

The same ``seed`` and ``today`` always give the same names, emails, phones, serials,
sale numbers, amounts and dates (relative to ``today``); nothing depends on the clock
or on database ids.

Staff, categories, products and segments go through the services. Customers, sales,
units and their timeline events are planned in memory and written in bulk, because
the services stamp "now" on what they record (customer creation, consent, status
changes) and a three-year history has to carry the dates it happened on; the rows
are still cleaned by ``customer_clean`` and the timeline receives the same kinds of
event, with the same data, that the services write. 10,000 customers take well
under a minute this way.

The build refuses a database that already holds customers, sales or products unless
``append=True``: then staff, catalogue and segments are reused and the new customers
are added beside the existing ones (emails, serials and sale numbers stay unique).
"""

from __future__ import annotations

import datetime as dt
import random
import re
import time
import unicodedata
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate
from typing import Any, Protocol, TypeVar

import phonenumbers
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.catalog.models import Category, Product
from aftersales.catalog.services import category_create, product_create
from aftersales.core.dates import add_months
from aftersales.core.errors import Conflict, FieldError, ValidationFailed
from aftersales.core.models import Department, Language, TimelineEvent, User
from aftersales.core.roles import Role
from aftersales.core.timeline import timeline_build
from aftersales.customers.models import AgeBand, Channel, Customer, EducationLevel, Segment
from aftersales.customers.services import customer_clean, segment_get_or_create
from aftersales.demo import data
from aftersales.demo.contracts import contracts_build
from aftersales.demo.data import CategorySpec, Place, ProductSpec
from aftersales.demo.feedback import feedback_build
from aftersales.demo.fieldwork import fieldwork_build
from aftersales.demo.loyalty import loyalty_build
from aftersales.demo.offers import offers_build
from aftersales.demo.repairs import repairs_build
from aftersales.demo.returns import returns_build
from aftersales.demo.service_desk import service_desk_build
from aftersales.demo.visits import visits_build
from aftersales.demo.warranty import warranty_build
from aftersales.sales.models import Sale, SaleChannel, SaleLine, Unit, UnitStatus

# A demo-only password for the demo staff, printed by ``aftersales up``. Never use it for real accounts.
DEMO_PASSWORD = "aftersales-demo"  # noqa: S105 - printed on purpose, demo databases only

YEARS_OF_HISTORY = 3
BATCH_CUSTOMERS = 250
SEGMENTS = {"vip": "VIP", "business": "Business", "new": "New customer"}
# Sales by month (January = index 0): January sales, a summer peak, a quiet August, Black Friday and Christmas.
MONTH_FACTORS = (1.1, 0.75, 0.9, 0.95, 1.0, 1.05, 1.15, 0.8, 0.95, 1.0, 1.35, 1.5)
# Sales by weekday (Monday = index 0): Saturdays are busiest; on Sundays only the web shop sells.
WEEKDAY_FACTORS = (0.8, 0.85, 0.9, 0.95, 1.15, 1.4, 0.45)

T = TypeVar("T")


class Writable(Protocol):
    """Where progress goes: a file, or a management command's stdout."""

    def write(self, text: str) -> object: ...


@dataclass(frozen=True)
class DemoSummary:
    """What a build wrote."""

    customers: int
    customers_by_language: dict[str, int]
    staff: int
    categories: int
    products: int
    sales: int
    units: int
    events: int
    first_sale: dt.date | None
    last_sale: dt.date | None
    seconds: float
    tickets: int = 0

    def line(self) -> str:
        """Return the summary as one line for the command line."""
        languages = ", ".join(f"{count} {code}" for code, count in sorted(self.customers_by_language.items()))
        span = f" from {self.first_sale} to {self.last_sale}" if self.first_sale else ""
        return (
            f"Demo company ready: {self.customers} customers ({languages}), {self.staff} staff, "
            f"{self.products} products in {self.categories} categories, {self.sales} sales{span}, "
            f"{self.units} units, {self.events} timeline events, {self.tickets} tickets in {self.seconds:.1f} s."
        )


# --- the plan: everything decided in memory before anything is written -------------------------------------


@dataclass
class UnitPlan:
    product: ProductSpec
    serial: str
    delivered_at: dt.datetime | None = None
    installed_at: dt.datetime | None = None
    installer: str | None = None
    status: str = UnitStatus.IN_SERVICE
    status_changed_at: dt.datetime | None = None
    status_actor: str | None = None
    # The unit that took this one's place when it was replaced.
    replacement: UnitPlan | None = None


@dataclass
class LinePlan:
    product: ProductSpec
    quantity: int
    unit_price: Decimal
    units: list[UnitPlan]


@dataclass
class SalePlan:
    sold_at: dt.datetime
    channel: str
    rep: str | None
    # The numbering series of the proof of purchase (a shop's till for the day, the web shop…); empty for none.
    receipt_series: str
    lines: list[LinePlan]
    number: str = ""
    receipt_number: str = ""

    @property
    def total(self) -> Decimal:
        return sum((line.unit_price * line.quantity for line in self.lines), Decimal("0"))


@dataclass
class ConsentPlan:
    channel: str
    given_at: dt.datetime
    withdrawn_at: dt.datetime | None = None


@dataclass
class CustomerPlan:
    fields: dict[str, Any]
    business: bool
    created_at: dt.datetime
    created_by: str | None
    sales: list[SalePlan]
    consents: list[ConsentPlan] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Buyer:
    country: str
    city: str
    business: bool


class _Planner:
    """Decide, from a seeded random generator, who the customers are and what they bought."""

    def __init__(
        self,
        *,
        seed: int,
        today: dt.date,
        taken_emails: set[str],
        taken_serials: dict[str, set[str]],
        next_sale_numbers: dict[int, int],
    ) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.taken_emails = taken_emails
        self.taken_serials = taken_serials
        self.next_sale_numbers = next_sale_numbers
        self.categories = {spec.slug: spec for spec in data.CATEGORIES}
        first_day = today - dt.timedelta(days=365 * YEARS_OF_HISTORY)
        self.days = [first_day + dt.timedelta(days=offset) for offset in range((today - first_day).days)]
        self.day_weights = list(accumulate(self._day_weight(day, index) for index, day in enumerate(self.days)))
        self._product_weights: dict[tuple[int, bool], list[float]] = {}

    # Small helpers -----------------------------------------------------------------------------------------

    def pick(self, items: Sequence[T], weights: Sequence[float] | None = None) -> T:
        return self.rng.choices(items, weights=weights)[0] if weights else self.rng.choice(items)

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def moment(self, day: dt.date, first_hour: int, last_hour: int) -> dt.datetime:
        """Return a time on a day between two hours, in the business's time zone."""
        minutes = self.rng.randint(first_hour * 60, last_hour * 60 - 1)
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=self.zone)

    def before_today(self, moment: dt.datetime) -> dt.datetime | None:
        """Return the moment when it is before today, None when it has not happened yet."""
        return moment if moment.astimezone(self.zone).date() < self.today else None

    def _day_weight(self, day: dt.date, index: int) -> float:
        growth = 0.8 + 0.4 * index / len(self.days)  # the business grows about 50 % over the three years
        holiday = 0.05 if (day.month, day.day) in {(1, 1), (1, 6), (12, 25)} else 1.0
        return MONTH_FACTORS[day.month - 1] * WEEKDAY_FACTORS[day.weekday()] * growth * holiday

    # Customers ---------------------------------------------------------------------------------------------

    def customer(self) -> CustomerPlan:
        spanish = self.chance(0.5)
        country = "ES" if spanish else self.pick(list(data.ENGLISH_COUNTRIES), list(data.ENGLISH_COUNTRIES.values()))
        language = Language.SPANISH if spanish else Language.ENGLISH
        business = self.chance(0.1)
        place = self.pick(data.PLACES[country])
        if business:
            name, email = self.company(country, language)
        else:
            name, email = self.person(country)
        fields: dict[str, Any] = {
            "name": name,
            "email": email,
            "phone": self.phone(country, place),
            "language": language,
            "country": country,
            "city": place.city,
            "region": place.region,
            "postal_code": self.postal_code(country, place),
            "time_zone": place.time_zone,
            **self.address(country),
        }
        if not business:
            fields.update(self.demographics())
        if self.chance(0.08):
            fields["notes"] = self.pick(data.NOTES[language])
        sales = self.sales(_Buyer(country=country, city=place.city, business=business))
        first = sales[0]
        plan = CustomerPlan(
            fields=fields,
            business=business,
            created_at=first.sold_at - dt.timedelta(minutes=self.rng.randint(3, 40)),
            created_by=first.rep,
            sales=sales,
        )
        plan.consents = self.consents(plan)
        plan.segments = self.segments(plan)
        return plan

    def person(self, country: str) -> tuple[str, str]:
        if country == "ES":
            first = self.pick(data.SPANISH_FIRST_NAMES)
            surnames = self.rng.sample(data.SPANISH_SURNAMES, 2)
            name = f"{first} {surnames[0]} {surnames[1]}"
            last = surnames[0]
        else:
            first = self.pick(data.ENGLISH_FIRST_NAMES)
            last = self.pick(data.ENGLISH_SURNAMES[country])
            name = f"{first} {last}"
        if self.chance(0.04):
            return name, ""  # no email: reachable by phone only
        first_ascii, last_ascii = _ascii(first), _ascii(last)
        local = self.pick(
            [
                f"{first_ascii}.{last_ascii}",
                f"{first_ascii[0]}{last_ascii}",
                f"{first_ascii}{last_ascii}{self.rng.randint(60, 99)}",
                f"{first_ascii}_{last_ascii}",
                f"{last_ascii}.{first_ascii}",
            ]
        )
        return name, self.unique_email(local, self.pick(data.EMAIL_DOMAINS))

    def company(self, country: str, language: str) -> tuple[str, str]:
        trades, legal_forms = data.BUSINESS_NAMES[country]
        trade, legal_form = self.pick(trades), self.pick(legal_forms)
        if country == "ES":
            owner = self.pick(data.SPANISH_SURNAMES)
            name = f"{trade} {owner} {legal_form}"
            slug = f"{_ascii(trade)}-{_ascii(owner)}"
        else:
            owner = self.pick(data.ENGLISH_SURNAMES[country])
            name = f"{owner} {trade} {legal_form}"
            slug = f"{_ascii(owner)}-{_ascii(trade)}"
        return name, self.unique_email(self.pick(data.BUSINESS_MAILBOXES[language]), f"{slug}.example.com")

    def unique_email(self, local: str, domain: str) -> str:
        email, suffix = f"{local}@{domain}", 1
        while email in self.taken_emails:
            suffix += 1
            email = f"{local}{suffix}@{domain}"
        self.taken_emails.add(email)
        return email

    def phone(self, country: str, place: Place) -> str:
        """Return a random mobile (a landline in the US) that ``phonenumbers`` accepts, in E.164."""
        while True:
            if country == "ES":
                candidate = "+346" + self.digits(8) if self.chance(0.85) else f"+347{self.rng.randint(1, 4)}" + self.digits(7)
            elif country == "GB":
                candidate = "+447" + self.pick("4579") + self.digits(8)
            elif country == "IE":
                candidate = "+3538" + self.pick("35679") + self.digits(7)
            else:
                candidate = "+1" + self.pick(place.area_codes) + str(self.rng.randint(2, 9)) + self.digits(6)
            if phonenumbers.is_valid_number(phonenumbers.parse(candidate)):
                return candidate

    def digits(self, count: int) -> str:
        return "".join(str(self.rng.randint(0, 9)) for _ in range(count))

    def postal_code(self, country: str, place: Place) -> str:
        prefix = self.pick(place.postal_prefixes)
        if country in {"ES", "US"}:
            return f"{prefix}{self.rng.randint(1, 50):02d}"
        if country == "GB":
            return f"{prefix} {self.rng.randint(1, 9)}{''.join(self.rng.choices('ABDEFGHJLNPQRSTUWXYZ', k=2))}"
        return f"{prefix} {''.join(self.rng.choices('ACDEFHKNPRTVWXY0123456789', k=4))}"

    def address(self, country: str) -> dict[str, str]:
        street, number = self.pick(data.STREETS[country]), self.rng.randint(1, 180)
        if country == "ES":
            line2 = f"{self.rng.randint(1, 9)}º {self.pick('ABCD')}" if self.chance(0.6) else ""
            return {"address_line1": f"{street}, {number}", "address_line2": line2}
        if country == "US":
            line2 = f"Apt {self.rng.randint(1, 30)}{self.pick('ABCD')}" if self.chance(0.3) else ""
            return {"address_line1": f"{number * 10 + self.rng.randint(0, 9)} {street}", "address_line2": line2}
        line2 = f"Flat {self.rng.randint(1, 12)}" if self.chance(0.2) else ""
        return {"address_line1": f"{number} {street}", "address_line2": line2}

    def demographics(self) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if self.chance(0.75):
            age_days = self.rng.randint(19 * 365, 85 * 365)
            birthday = self.today - dt.timedelta(days=age_days)
            fields["birthday"] = birthday
            if self.chance(0.6):
                fields["age_band"] = _age_band(age_days // 365)
        if self.chance(0.35):
            fields["education_level"] = self.pick(
                [EducationLevel.PRIMARY, EducationLevel.SECONDARY, EducationLevel.TERTIARY, EducationLevel.POSTGRADUATE],
                [1, 4, 4, 1],
            )
        return fields

    def consents(self, plan: CustomerPlan) -> list[ConsentPlan]:
        odds = {Channel.EMAIL: 0.7, Channel.SMS: 0.45, Channel.PHONE: 0.3, Channel.POST: 0.15}
        later = [sale.sold_at for sale in plan.sales[1:]]
        consents = []
        for channel, probability in odds.items():
            if channel == Channel.EMAIL and not plan.fields["email"]:
                continue
            if self.chance(probability):
                given_at = plan.created_at + dt.timedelta(minutes=1)
            elif later and self.chance(0.3):
                given_at = self.pick(later) + dt.timedelta(minutes=2)
            else:
                continue
            consent = ConsentPlan(channel=channel, given_at=given_at)
            if channel == Channel.EMAIL and self.chance(0.07):
                days_left = (self.today - given_at.date()).days - 1
                if days_left > 1:
                    consent.withdrawn_at = self.moment(given_at.date() + dt.timedelta(days=self.rng.randint(1, days_left)), 8, 22)
            consents.append(consent)
        return consents

    def segments(self, plan: CustomerPlan) -> list[str]:
        spent = sum((sale.total for sale in plan.sales), Decimal("0"))
        segments = []
        if spent >= 5000 or (len(plan.sales) >= 3 and spent >= 3000):
            segments.append("vip")
        if plan.business:
            segments.append("business")
        if (self.today - plan.sales[0].sold_at.date()).days <= 90:
            segments.append("new")
        return segments

    # Sales -------------------------------------------------------------------------------------------------

    def sales(self, buyer: _Buyer) -> list[SalePlan]:
        counts, weights = ((1, 2, 3, 4, 5), (20, 30, 25, 15, 10)) if buyer.business else ((1, 2, 3, 4), (55, 28, 12, 5))
        wanted = self.pick(counts, weights)
        day = self.rng.choices(self.days, cum_weights=self.day_weights)[0]
        sales: list[SalePlan] = []
        while len(sales) < wanted and day < self.today:
            sales.append(self.sale(day, buyer))
            day += dt.timedelta(days=self.rng.randint(15, 420))
        return sales

    def sale(self, day: dt.date, buyer: _Buyer) -> SalePlan:
        channel = self.channel(buyer.country, buyer.business)
        if day.weekday() == 6 and channel != SaleChannel.ONLINE:
            channel = SaleChannel.ONLINE  # shops, phone line and reps rest on Sundays
        hours = {SaleChannel.STORE: (10, 21), SaleChannel.ONLINE: (7, 24), SaleChannel.PHONE: (9, 19), SaleChannel.FIELD: (9, 18)}
        sold_at = self.moment(day, *hours[SaleChannel(channel)])
        rep = None if channel == SaleChannel.ONLINE else self.rep(buyer.country)
        count = self.pick((1, 2, 3), (70, 22, 8))
        products: list[ProductSpec] = []
        while len(products) < count:
            product = self.product(day.month, buyer.business)
            if product not in products:
                products.append(product)
        lines = [self.line(product, sold_at, channel, buyer) for product in products]
        series = self.receipt_series(channel, sold_at, buyer.city)
        return SalePlan(sold_at=sold_at, channel=channel, rep=rep, receipt_series=series, lines=lines)

    def channel(self, country: str, business: bool) -> str:
        if business:
            weights = (20, 10, 25, 45)
        elif country == "ES":
            weights = (60, 20, 10, 10)
        else:
            weights = (8, 62, 24, 6)  # abroad: mostly the web shop and the phone line
        return self.pick([SaleChannel.STORE, SaleChannel.ONLINE, SaleChannel.PHONE, SaleChannel.FIELD], weights)

    def rep(self, country: str) -> str:
        if country == "ES":
            return self.pick(["rep.ana", "rep.lucia", "rep.james"], [45, 45, 10])
        return self.pick(["rep.ana", "rep.lucia", "rep.james"], [15, 15, 70])

    def receipt_series(self, channel: str, sold_at: dt.datetime, city: str) -> str:
        """Return the series of the sale's proof: the shop's till of the day, web orders, phone orders or delivery notes."""
        if self.chance(0.03):
            return ""  # no proof of purchase kept
        if channel == SaleChannel.STORE:
            store = next((code for code, cities in data.STORES.items() if city in cities), "MAD-CAS")
            return f"{store}-{sold_at:%y%m%d}"
        prefix = {SaleChannel.ONLINE: "WEB", SaleChannel.PHONE: "TEL", SaleChannel.FIELD: "ALB"}[SaleChannel(channel)]
        return f"{prefix}-{sold_at:%y}"

    def product(self, month: int, business: bool) -> ProductSpec:
        key = (month, business)
        if key not in self._product_weights:
            weights = []
            for product in data.PRODUCTS:
                category = self.categories[product.category]
                weight = category.weight_business if business else category.weight_private
                weights.append(weight * (2.0 if month in category.peak_months else 1.0))
            self._product_weights[key] = list(accumulate(weights))
        return self.rng.choices(data.PRODUCTS, cum_weights=self._product_weights[key])[0]

    def line(self, product: ProductSpec, sold_at: dt.datetime, channel: str, buyer: _Buyer) -> LinePlan:
        quantities = product.quantities
        quantity = self.pick(quantities, [len(quantities) - index for index in range(len(quantities))])
        if buyer.business and self.chance(0.1):
            quantity += 1
        units = [self.unit(product, sold_at, channel, buyer.country) for _ in range(quantity)]
        price = self.price(product, sold_at, buyer.business)
        return LinePlan(product=product, quantity=quantity, unit_price=price, units=units)

    def price(self, product: ProductSpec, sold_at: dt.datetime, business: bool) -> Decimal:
        """Return the price paid: that year's list price (about 3 % lower per year back) less any discount."""
        years_back = (self.today - sold_at.date()).days // 365
        price = product.list_price
        if years_back:
            price = (price / Decimal("1.03") ** years_back).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        discount = self.pick((0, 5, 10, 15, 20), (70, 12, 10, 5, 3) if sold_at.month != 11 else (35, 15, 25, 15, 10))
        if business:
            discount += 5
        return (price * (100 - discount) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    # Units -------------------------------------------------------------------------------------------------

    def unit(self, product: ProductSpec, sold_at: dt.datetime, channel: str, country: str) -> UnitPlan:
        unit = UnitPlan(product=product, serial=self.serial(product, sold_at.date()))
        unit.delivered_at = self.before_today(self.delivery(product, sold_at, channel))
        if unit.delivered_at and product.needs_installation:
            self.install(unit, unit.delivered_at, country)
        if unit.delivered_at:
            self.after_delivery(unit, country)
        return unit

    def delivery(self, product: ProductSpec, sold_at: dt.datetime, channel: str) -> dt.datetime:
        """Return when a unit reaches the customer: carried home, shipped, or delivered by a crew."""
        if channel == SaleChannel.STORE and product.category in {"electronics", "bicycles"}:
            return sold_at + dt.timedelta(minutes=self.rng.randint(10, 30))
        low, high = {"machinery": (5, 15), "furniture": (7, 30)}.get(product.category, (1, 7))
        if channel in {SaleChannel.ONLINE, SaleChannel.PHONE} and product.category not in {"machinery", "furniture"}:
            low, high = 2, 6
        return self.moment(sold_at.date() + dt.timedelta(days=self.rng.randint(low, high)), 9, 19)

    def install(self, unit: UnitPlan, delivered_at: dt.datetime, country: str) -> None:
        day = delivered_at.astimezone(self.zone).date() + dt.timedelta(days=self.rng.randint(0, 6))
        installed_at = max(self.moment(day, 9, 18), delivered_at + dt.timedelta(hours=1))
        unit.installed_at = self.before_today(installed_at)
        if unit.installed_at:
            unit.installer = "tech.luis" if country == "ES" else self.pick(["tech.sarah", "tech.luis"], [80, 20])

    def after_delivery(self, unit: UnitPlan, country: str) -> None:
        """Return, replace under warranty or scrap a few units."""
        assert unit.delivered_at is not None
        delivered_on = unit.delivered_at.astimezone(self.zone).date()
        days_since = (self.today - delivered_on).days - 1
        category = self.categories[unit.product.category]
        agent = "agent.carmen" if country == "ES" else "agent.tom"
        roll = self.rng.random()
        if roll < 0.02 and category.return_window_days and days_since >= 1:
            self.status_change(unit, UnitStatus.RETURNED, delivered_on, min(category.return_window_days, days_since), agent)
        elif roll < 0.035 and days_since >= 20:
            warranty_days = (add_months(delivered_on, category.warranty_months) - delivered_on).days
            self.status_change(unit, UnitStatus.REPLACED, delivered_on, min(warranty_days, days_since), agent, first_day=20)
            self.replace(unit, country)
        elif roll < 0.055 and days_since > 540:
            technician = "tech.luis" if country == "ES" else "tech.sarah"
            self.status_change(unit, UnitStatus.SCRAPPED, delivered_on, days_since, technician, first_day=540)

    def status_change(
        self, unit: UnitPlan, status: str, since: dt.date, last_day: int, actor: str, *, first_day: int = 1
    ) -> None:
        unit.status = status
        unit.status_changed_at = self.moment(since + dt.timedelta(days=self.rng.randint(first_day, last_day)), 9, 19)
        unit.status_actor = actor

    def replace(self, unit: UnitPlan, country: str) -> None:
        assert unit.status_changed_at is not None
        replacement = UnitPlan(product=unit.product, serial=self.serial(unit.product, unit.status_changed_at.date()))
        replacement.delivered_at = self.before_today(unit.status_changed_at + dt.timedelta(days=self.rng.randint(1, 5)))
        if replacement.delivered_at and unit.product.needs_installation:
            self.install(replacement, replacement.delivered_at, country)
        unit.replacement = replacement

    def serial(self, product: ProductSpec, sold_on: dt.date) -> str:
        """Return a new serial in the brand's format, stamped with a plausible manufacturing date."""
        taken = self.taken_serials.setdefault(product.sku, set())
        while True:
            made = sold_on - dt.timedelta(days=self.rng.randint(20, 240))
            text = (
                product.serial_pattern.replace("{yy}", f"{made:%y}")
                .replace("{mm}", f"{made:%m}")
                .replace("{ww}", f"{made.isocalendar().week:02d}")
            )
            serial = "".join(self._serial_char(char) for char in text)
            if serial not in taken:
                taken.add(serial)
                return serial

    def _serial_char(self, char: str) -> str:
        if char == "#":
            return str(self.rng.randint(0, 9))
        if char == "@":
            return self.rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ")
        if char == "*":
            return self.rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789")
        return char

    def number_sales(self, plans: list[CustomerPlan]) -> None:
        """Number every sale and its proof in date order: one sequence per year (S-2025-000001…) and per series."""
        ordered = sorted(
            (
                (sale.sold_at, index, position, sale)
                for index, plan in enumerate(plans)
                for position, sale in enumerate(plan.sales)
            ),
            key=lambda row: row[:3],
        )
        receipts: Counter[str] = Counter()
        for sold_at, _index, _position, sale in ordered:
            self.next_sale_numbers[sold_at.year] = self.next_sale_numbers.get(sold_at.year, 0) + 1
            sale.number = f"S-{sold_at.year}-{self.next_sale_numbers[sold_at.year]:06d}"
            if sale.receipt_series:
                if sale.receipt_series not in receipts:
                    # Tills restart every day; the other series run all year and started before the first demo sale.
                    receipts[sale.receipt_series] = (
                        self.rng.randint(0, 3) if sale.channel == SaleChannel.STORE else self.rng.randint(10, 900)
                    )
                receipts[sale.receipt_series] += 1
                sale.receipt_number = f"{sale.receipt_series}-{receipts[sale.receipt_series]:05d}"


def _ascii(text: str) -> str:
    """Return a lowercase ASCII slug of a name for an email address ("Núñez" → "nunez")."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "", folded)


def _age_band(age: int) -> str:
    if age < 25:
        return AgeBand.UNDER_25
    if age < 40:
        return AgeBand.FROM_25_TO_39
    if age < 55:
        return AgeBand.FROM_40_TO_54
    if age < 70:
        return AgeBand.FROM_55_TO_69
    return AgeBand.OVER_70


# --- writing --------------------------------------------------------------------------------------------------


@dataclass
class _SaleRow:
    plan: SalePlan
    customer: Customer
    sale: Sale


@dataclass
class _UnitRow:
    plan: UnitPlan
    sale: _SaleRow
    unit: Unit


class _Writer:
    """Write planned customers in bulk, with the timeline events the services would have recorded."""

    def __init__(self, *, staff: dict[str, User], products: dict[str, Product], segments: dict[str, Segment]) -> None:
        self.staff = staff
        self.products = products
        self.segments = segments
        self.currency = settings.DEFAULT_CURRENCY
        self.counts: Counter[str] = Counter()

    def write(self, plans: list[CustomerPlan]) -> None:
        customers = self.write_customers(plans)
        sales = [
            _SaleRow(plan, customer, self.sale(plan, customer))
            for customer_plan, customer in zip(plans, customers)
            for plan in customer_plan.sales
        ]
        Sale.objects.bulk_create([row.sale for row in sales])
        units = self.write_units(sales)
        events = [event for plan, customer in zip(plans, customers) for event in self.customer_events(plan, customer)]
        events += [event for row in sales for event in self.sale_events(row)]
        events += [event for row in units for event in self.unit_events(row)]
        TimelineEvent.objects.bulk_create(events, batch_size=2000)
        self.counts.update(customers=len(customers), sales=len(sales), units=len(units), events=len(events))

    def write_customers(self, plans: list[CustomerPlan]) -> list[Customer]:
        customers = [self.customer(plan) for plan in plans]
        Customer.objects.bulk_create(customers)
        through = Customer.segments.through
        memberships = [
            through(customer_id=customer.pk, segment_id=self.segments[slug].pk)
            for plan, customer in zip(plans, customers)
            for slug in plan.segments
        ]
        through.objects.bulk_create(memberships)
        return customers

    def write_units(self, sales: list[_SaleRow]) -> list[_UnitRow]:
        """Write the lines and their units, then the units that replaced some of them."""
        lines = []
        units = []
        for row in sales:
            for position, line_plan in enumerate(row.plan.lines, start=1):
                line = SaleLine(
                    sale=row.sale,
                    position=position,
                    product=self.products[line_plan.product.sku],
                    quantity=line_plan.quantity,
                    unit_price=line_plan.unit_price,
                )
                lines.append(line)
                units += [_UnitRow(plan, row, self.unit(plan, row, line, row.plan.sold_at)) for plan in line_plan.units]
        SaleLine.objects.bulk_create(lines)
        Unit.objects.bulk_create([row.unit for row in units])
        replacements = [
            _UnitRow(
                row.plan.replacement,
                row.sale,
                self.unit(row.plan.replacement, row.sale, row.unit.sale_line, row.plan.status_changed_at, replaces=row.unit),
            )
            for row in units
            if row.plan.replacement is not None and row.plan.status_changed_at is not None
        ]
        Unit.objects.bulk_create([row.unit for row in replacements])
        return units + replacements

    def customer(self, plan: CustomerPlan) -> Customer:
        cleaned, errors = customer_clean(plan.fields)
        if errors:
            raise ValidationFailed(errors=errors)
        customer = Customer(**cleaned, created_at=plan.created_at)
        for consent in plan.consents:
            if consent.withdrawn_at is None:
                setattr(customer, f"consent_{consent.channel}_at", consent.given_at)
        return customer

    def sale(self, plan: SalePlan, customer: Customer) -> Sale:
        return Sale(
            number=plan.number,
            sold_on=timezone.localdate(plan.sold_at),
            channel=plan.channel,
            sales_rep=self.staff[plan.rep] if plan.rep else None,
            customer=customer,
            receipt_number=plan.receipt_number,
            currency=self.currency,
            total=plan.total,
            created_at=plan.sold_at,
        )

    def unit(
        self, plan: UnitPlan, row: _SaleRow, line: SaleLine | None, created_at: dt.datetime, *, replaces: Unit | None = None
    ) -> Unit:
        return Unit(
            product=self.products[plan.product.sku],
            serial=plan.serial,
            sale_line=line,
            customer=row.customer,
            delivered_at=plan.delivered_at,
            installed_at=plan.installed_at,
            status=plan.status,
            replaces=replaces,
            created_at=created_at,
        )

    def event(
        self, customer: Customer, kind: str, at: dt.datetime, actor: str | None, data: dict[str, str], unit: Unit | None = None
    ) -> TimelineEvent:
        event = timeline_build(
            customer=customer, unit=unit, kind=kind, occurred_at=at, actor=self.staff[actor] if actor else None, data=data
        )
        event.recorded_at = at  # recorded as it happened, as if the company had used Aftersales all along
        return event

    def customer_events(self, plan: CustomerPlan, customer: Customer) -> list[TimelineEvent]:
        events = [self.event(customer, "customer_created", plan.created_at, plan.created_by, {})]
        for consent in plan.consents:
            given = {"channel": consent.channel, "state": "given"}
            events.append(self.event(customer, "consent_changed", consent.given_at, plan.created_by, given))
            if consent.withdrawn_at:
                withdrawn = {"channel": consent.channel, "state": "withdrawn"}
                events.append(self.event(customer, "consent_changed", consent.withdrawn_at, None, withdrawn))
        return events

    def sale_events(self, row: _SaleRow) -> list[TimelineEvent]:
        data = {"sale": row.sale.number, "total": f"{row.sale.total} {row.sale.currency}"}
        return [self.event(row.customer, "sale_recorded", row.plan.sold_at, row.plan.rep, data)]

    def unit_events(self, row: _UnitRow) -> list[TimelineEvent]:
        plan, unit, customer = row.plan, row.unit, row.sale.customer
        data = {"product": plan.product.name, "serial": plan.serial, "sale": row.sale.sale.number}
        events = []
        if unit.replaces is None:
            events.append(self.event(customer, "sold", row.sale.plan.sold_at, row.sale.plan.rep, data, unit))
        if plan.delivered_at:
            events.append(self.event(customer, "delivered", plan.delivered_at, None, data, unit))
        if plan.installed_at:
            installed = {"product": plan.product.name, "serial": plan.serial}
            events.append(self.event(customer, "installed", plan.installed_at, plan.installer, installed, unit))
        if plan.status != UnitStatus.IN_SERVICE and plan.status_changed_at:
            status = {"serial": plan.serial, "status": plan.status}
            events.append(self.event(customer, "unit_status_changed", plan.status_changed_at, plan.status_actor, status, unit))
        return events


# --- staff and catalogue, through the services --------------------------------------------------------------


def _staff_ensure(password_hash: str) -> dict[str, User]:
    """Return the demo staff by username, creating the missing ones in their role group and department."""
    departments = {department.code: department for department in Department.objects.all()}
    users = {}
    for spec in data.STAFF:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User.objects.create(
                username=spec.username,
                first_name=spec.first_name,
                last_name=spec.last_name,
                email=f"{spec.username}@{data.STAFF_EMAIL_DOMAIN}",
                is_staff=True,
                is_superuser=spec.superuser,
                language=spec.language,
                time_zone=settings.TIME_ZONE,
                department=departments.get(spec.department),
                password=password_hash,
            )
            user.groups.add(Group.objects.get_or_create(name=spec.role)[0])
        users[spec.username] = user
    return users


def _catalogue_ensure() -> dict[str, Product]:
    """Return the demo products by SKU, creating the missing categories and products through the services."""
    categories = {}
    for spec in data.CATEGORIES:
        category = Category.objects.filter(slug=spec.slug).first()
        categories[spec.slug] = category or category_create(
            actor=None, data={"slug": spec.slug, "name": spec.name, "name_es": spec.name_es}
        )
    products = {}
    for product in data.PRODUCTS:
        existing = Product.objects.filter(sku=product.sku).first()
        products[product.sku] = existing or product_create(actor=None, data=_product_fields(product, data.CATEGORIES, categories))
    return products


def _product_fields(product: ProductSpec, specs: list[CategorySpec], categories: dict[str, Category]) -> dict[str, Any]:
    terms = next(spec for spec in specs if spec.slug == product.category)
    return {
        "sku": product.sku,
        "name": product.name,
        "name_es": product.name_es,
        "category_id": categories[product.category].pk,
        "list_price": product.list_price,
        "warranty_months": terms.warranty_months,
        "warranty_starts": terms.warranty_starts,
        "maintenance_interval_months": terms.maintenance_interval_months,
        "needs_installation": product.needs_installation,
        "return_window_days": terms.return_window_days,
        "exchange_window_days": terms.exchange_window_days,
    }


def _sale_numbers_in_use() -> dict[int, int]:
    """Return the highest demo sale sequence used per year, so appended sales continue after it."""
    highest: dict[int, int] = defaultdict(int)
    for number in Sale.objects.filter(number__regex=r"^S-\d{4}-\d{6}$").values_list("number", flat=True).iterator():
        _, year, sequence = number.split("-")
        highest[int(year)] = max(highest[int(year)], int(sequence))
    return dict(highest)


def _database_holds_data() -> bool:
    return Customer.objects.exists() or Sale.objects.exists() or Product.objects.exists()


@transaction.atomic
def demo_build(
    *,
    customers: int,
    seed: int,
    today: dt.date | None = None,
    stdout: Writable | None = None,
    append: bool = False,
) -> DemoSummary:
    """Build the demo company; refuse a database that already holds data unless appending to it."""
    started = time.monotonic()
    if customers < 0:
        raise ValidationFailed(errors=[FieldError(field="customers", reason="must not be negative")])
    if not append and _database_holds_data():
        raise Conflict("The database already holds customers, sales or products; use --append to add the demo company to it.")
    today = today or timezone.localdate()
    say: Callable[[str], object] = stdout.write if stdout else (lambda text: None)
    # Event data keeps labels in English, the source language, whatever the caller's language is.
    with translation.override("en"):
        staff = _staff_ensure(make_password(DEMO_PASSWORD))
        products = _catalogue_ensure()
        segments = {slug: segment_get_or_create(slug=slug, name=name) for slug, name in SEGMENTS.items()}
        planner = _Planner(
            seed=seed,
            today=today,
            taken_emails=set(Customer.objects.exclude(email="").values_list("email", flat=True)),
            taken_serials=_serials_in_use(products),
            next_sale_numbers=_sale_numbers_in_use(),
        )
        say(f"Planning {customers} customers and three years of sales…\n")
        plans = [planner.customer() for _ in range(customers)]
        planner.number_sales(plans)
        writer = _Writer(staff=staff, products=products, segments=segments)
        report_every = max(BATCH_CUSTOMERS, customers // 10)
        for start in range(0, customers, BATCH_CUSTOMERS):
            writer.write(plans[start : start + BATCH_CUSTOMERS])
            written = min(start + BATCH_CUSTOMERS, customers)
            if written % report_every < BATCH_CUSTOMERS or written == customers:
                say(f"  {written}/{customers} customers written\n")
        say("Setting up the service desk…\n")
        tickets = service_desk_build(staff=staff, seed=seed, customers=customers)
        say("Opening warranty claims…\n")
        warranty_build(staff=staff, seed=seed, today=today)
        say("Planning field-service visits…\n")
        fieldwork_build(staff=staff, today=today)
        say("Writing visit checklists…\n")
        visits_build(staff=staff, today=today)
        say("Signing maintenance contracts…\n")
        contracts_build(staff=staff, seed=seed, today=today)
        say("Returns, exchanges and replacements…\n")
        returns_build(staff=staff, seed=seed, today=today)
        say("Opening repair orders…\n")
        repairs_build(staff=staff)
        say("Customer feedback and recovery cases…\n")
        feedback_build(staff=staff, seed=seed, today=today)
        say("Vouchers and special offers…\n")
        offers_build(staff=staff, seed=seed, today=today)
        say("Loyalty points and tiers…\n")
        loyalty_build(staff=staff, today=today)
    sold_on = [sale.sold_at.date() for plan in plans for sale in plan.sales]
    return DemoSummary(
        customers=writer.counts["customers"],
        customers_by_language=dict(Counter(plan.fields["language"] for plan in plans)),
        staff=len(staff),
        categories=len(data.CATEGORIES),
        products=len(products),
        sales=writer.counts["sales"],
        units=writer.counts["units"],
        events=writer.counts["events"],
        first_sale=min(sold_on, default=None),
        last_sale=max(sold_on, default=None),
        seconds=time.monotonic() - started,
        tickets=tickets,
    )


def _serials_in_use(products: dict[str, Product]) -> dict[str, set[str]]:
    sku_by_id = {product.pk: sku for sku, product in products.items()}
    taken: dict[str, set[str]] = defaultdict(set)
    for product_id, serial in Unit.objects.filter(product_id__in=sku_by_id).values_list("product_id", "serial").iterator():
        taken[sku_by_id[product_id]].add(serial)
    return taken


def demo_sign_ins() -> list[tuple[str, str]]:
    """Return (role, sign-in) for the demo staff present in the database, then one portal customer per language."""
    usernames = [spec.username for spec in data.STAFF]
    users = {
        user.username: user
        for user in User.objects.filter(username__in=usernames, is_staff=True, is_active=True).prefetch_related("groups")
    }
    rows = []
    for spec in data.STAFF:
        user = users.get(spec.username)
        if user is not None and spec.role in user.role_codes:
            rows.append((str(Role(spec.role).label), user.username))
    for language, label in ((Language.ENGLISH, _("Customer (English)")), (Language.SPANISH, _("Customer (Spanish)"))):
        email = (
            Customer.objects.filter(language=language).exclude(email="").order_by("id").values_list("email", flat=True).first()
        )
        if email:
            rows.append((label, email))
    return rows
