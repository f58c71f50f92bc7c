"""Fixtures of the subjects tests: tasks run at once, uploads go to a temporary directory,
and a school with a teacher in each of two counties (中原区 and, for the outsider, 金水区)."""

from __future__ import annotations

from typing import Any

import pytest

from educredit.subjects.tests import factories

TEACHER_NUMBER = factories.resident_id(123, born="19850315")  # odd sequence: a man
OTHER_NUMBER = factories.resident_id(456, region="410105", born="19900704")


@pytest.fixture(autouse=True)
def _tasks_now_and_media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def county_institution(county: Any) -> Any:
    return factories.make_institution(supervisor=county, name="中原区第一小学", serial=1)


@pytest.fixture
def other_institution(other_county: Any) -> Any:
    return factories.make_institution(
        supervisor=other_county, name="金水区实验小学", serial=2, region_code="410105"
    )


@pytest.fixture
def teacher(county_institution: Any) -> Any:
    return factories.make_person(institution=county_institution, name="张伟", number=TEACHER_NUMBER)


@pytest.fixture
def other_teacher(other_institution: Any) -> Any:
    return factories.make_person(institution=other_institution, name="李娜", number=OTHER_NUMBER)
