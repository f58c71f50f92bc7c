from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    name = "educredit.integrity.students"
    label = "integrity_students"
    verbose_name = _("学生诚信")
    default_auto_field = "django.db.models.BigAutoField"
