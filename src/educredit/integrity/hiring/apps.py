from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HiringConfig(AppConfig):
    name = "educredit.integrity.hiring"
    label = "integrity_hiring"
    verbose_name = _("入职查询")
    default_auto_field = "django.db.models.BigAutoField"
