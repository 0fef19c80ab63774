from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "aftersales.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from aftersales.core import sweeps  # noqa: F401 - registers the core's sweeps
        from aftersales.core.roles import roles_sync_after_migrate

        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="aftersales.core.roles_sync")
        post_migrate.connect(cache_table_create, dispatch_uid="aftersales.core.cache_table")


def cache_table_create(sender: object, **kwargs: object) -> None:
    """Create the database cache table after migrating, so no extra setup step is needed."""
    if getattr(sender, "label", None) != "core":
        return
    from django.core.management import call_command

    call_command("createcachetable", database=str(kwargs.get("using", "default")), verbosity=0)
