from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "educredit.supervision"
    verbose_name = _("分级分类监管")
    default_auto_field = "django.db.models.BigAutoField"
