from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "educredit.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("审计日志")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from educredit.audit.protection import register_sqlite_guard

        connection_created.connect(register_sqlite_guard, dispatch_uid="educredit_audit_guard")
