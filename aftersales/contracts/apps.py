from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "aftersales.contracts"
    label = "contracts"
    verbose_name = _("Maintenance contracts")

    def ready(self) -> None:
        # Timeline kinds and coverage reasons must be known wherever they are shown; the providers plug
        # contracts into the warranty's coverage engine and the service desk's SLA targets; the sweeps
        # generate visits, send renewal reminders and mark lapsed contracts.
        from aftersales.contracts import kinds, providers, sweeps  # noqa: F401
