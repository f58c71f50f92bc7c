from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "educredit.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from educredit.accounts.access import on_access_row_changed
        from educredit.accounts.models import ApiClient

        # Web processes remember API clients per access version (ADR 0043).
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(
                on_access_row_changed, sender=ApiClient, dispatch_uid=f"access.client.{name}"
            )
