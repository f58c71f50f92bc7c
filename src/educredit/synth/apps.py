from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SynthConfig(AppConfig):
    name = "educredit.synth"
    label = "synth"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("合成数据")
