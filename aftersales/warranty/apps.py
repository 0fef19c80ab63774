from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarrantyConfig(AppConfig):
    name = "aftersales.warranty"
    label = "warranty"
    verbose_name = _("Warranty")

    def ready(self) -> None:
        # Timeline kinds and coverage reasons must be known wherever they are shown; the receiver
        # snapshots a new unit's warranty terms the moment it is sold.
        from aftersales.warranty import kinds, receivers, sweeps  # noqa: F401
