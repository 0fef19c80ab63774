from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "aftersales.referrals"
    label = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        # Timeline kinds must be known wherever they are shown; the receivers answer sales and feedback;
        # the sweep catches up attribution and expires stale referrals.
        from aftersales.referrals import kinds, receivers, sweeps  # noqa: F401
