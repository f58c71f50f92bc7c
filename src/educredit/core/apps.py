from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "educredit.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from educredit.core import db_timeouts  # noqa: F401 (time-outs per kind of work, ADR 0039)
