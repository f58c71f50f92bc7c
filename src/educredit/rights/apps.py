from django.apps import AppConfig


class RightsConfig(AppConfig):
    """Subjects' rights (R5.3): self-service, objections, repair, purpose-bound queries, reports."""

    name = "educredit.rights"
    label = "rights"
    default_auto_field = "django.db.models.BigAutoField"
