from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResearchConfig(AppConfig):
    name = "educredit.integrity.research"
    label = "integrity_research"
    verbose_name = _("科研诚信")
    default_auto_field = "django.db.models.BigAutoField"
