from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContestsConfig(AppConfig):
    name = "aftersales.contests"
    label = "contests"
    verbose_name = _("Contests")

    def ready(self) -> None:
        # Timeline kinds are shown everywhere; the receivers give entries for sales, surveys and referrals;
        # the sweeps catch up on sales and close contests whose window ended.
        from aftersales.contests import kinds, receivers, sweeps  # noqa: F401
