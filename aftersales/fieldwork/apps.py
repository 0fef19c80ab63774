from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "aftersales.fieldwork"
    label = "fieldwork"
    verbose_name = _("Field service")

    def ready(self) -> None:
        # Timeline kinds must be known wherever timelines are shown; the sweeps propose visits after
        # sales and remind customers the day before.
        from aftersales.fieldwork import kinds, sweeps  # noqa: F401
