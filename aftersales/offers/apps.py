from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    name = "aftersales.offers"
    label = "offers"
    verbose_name = _("Vouchers and offers")

    def ready(self) -> None:
        # Timeline kinds must be known wherever events are shown; the receivers answer follow-up's gift
        # requests; the sweep resumes offers whose sending stopped half-way.
        from aftersales.offers import kinds, receivers, sweeps  # noqa: F401
