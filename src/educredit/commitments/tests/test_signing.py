"""Signing by staff on the subject's behalf: the code, the frozen text, the JY-CN-01 record,
the two state fields; refusals (retired matter, no scan, changed text); minors; declining."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest

from educredit.audit.models import AuditEntry
from educredit.commitments import codes, data, letters
from educredit.commitments.choices import (
    CommitmentDecision,
    CommitmentFulfilment,
    CommitmentSupervisionState,
)
from educredit.commitments.models import Commitment, CommitmentTemplate
from educredit.commitments.selectors import letter_render, matter_in_force, template_for_matter
from educredit.commitments.services import (
    CommitmentError,
    commitment_decline,
    commitment_sign,
    matter_create,
    matter_list_version_create,
    matter_list_version_publish,
)
from educredit.core import clock, crypto
from educredit.core.i18n import Bilingual
from educredit.records.choices import CreditRecordStatus
from educredit.records.models import CreditRecord

pytestmark = pytest.mark.django_db


def _sign(actor: Any, code: str, scan: Any, **kwargs: Any) -> Commitment:
    matter = matter_in_force(code)
    assert matter is not None
    return commitment_sign(actor=actor, matter=matter, scan=scan, **kwargs).commitment


def test_a_staff_signing_gets_its_code_frozen_text_and_an_effective_jy_cn_01_record(
    shipped: Any, approver: Any, school: Any, scan: Any
) -> None:
    made = _sign(approver, "CN-MB-02", scan, institution=school, reason="申请变更办学许可证")
    parsed = codes.parse_commitment_code(made.code or "")
    assert parsed.region_code == "410102"
    assert parsed.day == clock.today()
    assert made.decision == CommitmentDecision.SIGNED
    assert made.signed_text_sha256 == letters.text_sha256(made.signed_text)
    assert school.name in made.signed_text
    assert made.supervision_state == CommitmentSupervisionState.SUPERVISING
    assert made.fulfilment == CommitmentFulfilment.UNDECIDED
    assert made.scan_sha256
    record = made.credit_record
    assert record is not None
    assert record.catalog_item.code == "JY-CN-01"
    assert record.status == CreditRecordStatus.EFFECTIVE
    assert record.institution_id == school.pk
    assert record.decision_number == made.code
    assert record.issuing_body_uscc == approver.organisation.uscc
    assert record.payload["commitment_type"] == "审批替代型"
    assert record.payload["commitment_reason"] == "申请变更办学许可证"
    assert record.payload["publication_type"] == "可向社会公开"
    assert record.payload["acceptance_unit"] == approver.organisation.name
    assert record.payload["commitment_content"] and record.payload["breach_liability"]
    assert AuditEntry.objects.filter(action="commitments.sign", target_id=str(made.pk)).exists()


def test_the_signed_text_stays_as_signed_when_a_later_edition_changes_the_template(
    shipped: Any, approver: Any, school: Any, scan: Any
) -> None:
    made = _sign(approver, "CN-MB-02", scan, institution=school)
    frozen = made.signed_text
    template = made.template
    assert template is not None
    # A row changed behind the services' back: the frozen text does not follow it.
    CommitmentTemplate.objects.filter(pk=template.pk).update(letter_content="篡改后的内容")
    made.refresh_from_db()
    assert made.signed_text == frozen
    assert letters.text_sha256(made.signed_text) == made.signed_text_sha256


def test_a_text_other_than_the_one_shown_is_not_signed(
    shipped: Any, approver: Any, school: Any, scan: Any
) -> None:
    with pytest.raises(CommitmentError) as refused:
        _sign(approver, "CN-MB-02", scan, institution=school, shown_sha256="0" * 64)
    assert "text" in refused.value.errors
    assert not Commitment.objects.exists()


def test_the_digest_of_the_rendered_letter_is_accepted(
    shipped: Any, approver: Any, school: Any, scan: Any
) -> None:
    matter = matter_in_force("CN-MB-02")
    assert matter is not None
    template = template_for_matter(matter)
    assert template is not None
    shown = letter_render(
        matter=matter,
        template=template,
        institution=school,
        person=None,
        accepting_organisation=approver.organisation,
        day=clock.today(),
    )
    made = _sign(approver, "CN-MB-02", scan, institution=school, shown_sha256=shown.sha256)
    assert made.signed_text == shown.text


def test_staff_must_attach_the_scanned_paper_letter_and_it_must_be_a_document(
    shipped: Any, approver: Any, school: Any
) -> None:
    with pytest.raises(CommitmentError) as missing:
        _sign(approver, "CN-MB-02", None, institution=school)
    assert "scan" in missing.value.errors
    fake = io.BytesIO(b"MZ\x90\x00 not a pdf")
    fake.name = "letter.pdf"
    with pytest.raises(CommitmentError) as wrong:
        _sign(approver, "CN-MB-02", fake, institution=school)
    assert "scan" in wrong.value.errors
    assert not Commitment.objects.exists()
    assert not CreditRecord.objects.filter(catalog_item__code="JY-CN-01").exists()


def test_a_signing_that_fails_after_the_scan_is_stored_leaves_no_file_behind(
    shipped: Any,
    approver: Any,
    school: Any,
    scan: Any,
    settings: Any,
    tmp_path: Any,
    monkeypatch: Any,
) -> None:
    from educredit.commitments import services

    settings.MEDIA_ROOT = tmp_path / "media"

    def refuse(**_kwargs: Any) -> Any:
        raise CommitmentError(
            {"accepting_organisation": Bilingual("未登记统一社会信用代码", "no code")}
        )

    monkeypatch.setattr(services, "commitment_record", refuse)
    with pytest.raises(CommitmentError):
        _sign(approver, "CN-MB-02", scan, institution=school)
    assert not Commitment.objects.exists()
    stored = [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
    assert stored == []


def test_a_commitment_for_a_retired_matter_is_refused_and_nothing_is_written(
    shipped: Any, approver: Any, province_admin: Any, school: Any, scan: Any
) -> None:
    old = matter_in_force("CN-MB-02")
    assert old is not None
    today = clock.today()
    draft = matter_list_version_create(actor=province_admin, title="第 2 版", effective_from=today)
    matter_create(actor=province_admin, version=draft, **data.MATTERS[0])
    # The shipped edition took effect in the past, so the new one can take over today.
    matter_list_version_publish(actor=province_admin, version=draft, effective_from=today)
    with pytest.raises(CommitmentError) as refused:
        commitment_sign(actor=approver, matter=old, institution=school, scan=scan)
    assert "matter" in refused.value.errors
    assert "废止" in refused.value.errors["matter"]
    assert not Commitment.objects.exists()


def test_a_minor_matter_needs_the_guardian_and_records_nothing_shared(
    shipped: Any, approver: Any, pupil: Any, scan: Any
) -> None:
    with pytest.raises(CommitmentError) as refused:
        _sign(approver, "CN-ZZ-01", scan, person=pupil)
    assert "guardian" in refused.value.errors
    made = _sign(
        approver,
        "CN-ZZ-01",
        scan,
        person=pupil,
        guardian_name="李建国",
        guardian_document="410102198001010011",
    )
    assert made.credit_record_id is None
    assert made.publication_type == "不可公开"
    assert made.guardian_name == "李建国"
    assert "410102198001010011" not in made.guardian_document_cipher
    assert crypto.decrypt_text(made.guardian_document_cipher) == "410102198001010011"
    assert made.guardian_document_masked != "410102198001010011"
    assert "410102198001010011" not in str(made.audit_snapshot())
    assert not CreditRecord.objects.filter(person=pupil).exists()


def test_a_person_under_eighteen_needs_a_guardian_in_any_matter(
    shipped: Any, approver: Any, pupil: Any, scan: Any
) -> None:
    with pytest.raises(CommitmentError) as refused:
        _sign(approver, "CN-KS-01", scan, person=pupil)
    assert "guardian" in refused.value.errors


def test_an_adult_teacher_signs_without_a_guardian_and_gets_a_record(
    shipped: Any, approver: Any, teacher: Any, scan: Any
) -> None:
    made = _sign(approver, "CN-ZC-01", scan, person=teacher)
    assert made.subject_code == teacher.id_number_masked
    assert made.credit_record is not None
    assert made.credit_record.person_id == teacher.pk


def test_declining_is_recorded_without_a_code_or_a_record(
    shipped: Any, approver: Any, school: Any
) -> None:
    matter = matter_in_force("CN-MB-02")
    assert matter is not None
    with pytest.raises(CommitmentError):
        commitment_decline(actor=approver, matter=matter, institution=school, proofs_note=" ")
    declined = commitment_decline(
        actor=approver, matter=matter, institution=school, proofs_note="办学许可证变更证明材料一套"
    )
    assert declined.decision == CommitmentDecision.DECLINED
    assert declined.code is None
    assert declined.credit_record_id is None
    assert AuditEntry.objects.filter(action="commitments.decline").exists()


def test_an_outsider_cannot_accept_for_another_county(
    shipped: Any, outsider: Any, approver: Any, school: Any, scan: Any
) -> None:
    matter = matter_in_force("CN-MB-02")
    assert matter is not None
    with pytest.raises(Exception, match="管辖"):
        commitment_sign(
            actor=outsider,
            matter=matter,
            institution=school,
            scan=scan,
            accepting_organisation=approver.organisation,
        )
    assert not Commitment.objects.exists()


def test_the_code_date_is_the_beijing_date(
    shipped: Any, approver: Any, school: Any, scan: Any, monkeypatch: Any
) -> None:
    # 23:30 UTC on 7 December is 07:30 on 8 December in Beijing.
    late = datetime.datetime(2026, 12, 7, 23, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: late)
    made = _sign(approver, "CN-MB-02", scan, institution=school)
    assert (made.code or "")[6:14] == "20261208"
