from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "aftersales.messaging"
    label = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        # Timeline kinds must be known wherever timelines are shown, not only where messages are sent;
        # the sweep is registered at start-up like the core's, whoever runs the tick.
        from aftersales.messaging import kinds, receivers, sweeps  # noqa: F401
        from aftersales.messaging.rules import settings_check

        checks.register(settings_check)
