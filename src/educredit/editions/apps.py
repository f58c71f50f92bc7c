from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditionsConfig(AppConfig):
    name = "educredit.editions"
    verbose_name = _("版本化清单")
    default_auto_field = "django.db.models.BigAutoField"
