from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "educredit.commitments"
    verbose_name = _("信用承诺")
    default_auto_field = "django.db.models.BigAutoField"
