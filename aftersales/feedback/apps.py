from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "aftersales.feedback"
    label = "feedback"
    verbose_name = _("Feedback")

    def ready(self) -> None:
        # Timeline and notification kinds must be known wherever they are shown; the receivers answer the
        # service desk, follow-up and field service; the sweeps send relationship surveys and chase recovery cases.
        from aftersales.feedback import kinds, receivers, sweeps  # noqa: F401
