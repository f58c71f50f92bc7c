from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "educredit.portal"
    label = "portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The portal keeps its search index current by listening to subjects, so that
        # subjects needn't know the portal exists.
        from django.db.models.signals import post_delete, post_save

        from educredit.portal import services
        from educredit.subjects.models import FormerName, Institution, InstitutionAlias

        post_save.connect(
            services.on_institution_saved, sender=Institution, dispatch_uid="portal-inst"
        )
        post_save.connect(
            services.on_former_name_saved, sender=FormerName, dispatch_uid="portal-former"
        )
        post_delete.connect(
            services.on_former_name_saved, sender=FormerName, dispatch_uid="portal-former-del"
        )
        post_save.connect(
            services.on_former_name_saved, sender=InstitutionAlias, dispatch_uid="portal-alias"
        )
        post_delete.connect(
            services.on_former_name_saved, sender=InstitutionAlias, dispatch_uid="portal-alias-del"
        )
