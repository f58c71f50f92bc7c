from django.apps import AppConfig


class SynthConfig(AppConfig):
    name = "educredit.synth"
    label = "synth"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "合成数据"
