from django.apps import AppConfig


class SanctionsConfig(AppConfig):
    name = "educredit.sanctions"
    label = "sanctions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from educredit.records.signals import credit_list_entry_changed, credit_record_transitioned
        from educredit.sanctions import receivers

        credit_record_transitioned.connect(
            receivers.on_record_transitioned, dispatch_uid="sanctions.record_transitioned"
        )
        credit_list_entry_changed.connect(
            receivers.on_list_entry_changed, dispatch_uid="sanctions.list_entry_changed"
        )
