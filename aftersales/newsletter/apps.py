from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "aftersales.newsletter"
    label = "newsletter"
    verbose_name = _("Newsletter")

    def ready(self) -> None:
        # The timeline kind must be known wherever a timeline is shown; the sweep resumes stalled sendings.
        from aftersales.newsletter import kinds, sweeps  # noqa: F401
