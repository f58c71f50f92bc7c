from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "educredit.commitments"
    verbose_name = _("信用承诺")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from educredit.commitments.repairs import on_repair_granted
        from educredit.rights.signals import repair_granted

        repair_granted.connect(on_repair_granted, dispatch_uid="commitments.repair_granted")
