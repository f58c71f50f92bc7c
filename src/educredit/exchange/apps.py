from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """The link to the provincial platform (信用河南): outbox, batches, receipts, retries."""

    name = "educredit.exchange"
    label = "exchange"
    default_auto_field = "django.db.models.BigAutoField"
