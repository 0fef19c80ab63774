from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "aftersales.loyalty"
    label = "loyalty"
    verbose_name = _("Loyalty programme")

    def ready(self) -> None:
        # Timeline kinds must be known wherever they are shown; the receivers earn points on sales and
        # surveys; the providers give tier customers their faster service targets; the sweeps catch up
        # on purchases, lapse points, warn of lapsing points and recompute tiers.
        from aftersales.loyalty import kinds, providers, receivers, sweeps  # noqa: F401
