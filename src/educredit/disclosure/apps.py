import importlib.util

from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    """双公示: licence and penalty decisions in the national layout, deadlines and quality."""

    name = "educredit.disclosure"
    label = "disclosure"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from educredit.disclosure import receivers
        from educredit.records.signals import credit_record_transitioned

        credit_record_transitioned.connect(
            receivers.on_record_transitioned, dispatch_uid="disclosure.record_transitioned"
        )
        if importlib.util.find_spec("educredit.exchange.signals") is not None:
            from educredit.exchange.signals import outbox_delivered

            outbox_delivered.connect(
                receivers.on_outbox_delivered, dispatch_uid="disclosure.outbox_delivered"
            )
            # The outbox pages name the national fields as the layouts here do.
            from educredit.disclosure.national import LAYOUTS
            from educredit.exchange.rows import FIELD_NAMES

            FIELD_NAMES.update(
                {f.code: (f.name, f.english) for fields in LAYOUTS.values() for f in fields}
            )
