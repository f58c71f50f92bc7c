"""The demo's students: the university's clerk finds two contracts, one confirmation and a
breach whose record waits for the province's review; the medical student is not yet
restricted (the record is not effective)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from educredit.accounts.models import User
from educredit.integrity.students.choices import TrainingContractStatus
from educredit.integrity.students.models import IntegrityEducationActivity, ServiceConfirmation
from educredit.integrity.students.selectors import contracts_visible_to
from educredit.records.choices import CreditRecordStatus
from educredit.records.selectors import review_queue_for
from educredit.testing.shared_data import shared_data

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="class")
def demo(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    from educredit.synth.demo import demo_prepare

    def make() -> None:
        directory = tmp_path_factory.mktemp("demo-students")
        demo_prepare(scale=0.0002, people_factor=0.01, directory=directory)
        demo_prepare(scale=0.0002, people_factor=0.01, directory=directory)  # idempotent

    yield from shared_data(django_db_blocker, make)


class TestTheDemoStudents:
    def test_the_university_finds_its_contracts_and_the_breach_waits_for_review(
        self, demo: None
    ) -> None:
        clerk = User.objects.get(username="university_clerk")
        contracts = contracts_visible_to(clerk)
        assert sorted(c.status for c in contracts) == sorted(
            [TrainingContractStatus.BREACHED, TrainingContractStatus.SERVING]
        )
        assert ServiceConfirmation.objects.count() == 1
        assert IntegrityEducationActivity.objects.count() == 1
        breached = contracts.get(status=TrainingContractStatus.BREACHED)
        record = breached.breach.record
        assert record.status == CreditRecordStatus.SUBMITTED
        admin = User.objects.get(username="province_admin")
        assert review_queue_for(admin).filter(pk=record.pk).exists()
