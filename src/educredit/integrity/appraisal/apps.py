from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "educredit.integrity.appraisal"
    label = "integrity_appraisal"
    verbose_name = _("师德考核")
    default_auto_field = "django.db.models.BigAutoField"
