"""Objects of the 师德考核 for the jurisdiction walk (``testing/jurisdiction.py``)."""

from __future__ import annotations

from typing import Any

from educredit.accounts.models import Organisation
from educredit.testing.jurisdiction import JURISDICTION_FIXTURES


def _school_clerk(county: Organisation) -> tuple[Any, Any]:
    """A school of ``county`` with its own account, its clerk and a teacher: (clerk, teacher)."""
    from educredit.accounts.choices import OrganisationKind, UserRole
    from educredit.accounts.models import User
    from educredit.integrity.appraisal.tests.conftest import school_with_account
    from educredit.subjects.models import Person
    from educredit.subjects.tests.factories import make_person, resident_id
    from educredit.testing.factories import make_organisation, make_user

    username = f"walk.sdkh.{county.pk}"
    clerk = User.objects.filter(username=username).first()
    if clerk is None:
        account = make_organisation(
            parent=county,
            name=f"巡检师德考核小学{county.pk}",
            kind=OrganisationKind.SCHOOL,
            region_code=county.region_code,
        )
        school = school_with_account(
            supervisor=county, account=account, name=account.name, serial=7700 + county.pk
        )
        make_person(
            institution=school, name="巡检师德教师", number=resident_id(500 + county.pk % 400)
        )
        clerk = make_user(organisation=account, username=username, roles=[UserRole.CLERK])
    teacher = Person.objects.get(affiliations__institution__organisation=clerk.organisation)
    return clerk, teacher


def _appraisal_in(county: Organisation) -> Any:
    """A submitted appraisal of a teacher of a school of ``county``."""
    from educredit.core import clock
    from educredit.integrity.appraisal import services

    clerk, teacher = _school_clerk(county)
    appraisal = services.ethics_appraisal_enter(
        actor=clerk, teacher=teacher, year=clock.today().year - 1, grade="合格"
    )
    return services.ethics_appraisal_submit(actor=clerk, appraisal=appraisal).public_id


def _import_in(county: Organisation) -> Any:
    """An import run of a school of ``county``, with a rejected row (its report exists)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from educredit.integrity.appraisal import imports

    clerk, _teacher = _school_clerk(county)
    content = "姓名,证件号码,考核年度,考核等次,说明\r\n某人,1,2000,合格,\r\n".encode()
    run = imports.appraisal_import_start(
        actor=clerk, upload=SimpleUploadedFile("walk.csv", content), enqueue=False
    )
    imports.appraisal_import_process(run_id=run.pk)
    return run.public_id


JURISDICTION_FIXTURES["appraisal_id"] = _appraisal_in
JURISDICTION_FIXTURES["appraisal_import_id"] = _import_in
