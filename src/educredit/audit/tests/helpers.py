"""Small audited writes for the audit tests (what a service would do), and an attacker."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import connection

from educredit.accounts.choices import OrganisationKind
from educredit.accounts.models import Organisation
from educredit.audit.protection import PROTECTED_TABLES
from educredit.audit.services import audit_append
from educredit.subjects.choices import InstitutionKind
from educredit.subjects.models import Institution

ACTOR = "system:test"


def organisation_made(name: str = "河南省教育厅") -> Organisation:
    """An organisation created and audited as ``organisation_create`` would."""
    organisation = Organisation(name=name, kind=OrganisationKind.PROVINCIAL_DEPARTMENT, path="")
    organisation.save()
    organisation.path = f"/{organisation.pk}/"
    organisation.save(update_fields=["path"])
    audit_append(actor=ACTOR, action="organisation.create", target=organisation, before=None)
    return organisation


def institution_made(supervisor: Organisation, name: str, moe_code: str) -> Institution:
    """An institution registered and audited as a subjects service would."""
    institution = Institution.objects.create(
        name=name,
        moe_code=moe_code,
        kind=InstitutionKind.UNIVERSITY,
        region_code="410100",
        supervisor=supervisor,
    )
    audit_append(actor=ACTOR, action="institution.create", target=institution, before=None)
    return institution


def institution_renamed(institution: Institution, name: str) -> None:
    before = institution.audit_snapshot()
    institution.name = name
    institution.save()
    audit_append(
        actor=ACTOR, action="institution.rename", target=institution, before=before, reason="更名"
    )


def small_history() -> tuple[Organisation, list[Institution]]:
    """Seven entries: one organisation, four institutions, two renames."""
    province = organisation_made()
    schools = [
        institution_made(province, name, f"41{index:08d}")
        for index, name in enumerate(["郑州大学", "河南大学", "河南科技大学", "河南理工大学"])
    ]
    institution_renamed(schools[0], "郑州大学（新校区）")
    institution_renamed(schools[1], "河南大学（开封）")
    return province, schools


def drop_protection() -> None:
    """What an attacker with DDL rights does first; the test's transaction rolls it back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in PROTECTED_TABLES:
                cursor.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        else:
            for table in PROTECTED_TABLES:
                for op in ("update", "delete"):
                    cursor.execute(f"DROP TRIGGER {table}_no_{op}")


def raw(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def new_uuid() -> str:
    return uuid.uuid4().hex
