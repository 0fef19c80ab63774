from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "aftersales.service"
    label = "service"
    verbose_name = _("Service desk")

    def ready(self) -> None:
        # Timeline kinds must be known wherever timelines are shown; receivers and sweeps load at start-up.
        from aftersales.service import (  # noqa: F401
            admin_sla,
            kinds,
            receivers,
            receivers_mail,
            sla_kinds,
            sla_receivers,
            sweeps,
            sweeps_mail,
        )
