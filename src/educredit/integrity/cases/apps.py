from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "educredit.integrity.cases"
    label = "integrity_cases"
    verbose_name = _("诚信案件")
    default_auto_field = "django.db.models.BigAutoField"
