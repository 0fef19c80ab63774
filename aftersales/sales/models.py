"""Sales, their lines, and the units sold by serial: the installed base."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Product, WarrantyStart
from aftersales.core.dates import period_last_day
from aftersales.core.models import TimeStampedModel
from aftersales.customers.models import Customer


class SaleChannel(models.TextChoices):
    # Sold over the counter in a shop.
    STORE = "store", _("Store")
    # Sold through the web shop.
    ONLINE = "online", _("Online")
    # Sold over the phone.
    PHONE = "phone", _("Phone")
    # Sold by a rep at the customer's premises.
    FIELD = "field", _("Field")


def proof_upload_to(instance: Sale, filename: str) -> str:
    # Never trust the uploaded name: keep only the extension, under a random folder.
    import secrets
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:8]
    return f"proofs/{instance.sold_on:%Y/%m}/{secrets.token_hex(16)}{suffix}"


class Sale(TimeStampedModel):
    """A purchase by a customer, with its proof of purchase."""

    number = models.CharField(_("sale number"), max_length=64, unique=True)
    sold_on = models.DateField(_("date"), db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=SaleChannel.choices, default=SaleChannel.STORE)
    sales_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sales rep"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sales",
    )
    # sale_customer_idx (customer, -sold_on) serves every look-up by customer: no index of its own.
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="sales", db_index=False
    )
    receipt_number = models.CharField(_("receipt number"), max_length=64, blank=True, db_index=True)
    proof_file = models.FileField(_("proof of purchase"), upload_to=proof_upload_to, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2, default=Decimal("0"))
    imported = models.BooleanField(_("imported"), default=False)

    class Meta:
        ordering = ["-sold_on", "-id"]
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        permissions = [("import_sales", _("Can import sales history"))]
        constraints = [models.CheckConstraint(condition=Q(total__gte=0), name="sale_total_not_negative")]
        indexes = [models.Index(fields=["customer", "-sold_on"], name="sale_customer_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def has_proof(self) -> bool:
        return bool(self.receipt_number or self.proof_file)


class SaleLine(models.Model):
    """One product on a sale, with quantity and unit price."""

    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("position"), default=1)
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="sale_lines")
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["sale", "position"]
        verbose_name = _("sale line")
        verbose_name_plural = _("sale lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sale_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="sale_line_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.sale.number} #{self.position}"

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


class UnitStatus(models.TextChoices):
    # With the customer and in use.
    IN_SERVICE = "in_service", _("In service")
    # Taken back from the customer under a return.
    RETURNED = "returned", _("Returned")
    # Swapped for another unit, which points back to this one.
    REPLACED = "replaced", _("Replaced")
    # Written off; no longer serviceable.
    SCRAPPED = "scrapped", _("Scrapped")


class Unit(TimeStampedModel):
    """One physical item sold, identified by its serial number."""

    # The unique (product, serial) constraint serves every look-up by product: no index of its own.
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="units", db_index=False
    )
    serial = models.CharField(_("serial number"), max_length=64)
    sale_line = models.ForeignKey(
        SaleLine, verbose_name=_("sale line"), null=True, blank=True, on_delete=models.PROTECT, related_name="units"
    )
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="units")
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    installed_at = models.DateTimeField(_("installed at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=UnitStatus.choices, default=UnitStatus.IN_SERVICE)
    replaces = models.OneToOneField(
        "self", verbose_name=_("replaces"), null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [models.UniqueConstraint(fields=["product", "serial"], name="unit_serial_unique_per_product")]
        indexes = [
            models.Index(fields=["serial"], name="unit_serial_idx"),
            # Follow-up steps find the units delivered in a window of days by a range on the moment itself.
            models.Index(fields=["delivered_at"], name="unit_delivered_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.product.sku} {self.serial}"

    @property
    def warranty_start(self) -> dt.date | None:
        """Return the day the standard warranty starts, or None while it has not started."""
        return self.warranty_start_by(self.product.warranty_starts)

    def warranty_start_by(self, starts: str) -> dt.date | None:
        """Return the day a warranty starting at delivery or installation (``WarrantyStart``) starts for this unit."""
        # The business's calendar day, not UTC's: a delivery at 00:30 in Madrid starts on that day.
        if starts == WarrantyStart.INSTALLATION:
            return timezone.localdate(self.installed_at) if self.installed_at else None
        if self.delivered_at:
            return timezone.localdate(self.delivered_at)
        return self.sale_line.sale.sold_on if self.sale_line_id and self.sale_line else None

    @property
    def warranty_end(self) -> dt.date | None:
        """Return the last day of the standard warranty, or None while it has not started."""
        start = self.warranty_start
        if start is None:
            return None
        return period_last_day(start, self.product.warranty_months)


def import_upload_to(instance: SalesImport, filename: str) -> str:
    # The uploaded name is kept in ``file_name`` for people; the stored one is random and private.
    import secrets

    return f"imports/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.csv"


class SalesImportStatus(models.TextChoices):
    # Uploaded and waiting for a worker.
    QUEUED = "queued", _("Queued")
    # A worker is reading and writing it now.
    RUNNING = "running", _("Running")
    # Every row was valid and the sales were written.
    IMPORTED = "imported", _("Imported")
    # Some rows were invalid: nothing was written; the errors say which and why.
    REJECTED = "rejected", _("Rejected")
    # An unexpected error stopped it (details in the server log): nothing was written.
    CRASHED = "crashed", _("Crashed")


class SalesImport(TimeStampedModel):
    """A sales history file uploaded to be imported by a background worker, and what came of it."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sales_imports",
    )
    file = models.FileField(_("file"), upload_to=import_upload_to, max_length=200)
    file_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    status = models.CharField(
        _("status"), max_length=10, choices=SalesImportStatus.choices, default=SalesImportStatus.QUEUED, db_index=True
    )
    rows = models.PositiveIntegerField(_("rows read"), default=0)
    sales_created = models.PositiveIntegerField(_("sales created"), default=0)
    sales_skipped = models.PositiveIntegerField(_("sales skipped"), default=0)
    customers_created = models.PositiveIntegerField(_("customers created"), default=0)
    customers_matched = models.PositiveIntegerField(_("customers matched"), default=0)
    units_created = models.PositiveIntegerField(_("units created"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("error count"), default=0)
    progress_bytes = models.PositiveBigIntegerField(_("bytes read"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sales import")
        verbose_name_plural = _("sales imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (SalesImportStatus.IMPORTED, SalesImportStatus.REJECTED, SalesImportStatus.CRASHED)

    @property
    def progress_percent(self) -> int | None:
        """Return how much of the file was read, or None when it is not known (not running, or SQLite)."""
        if self.status != SalesImportStatus.RUNNING or not self.progress_bytes or not self.size:
            return None
        return min(99, self.progress_bytes * 100 // self.size)
