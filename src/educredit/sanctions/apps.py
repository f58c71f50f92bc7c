from django.apps import AppConfig


class SanctionsConfig(AppConfig):
    name = "educredit.sanctions"
    label = "sanctions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from educredit.accounts.access import on_access_row_changed
        from educredit.records.signals import credit_list_entry_changed, credit_record_transitioned
        from educredit.sanctions import receivers
        from educredit.sanctions.models import Scenario

        # The check remembers scenarios per access version (ADR 0043).
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(
                on_access_row_changed, sender=Scenario, dispatch_uid=f"access.scenario.{name}"
            )

        credit_record_transitioned.connect(
            receivers.on_record_transitioned, dispatch_uid="sanctions.record_transitioned"
        )
        credit_list_entry_changed.connect(
            receivers.on_list_entry_changed, dispatch_uid="sanctions.list_entry_changed"
        )
