from django.apps import AppConfig


class SanctionsConfig(AppConfig):
    name = "educredit.sanctions"
    label = "sanctions"
    default_auto_field = "django.db.models.BigAutoField"
