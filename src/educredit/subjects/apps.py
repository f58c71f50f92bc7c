from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    name = "educredit.subjects"
    label = "subjects"
    default_auto_field = "django.db.models.BigAutoField"
