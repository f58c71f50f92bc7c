"""科研诚信承诺 (CN-KY-01): the project's responsible person signs it before the project, the
university accepts it, and the activity record links it by its code."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest

from educredit.accounts.choices import UserRole
from educredit.accounts.services import organisation_update
from educredit.commitments.choices import CommitmentDecision
from educredit.commitments.selectors import matter_in_force
from educredit.commitments.services import commitment_sign, matter_list_seed
from educredit.core import clock
from educredit.integrity.research.services import ResearchActivityError
from educredit.integrity.research.tests.factories import make_activity
from educredit.records.choices import CreditRecordStatus
from educredit.subjects.tests.factories import uscc
from educredit.testing.factories import make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a scanned research integrity commitment\n%%EOF\n"


@pytest.fixture
def signed(university_and_account: tuple[Any, Any], professor: Any) -> Any:
    """陈教授's 科研诚信承诺, accepted on paper by the university's research office."""
    matter_list_seed(actor="system:test")
    _university, account = university_and_account
    account = organisation_update(
        actor="system:test",
        organisation=account,
        name=account.name,
        region_code="410100",
        uscc=uscc(981, "410100"),
    )
    office = make_user(
        organisation=account, username="zzkj.office", full_name="科研处", roles=[UserRole.ADMIN]
    )
    matter = matter_in_force("CN-KY-01")
    assert matter is not None
    scan = io.BytesIO(PDF)
    scan.name = "科研诚信承诺书.pdf"
    return commitment_sign(
        actor=office, matter=matter, person=professor, reason="黄河流域土壤项目", scan=scan
    ).commitment


def test_the_responsible_person_signs_the_research_integrity_commitment(
    signed: Any, professor: Any
) -> None:
    assert signed.decision == CommitmentDecision.SIGNED and signed.code
    assert signed.person_id == professor.pk
    matter = signed.matter
    assert (matter.scenario, matter.check_method, matter.breach_item_code) == (
        "research_project",
        "书面核查",
        "JY-CN-03",
    )
    assert signed.template.code == "TPL-KYHD"
    assert "保存原始研究数据" in signed.signed_text and professor.name in signed.signed_text
    record = signed.credit_record
    assert record.catalog_item.code == "JY-CN-01"
    assert record.status == CreditRecordStatus.EFFECTIVE


def test_an_activity_links_the_commitment_signed_before_it_by_its_person(
    signed: Any, research_clerk: Any, university: Any, professor: Any, lecturer: Any
) -> None:
    starts = clock.today() + dt.timedelta(days=30)
    dates = {
        "starts_on": starts,
        "ends_on": starts + dt.timedelta(days=700),
        "retention_until": starts + dt.timedelta(days=2500),
    }
    activity = make_activity(
        research_clerk, university, professor, commitment_code=signed.code, **dates
    )
    assert activity.commitment_code == signed.code
    with pytest.raises(ResearchActivityError) as caught:
        make_activity(
            research_clerk,
            university,
            lecturer,
            project_number="HNKJ-2026-031",
            commitment_code=signed.code,
            **dates,
        )
    assert "不是项目负责人本人签署的" in str(caught.value.message_dict["commitment_code"])
    with pytest.raises(ResearchActivityError) as caught:
        make_activity(
            research_clerk,
            university,
            professor,
            project_number="HNKJ-2025-002",
            commitment_code=signed.code,
        )  # started in 2026-09, before the commitment was signed
    assert "须在项目开始前签署" in str(caught.value.message_dict["commitment_code"])
