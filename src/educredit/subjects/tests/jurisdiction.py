"""Objects of ``county`` for the jurisdiction walk, one factory per URL kwarg of this app."""

from __future__ import annotations

import itertools
from typing import Any

from educredit.accounts.models import Organisation
from educredit.testing.jurisdiction import JURISDICTION_FIXTURES

_serials = itertools.count(900)


def _institution(county: Organisation) -> Any:
    from educredit.subjects.tests.factories import make_institution

    serial = next(_serials)
    return make_institution(supervisor=county, name=f"巡检学校{serial}", serial=serial)


def _institution_in(county: Organisation) -> Any:
    return _institution(county).public_id


def _person_in(county: Organisation) -> Any:
    from educredit.subjects.tests.factories import make_person, resident_id

    person = make_person(
        institution=_institution(county), name="巡检教师", number=resident_id(next(_serials) % 1000)
    )
    return person.public_id


def _import_run_in(county: Organisation) -> Any:
    from educredit.accounts.choices import UserRole
    from educredit.subjects.choices import ImportKind, ImportStatus
    from educredit.subjects.models import ImportRowError, ImportRun
    from educredit.testing.factories import make_user

    user = make_user(
        organisation=county, username=f"walk-importer-{next(_serials)}", roles=[UserRole.CLERK]
    )
    # A finished run with one rejected row, so that its error report exists too.
    run = ImportRun.objects.create(
        kind=ImportKind.INSTITUTIONS,
        original_filename="walk.csv",
        header=["学校名称"],
        status=ImportStatus.FINISHED,
        total_rows=1,
        processed_rows=1,
        failed_rows=1,
        created_by=user,
        organisation=county,
    )
    ImportRowError.objects.create(run=run, row_number=2, column="学校名称", reason="walk")
    return run.public_id


def _discrepancy_in(county: Organisation) -> Any:
    from educredit.subjects import services

    institution = _institution(county)
    registration = services.institution_register(
        actor="system:test",
        name=f"{institution.name}（别名）",
        kind=institution.kind,
        region_code=institution.region_code,
        supervisor=county,
        uscc=institution.uscc,
    )
    assert registration.discrepancy is not None
    return registration.discrepancy.public_id


JURISDICTION_FIXTURES["institution_id"] = _institution_in
JURISDICTION_FIXTURES["person_id"] = _person_in
JURISDICTION_FIXTURES["run_id"] = _import_run_in
JURISDICTION_FIXTURES["discrepancy_id"] = _discrepancy_in
