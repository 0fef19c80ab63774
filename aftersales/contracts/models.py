"""Maintenance contracts (AMC): plans, contracts over a customer's units, their planned visits and billing lines."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import SpanishNameMixin, TimeStampedModel
from aftersales.customers.models import Customer
from aftersales.sales.models import Unit


class BillingPeriod(models.TextChoices):
    # One invoice for the whole term, due on the first day.
    UPFRONT = "upfront", _("Whole term up front")
    # One instalment a month.
    MONTHLY = "monthly", _("Monthly")
    # One instalment every three months.
    QUARTERLY = "quarterly", _("Quarterly")
    # One instalment every six months.
    HALF_YEARLY = "half_yearly", _("Every six months")
    # One instalment a year.
    YEARLY = "yearly", _("Yearly")


# Months between two instalments (0: a single instalment for the whole term).
BILLING_MONTHS = {
    BillingPeriod.UPFRONT: 0,
    BillingPeriod.MONTHLY: 1,
    BillingPeriod.QUARTERLY: 3,
    BillingPeriod.HALF_YEARLY: 6,
    BillingPeriod.YEARLY: 12,
}


class RepairCover(models.TextChoices):
    # Only the planned maintenance visits; repairs are billed in full.
    VISITS_ONLY = "visits_only", _("Maintenance visits only")
    # Repairs are free of labour; spare parts are billed to the customer.
    LABOUR = "labour", _("Labour only")
    # Repairs are free of charge: parts and labour.
    PARTS_AND_LABOUR = "parts_and_labour", _("Parts and labour")


class ContractPlan(SpanishNameMixin, TimeStampedModel):
    """A contract template sold off the shelf ("Boiler care plus"): the terms a new contract starts from."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_es = models.CharField(_("name in Spanish"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    months = models.PositiveSmallIntegerField(_("term (months)"), default=12)
    price = models.DecimalField(_("price for the term"), max_digits=12, decimal_places=2, default=Decimal("0"))
    billing_period = models.CharField(
        _("billing period"), max_length=20, choices=BillingPeriod.choices, default=BillingPeriod.YEARLY
    )
    # Empty: the plan includes no planned visits.
    visit_every_months = models.PositiveSmallIntegerField(_("a visit every (months)"), null=True, blank=True)
    # Empty: the service desk's usual targets apply.
    response_hours = models.PositiveIntegerField(_("first response within (working hours)"), null=True, blank=True)
    repair_cover = models.CharField(
        _("repairs covered"), max_length=20, choices=RepairCover.choices, default=RepairCover.PARTS_AND_LABOUR
    )
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("contract plan")
        verbose_name_plural = _("contract plans")
        constraints = [
            models.CheckConstraint(condition=Q(months__gt=0), name="contract_plan_months_positive"),
            models.CheckConstraint(condition=Q(price__gte=0), name="contract_plan_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class ContractStatus(models.TextChoices):
    # Being prepared or proposed to the customer; covers nothing yet and may overlap other contracts.
    DRAFT = "draft", _("Draft")
    # Signed: covers its units from its first to its last day (it may start in the future).
    ACTIVE = "active", _("Active")
    # Ended without renewal: the day after its last day the sweep marks it lapsed.
    EXPIRED = "expired", _("Lapsed")
    # Its next period exists; it still covers its units until its own last day.
    RENEWED = "renewed", _("Renewed")
    # Ended early or never signed; covers nothing.
    CANCELLED = "cancelled", _("Cancelled")


# Statuses in which a contract covers its units between its first and last day.
IN_FORCE_STATUSES = (ContractStatus.ACTIVE, ContractStatus.RENEWED)


class MaintenanceContract(TimeStampedModel):
    """A maintenance contract: a customer's units covered for a term, with visits, a response time and billing."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="maintenance_contracts"
    )
    plan = models.ForeignKey(
        ContractPlan, verbose_name=_("plan"), null=True, blank=True, on_delete=models.SET_NULL, related_name="contracts"
    )
    units = models.ManyToManyField(Unit, verbose_name=_("units"), through="ContractUnit", related_name="maintenance_contracts")
    status = models.CharField(
        _("status"), max_length=20, choices=ContractStatus.choices, default=ContractStatus.DRAFT, db_index=True
    )
    starts_on = models.DateField(_("first day"))
    months = models.PositiveSmallIntegerField(_("term (months)"))
    ends_on = models.DateField(_("last day"), db_index=True)
    price = models.DecimalField(_("price for the term"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    billing_period = models.CharField(_("billing period"), max_length=20, choices=BillingPeriod.choices)
    visit_every_months = models.PositiveSmallIntegerField(_("a visit every (months)"), null=True, blank=True)
    response_hours = models.PositiveIntegerField(_("first response within (working hours)"), null=True, blank=True)
    repair_cover = models.CharField(_("repairs covered"), max_length=20, choices=RepairCover.choices)
    notes = models.TextField(_("notes"), blank=True)
    # The period this one continues (renewal creates the next period and links it here).
    previous = models.OneToOneField(
        "self", verbose_name=_("previous period"), null=True, blank=True, on_delete=models.PROTECT, related_name="next_period"
    )
    sold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sold by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    lapsed_at = models.DateTimeField(_("marked lapsed at"), null=True, blank=True)
    # The smallest number of days before the end for which a renewal reminder went out (60, 30, 7).
    reminded_days = models.PositiveSmallIntegerField(_("last renewal reminder (days before the end)"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("maintenance contract")
        verbose_name_plural = _("maintenance contracts")
        permissions = [
            ("sell_maintenancecontract", _("Can sell, activate and renew maintenance contracts")),
            ("manage_maintenancecontract", _("Can cancel maintenance contracts and record their payments")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="contract_dates_order"),
            models.CheckConstraint(condition=Q(months__gt=0), name="contract_months_positive"),
            models.CheckConstraint(condition=Q(price__gte=0), name="contract_price_not_negative"),
        ]
        indexes = [
            models.Index(fields=["status", "ends_on"], name="contract_status_end_idx"),
            models.Index(fields=["customer", "status"], name="contract_customer_status_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """Return the number people quote (``AMC-000012``)."""
        return f"AMC-{self.pk:06d}" if self.pk else "AMC-?"

    @property
    def in_force(self) -> bool:
        return self.status in IN_FORCE_STATUSES


class ContractUnit(models.Model):
    """A unit covered by a contract."""

    contract = models.ForeignKey(MaintenanceContract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="lines")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="contract_lines")

    class Meta:
        verbose_name = _("covered unit")
        verbose_name_plural = _("covered units")
        constraints = [models.UniqueConstraint(fields=["contract", "unit"], name="contract_unit_unique")]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.unit_id}"


class ContractVisit(models.Model):
    """A planned maintenance visit of a contract; its work order is created a few days before it is due."""

    contract = models.ForeignKey(MaintenanceContract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="visits")
    due_on = models.DateField(_("due on"))
    work_order = models.OneToOneField(
        "fieldwork.WorkOrder",
        verbose_name=_("work order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contract_visit",
    )
    generated_at = models.DateTimeField(_("work order created at"), null=True, blank=True)

    class Meta:
        ordering = ["contract", "due_on"]
        verbose_name = _("contract visit")
        verbose_name_plural = _("contract visits")
        constraints = [models.UniqueConstraint(fields=["contract", "due_on"], name="contract_visit_unique")]
        indexes = [
            # The sweep: visits without a work order, by the day they are due.
            models.Index(fields=["due_on"], condition=Q(work_order__isnull=True), name="contract_visit_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.due_on}"


class BillingLine(models.Model):
    """An instalment of a contract's price: when it is due and whether it was paid."""

    contract = models.ForeignKey(
        MaintenanceContract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="billing_lines"
    )
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["contract", "due_on", "id"]
        verbose_name = _("billing line")
        verbose_name_plural = _("billing lines")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="billing_line_amount_not_negative")]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.due_on} {self.amount}"

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None
