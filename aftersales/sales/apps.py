from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "aftersales.sales"
    label = "sales"
    verbose_name = _("Sales and installed base")

    def ready(self) -> None:
        # Timeline kinds must be known wherever timelines are read, not only where they are written;
        # the import recovery sweep is registered at start-up, whoever runs the tick.
        from aftersales.sales import kinds, sweeps  # noqa: F401
