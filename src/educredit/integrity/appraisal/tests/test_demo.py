"""The demo's 师德考核: the school's clerk finds last year's results, the city's reviewer one
awaiting review, and the approved ones are JY-SD-01 records in the teachers' archives."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from educredit.accounts.models import User
from educredit.integrity.appraisal.choices import EthicsAppraisalStatus as S
from educredit.integrity.appraisal.models import EthicsAppraisal
from educredit.integrity.appraisal.selectors import appraisals_visible_to, review_queue_for
from educredit.records.choices import CreditRecordStatus
from educredit.testing.shared_data import shared_data

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="class")
def demo(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    from educredit.synth.demo import demo_prepare

    def make() -> None:
        directory = tmp_path_factory.mktemp("demo-appraisals")
        demo_prepare(scale=0.0002, people_factor=0.01, directory=directory)
        demo_prepare(scale=0.0002, people_factor=0.01, directory=directory)  # idempotent

    yield from shared_data(django_db_blocker, make)


class TestTheDemoAppraisals:
    def test_the_school_and_the_city_find_them(self, demo: None) -> None:
        school_clerk = User.objects.get(username="school_clerk")
        reviewer = User.objects.get(username="zhengzhou_reviewer")
        mine = appraisals_visible_to(school_clerk)
        assert mine.count() == EthicsAppraisal.objects.count() >= 2
        assert {a.status for a in mine} == {S.APPROVED, S.SUBMITTED}
        assert review_queue_for(reviewer).count() == 1
        for appraisal in mine.filter(status=S.APPROVED):
            assert appraisal.credit_record is not None
            assert appraisal.credit_record.status == CreditRecordStatus.EFFECTIVE
