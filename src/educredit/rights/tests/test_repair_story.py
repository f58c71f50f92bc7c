"""The repair story: a training institution, through its self-service account, repairs a
penalty after the minimum window, and a business system's check that was restricted comes
back clear the same minute; a breach of the commitment brings the restriction back."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from educredit.records.choices import CreditRecordStatus as S
from educredit.rights.models import RepairApplication
from educredit.rights.tests.factories import County, make_subject_user, signed_in
from educredit.rights.tests.test_repair import (  # noqa: F401
    PDF,
    _media,
    county,
    penalty,
)
from educredit.testing.factories import make_api_client

pytestmark = pytest.mark.django_db


def check(client: Client, headers: dict[str, Any], uscc: str | None) -> str:
    """The verdict of the real check (POST /api/sanctions/check) for a simplified approval."""
    response = client.post(
        "/api/sanctions/check",
        {"uscc": uscc, "scenario": "simplified_approval", "reference": "XF-STORY-1"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200, response.content
    return str(response.json()["verdict"])


def test_training_institution_repairs_a_penalty_and_the_check_clears(county: County) -> None:  # noqa: F811
    training = county.school
    record = penalty(county, training)
    _api, key = make_api_client(
        organisation=county.county, name="民办培训审批系统", scopes=["sanctions:check"]
    )
    system, headers = Client(), {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert check(system, headers, training.uscc) == "restricted"

    officer = signed_in(make_subject_user(actor=county.clerk, institution=training))
    form = officer.get(f"/self/repairs/new/?record={record.public_id}")
    assert 'data-ec-eligibility="eligible"' in form.content.decode()
    posted = officer.post(
        f"/self/repairs/new/?record={record.public_id}",
        {
            "statement": "罚款已缴清，已停止超范围培训",
            "commitment_accepted": "on",
            "proof": SimpleUploadedFile("缴款凭证.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert posted.status_code == 302
    application = RepairApplication.objects.get(record=record)

    reviewer = signed_in(county.reviewer)
    url = f"/rights/repairs/{application.public_id}/"
    reviewer.post(url + "accept/")
    reviewer.post(url + "grant/", {"reason": "履行证明核实无误"})
    record.refresh_from_db()
    assert record.status == S.REPAIRED
    assert check(system, headers, training.uscc) == "clear"

    notices = officer.get(posted["Location"]).content.decode()
    assert "准予信用修复决定书" in notices

    reviewer.post(url + "breach/", {"reason": "再次超范围培训"})
    record.refresh_from_db()
    assert record.status == S.EFFECTIVE
    assert check(system, headers, training.uscc) == "restricted"
