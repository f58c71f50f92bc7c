from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "educredit.evaluation"
    verbose_name = _("行业信用评价")
    default_auto_field = "django.db.models.BigAutoField"
