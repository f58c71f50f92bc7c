"""The commitments API: a business system signs in its own flow, idempotent on its reference;
a different content under the same reference is refused with nothing written; scopes and
jurisdiction; reading a commitment back exactly as signed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from educredit.commitments.choices import CommitmentChannel
from educredit.commitments.models import Commitment
from educredit.records.models import CreditRecord
from educredit.subjects.tests.factories import resident_id
from educredit.testing.factories import make_api_client

pytestmark = pytest.mark.django_db

SCOPES = ("commitments:write", "commitments:read")


def _key(organisation: Any, scopes: tuple[str, ...] = SCOPES) -> str:
    _client, key = make_api_client(organisation=organisation, name="审批系统", scopes=scopes)
    return key


def _post(key: str, body: dict[str, Any]) -> Any:
    return Client().post(
        "/api/commitments/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )


def _body(school: Any, **extra: Any) -> dict[str, Any]:
    return {
        "reference": "SP-2026-0001",
        "matter_code": "CN-MB-02",
        "institution_uscc": school.uscc,
        "reason": "申请变更办学许可证（办学地址）",
        **extra,
    }


def test_a_system_signs_once_and_the_same_request_answers_the_same_commitment(
    shipped: Any, body: Any, school: Any
) -> None:
    key = _key(body)
    first = _post(key, _body(school))
    assert first.status_code == 201, first.content
    made = first.json()
    assert len(made["code"]) == 20 and made["code"].startswith("410102")
    assert made["supervision_state"] == "监管中"
    assert made["fulfilment"] == ""
    assert made["credit_record"] is not None
    again = _post(key, _body(school))
    assert again.status_code == 200
    assert again.json()["public_id"] == made["public_id"]
    assert again.json()["code"] == made["code"]
    assert Commitment.objects.count() == 1
    stored = Commitment.objects.get()
    assert stored.channel == CommitmentChannel.API
    assert stored.external_reference == "SP-2026-0001"


def test_the_same_reference_with_different_content_is_refused_with_nothing_written(
    shipped: Any, body: Any, school: Any
) -> None:
    key = _key(body)
    assert _post(key, _body(school)).status_code == 201
    records = CreditRecord.objects.count()
    refused = _post(key, _body(school, reason="另一项申请"))
    assert refused.status_code == 409
    assert "SP-2026-0001" in refused.json()["detail"]
    assert "reference" in refused.json()["errors"]
    assert Commitment.objects.count() == 1
    assert CreditRecord.objects.count() == records


def test_another_system_may_use_the_same_reference_for_its_own_commitment(
    shipped: Any, body: Any, school: Any
) -> None:
    assert _post(_key(body), _body(school)).status_code == 201
    assert _post(_key(body), _body(school)).status_code == 201
    assert Commitment.objects.count() == 2


def test_a_retired_or_unknown_matter_is_refused(shipped: Any, body: Any, school: Any) -> None:
    refused = _post(_key(body), _body(school, matter_code="CN-NO-99"))
    assert refused.status_code == 422
    assert "matter_code" in refused.json()["errors"]
    assert not Commitment.objects.exists()


def test_a_minor_matter_without_a_guardian_is_refused(
    shipped: Any, body: Any, school: Any, pupil: Any
) -> None:
    refused = _post(
        _key(body),
        {
            "reference": "ZZ-1",
            "matter_code": "CN-ZZ-01",
            "person_id_number": resident_id(12, born="20150301"),
        },
    )
    assert refused.status_code == 422, refused.content
    assert "guardian" in refused.json()["errors"]
    assert not Commitment.objects.exists()


def test_a_key_without_the_write_scope_is_refused(shipped: Any, body: Any, school: Any) -> None:
    answer = _post(_key(body, ("commitments:read",)), _body(school))
    assert answer.status_code == 403
    assert not Commitment.objects.exists()


def test_a_system_cannot_commit_a_subject_outside_its_jurisdiction(
    shipped: Any, body: Any, other_county: Any, school: Any
) -> None:
    answer = _post(_key(other_county), _body(school))
    assert answer.status_code == 422
    assert "institution_uscc" in answer.json()["errors"]
    assert not Commitment.objects.exists()


def test_reading_back_shows_the_text_as_signed_and_outsiders_get_404(
    shipped: Any, body: Any, other_county: Any, school: Any
) -> None:
    key = _key(body)
    made = _post(key, _body(school)).json()
    url = f"/api/commitments/{made['public_id']}"
    read = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert read.status_code == 200
    stored = Commitment.objects.get()
    assert read.json()["signed_text"] == stored.signed_text
    assert read.json()["signed_text_sha256"] == stored.signed_text_sha256
    outsider = _key(other_county)
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {outsider}").status_code == 404
