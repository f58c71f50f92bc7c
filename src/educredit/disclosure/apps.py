from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    """双公示: licence and penalty decisions in the national layout, deadlines and quality."""

    name = "educredit.disclosure"
    label = "disclosure"
    default_auto_field = "django.db.models.BigAutoField"
