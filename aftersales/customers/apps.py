from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "aftersales.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        # Timeline kinds must be known wherever timelines are read, not only where they are written.
        from aftersales.customers import kinds  # noqa: F401
