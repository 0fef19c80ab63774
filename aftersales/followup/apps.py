from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "aftersales.followup"
    label = "followup"
    verbose_name = _("Follow-up")

    def ready(self) -> None:
        # Timeline kinds must be known wherever timelines are shown; the sweeps are registered at
        # start-up like the outbox's, whoever runs the tick.
        from aftersales.followup import kinds, sweeps  # noqa: F401
