"""Fixtures of the measure-list tests."""

from __future__ import annotations

from typing import Any

import pytest

from educredit.sanctions.tests import factories


@pytest.fixture
def shipped(db: Any) -> Any:
    """Version 1 as shipped (with the shipped catalog and scenarios)."""
    return factories.shipped_measure_list()


@pytest.fixture
def school(county: Any) -> Any:
    """A 中原区 school."""
    from educredit.subjects.tests.factories import make_institution

    return make_institution(supervisor=county, name="中原区实验学校", serial=7101)


@pytest.fixture
def teacher(school: Any) -> Any:
    """李老师, a teacher of ``school`` (document number ``factories.TEACHER_NUMBER``)."""
    from educredit.subjects.tests.factories import make_person

    return make_person(institution=school, name="李老师", number=factories.TEACHER_NUMBER)


@pytest.fixture
def reviewer(county: Any) -> Any:
    """A reviewer of the county bureau (approves the county clerk's records)."""
    from educredit.records.tests.factories import make_reviewer

    return make_reviewer(organisation=county)


@pytest.fixture
def draft(shipped: Any) -> Any:
    """A draft version 2 copied from version 1."""
    return factories.make_draft()


# --- the loop (ADR 0023): a hit by a business system of 中原区 -------------------------------


@pytest.fixture
def loop_teacher(shipped: Any, county: Any) -> Any:
    """李老师 of a 中原区 school, whose teacher qualification was revoked (a hit in
    ``teacher_qualification``)."""
    from educredit.records.tests.factories import make_reviewer
    from educredit.sanctions.tests.test_restrictions import revocation
    from educredit.subjects.tests.factories import make_institution, make_person, resident_id

    school = make_institution(supervisor=county, name="中原区实验学校", serial=7101)
    teacher = make_person(institution=school, name="李老师", number=resident_id(71))
    clerk = _loop_clerk(county)
    revocation(clerk, make_reviewer(organisation=county), teacher)
    return teacher


def _loop_clerk(county: Any) -> Any:
    from educredit.accounts.choices import UserRole
    from educredit.testing.factories import make_user

    return make_user(
        organisation=county, username="loop.clerk", full_name="反馈录入员", roles=[UserRole.CLERK]
    )


@pytest.fixture
def checker(county: Any) -> Any:
    """中原区's teacher-qualification system: checks and reports feedback."""
    from educredit.testing.factories import make_api_client

    client, key = make_api_client(
        organisation=county, name="中原区教师资格系统", scopes=["sanctions:check"]
    )
    client.headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}  # type: ignore[attr-defined]
    return client


def run_check(client: Any, headers: dict[str, str], **body: Any) -> Any:
    """POST a check of 李老师 (a hit in teacher_qualification unless told otherwise)."""
    from educredit.subjects.tests.factories import resident_id

    body = {"document_type": "resident_id", "document_number": resident_id(71), **body}
    body.setdefault("scenario", "teacher_qualification")
    body.setdefault("reference", "JS-2026-0001")
    body.setdefault("as_of", "2026-06-01")
    return client.post("/api/sanctions/check", body, content_type="application/json", **headers)
