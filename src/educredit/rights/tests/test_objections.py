"""Objections (Henan §41) through the services: working-day deadlines with a holiday and a
pause, who may file and decide, and 复核 only for records that ground a list entry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from educredit.audit.models import AuditEntry
from educredit.catalog.choices import SubjectType
from educredit.core import clock
from educredit.records.choices import CreditListKind, CreditRecordStatus, ListEntryStatus
from educredit.records.models import CreditListEntry, CreditRecord
from educredit.records.tests.factories import make_catalog_item, make_record
from educredit.rights import objections as svc
from educredit.rights.choices import ObjectionOutcome, ObjectionRoute, ObjectionStatus
from educredit.rights.models import Objection
from educredit.rights.tests.factories import County, make_county, make_subject_user, make_teacher
from educredit.testing.factories import make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% evidence\n"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _on(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    monkeypatch.setattr(
        clock, "now", lambda: dt.datetime(day.year, day.month, day.day, 10, tzinfo=clock.BEIJING)
    )


def _teacher_record(county: County, **extra: Any) -> tuple[Any, CreditRecord]:
    teacher = make_teacher(county)
    record = make_record(
        actor=county.clerk,
        catalog_item=make_catalog_item(subject_type=SubjectType.PERSON),
        person=teacher,
        status=CreditRecordStatus.EFFECTIVE,
        title="师德失范行为处理",
        **extra,
    )
    return teacher, record


def _filed(county: County, monkeypatch: pytest.MonkeyPatch, day: dt.date) -> Objection:
    teacher, record = _teacher_record(county)
    user = make_subject_user(actor=county.clerk, person=teacher)
    _on(monkeypatch, day)
    return svc.objection_file(actor=user, record=record, reasons="记录有误")


def test_filing_marks_the_record_and_the_deadline_skips_national_day(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    county = make_county()
    # Tuesday 29 September 2026: 1 October – 7 October are holidays.
    teacher, record = _teacher_record(county)
    user = make_subject_user(actor=county.clerk, person=teacher)
    _on(monkeypatch, dt.date(2026, 9, 29))
    evidence = SimpleUploadedFile("判决书.pdf", PDF, content_type="application/pdf")
    objection = svc.objection_file(
        actor=user, record=record, reasons="处分已被撤销", evidence_files=[evidence]
    )
    assert objection.number == "YY202609290001"
    assert objection.received_on == dt.date(2026, 9, 29)
    # 30 Sep, 8 Oct, 9 Oct.
    assert objection.due_on == dt.date(2026, 10, 9)
    record.refresh_from_db()
    assert record.status == CreditRecordStatus.UNDER_OBJECTION
    attachment = objection.attachments.get()
    assert attachment.content_type == "application/pdf" and len(attachment.sha256) == 64
    assert attachment.file.read() == PDF
    step = objection.steps.get()
    assert "2026年10月09日" in step.notice and "受理" in step.notice
    assert AuditEntry.objects.filter(action="rights.objection_file").exists()
    second = svc.objection_file(
        actor=make_user(organisation=county.county, username="c2", roles=["clerk"]),
        record=_teacher_record(county)[1],
        reasons="代为提出",
        on_behalf=True,
    )
    assert second.number == "YY202609290002" and second.on_behalf


def test_evidence_must_be_pdf_jpg_or_png(monkeypatch: pytest.MonkeyPatch) -> None:
    county = make_county()
    teacher, record = _teacher_record(county)
    user = make_subject_user(actor=county.clerk, person=teacher)
    fake = SimpleUploadedFile("x.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")
    with pytest.raises(svc.ObjectionError, match="不是 PDF"):
        svc.objection_file(actor=user, record=record, reasons="理由", evidence_files=[fake])
    record.refresh_from_db()
    assert record.status == CreditRecordStatus.EFFECTIVE
    assert not Objection.objects.exists()


def test_referral_gives_seven_and_three_working_days(monkeypatch: pytest.MonkeyPatch) -> None:
    county = make_county()
    objection = _filed(county, monkeypatch, dt.date(2026, 11, 2))  # a Monday
    _on(monkeypatch, dt.date(2026, 11, 3))
    objection = svc.objection_refer_to_provider(
        actor=county.reviewer, objection=objection, reason="需认定单位核查"
    )
    assert objection.route == ObjectionRoute.PROVIDER
    assert objection.status == ObjectionStatus.VERIFYING
    assert objection.due_on == dt.date(2026, 11, 11)
    assert objection.provider_due_on == dt.date(2026, 11, 6)


def test_expert_review_is_not_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    county = make_county()
    objection = _filed(county, monkeypatch, dt.date(2026, 11, 2))
    assert objection.due_on == dt.date(2026, 11, 5)
    _on(monkeypatch, dt.date(2026, 11, 3))
    objection = svc.objection_pause(actor=county.reviewer, objection=objection, reason="专家评审")
    assert objection.status == ObjectionStatus.PAUSED
    # A paused objection cannot be decided.
    with pytest.raises(svc.ObjectionError):
        svc.objection_decide(
            actor=county.reviewer, objection=objection, outcome="upheld", reason="x"
        )
    _on(monkeypatch, dt.date(2026, 11, 6))
    # Past the first deadline, but the clock is stopped: nothing is late.
    assert list(svc.objections_due_for(county.reviewer)) == []
    objection = svc.objection_resume(actor=county.reviewer, objection=objection, reason="评审结束")
    assert objection.paused_working_days == 3
    assert objection.due_on == dt.date(2026, 11, 10)
    assert objection.status == ObjectionStatus.RECEIVED
    assert list(objection.steps.values_list("action", flat=True)) == ["file", "pause", "resume"]


def test_subject_files_only_on_own_record() -> None:
    county = make_county()
    _teacher, record = _teacher_record(county)
    other = make_subject_user(actor=county.clerk, person=make_teacher(county, name="李老师"))
    with pytest.raises(PermissionDenied):
        svc.objection_file(actor=other, record=record, reasons="不是我的")
    outsider = make_county(code="410105", name="金水区")
    with pytest.raises(PermissionDenied):
        svc.objection_file(actor=outsider.clerk, record=record, reasons="x", on_behalf=True)


def test_only_reviewers_and_admins_covering_the_record_decide(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    county = make_county()
    objection = _filed(county, monkeypatch, dt.date(2026, 11, 2))
    outsider = make_county(code="410105", name="金水区")
    for user in (county.clerk, outsider.reviewer):
        with pytest.raises(PermissionDenied):
            svc.objection_decide(actor=user, objection=objection, outcome="upheld", reason="x")
    objection = svc.objection_decide(
        actor=county.province_admin, objection=objection, outcome="upheld", reason="记录无误"
    )
    assert objection.outcome == ObjectionOutcome.UPHELD
    objection.record.refresh_from_db()
    assert objection.record.status == CreditRecordStatus.EFFECTIVE


def _list_entry(county: County, record: CreditRecord) -> None:
    entry = CreditListEntry.objects.create(
        kind=CreditListKind.SERIOUS,
        person=record.person,
        organisation=county.county,
        status=ListEntryStatus.LISTED,
        reason="严重失信",
    )
    entry.basis_records.add(record)


def test_review_only_for_records_grounding_a_list_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    county = make_county()
    objection = _filed(county, monkeypatch, dt.date(2026, 11, 2))
    filer = objection.filed_by
    objection = svc.objection_decide(
        actor=county.reviewer, objection=objection, outcome="upheld", reason="记录无误"
    )
    assert not svc.may_request_review(objection)
    with pytest.raises(svc.ObjectionError):
        svc.objection_request_review(actor=filer, objection=objection, reasons="不服")

    _list_entry(county, objection.record)
    assert svc.may_request_review(objection)
    objection = svc.objection_request_review(actor=filer, objection=objection, reasons="不服")
    assert objection.status == ObjectionStatus.REVIEW_REQUESTED
    assert list(svc.objections_due_for(county.province_admin)) == [objection]
    assert list(svc.objections_due_for(county.reviewer)) == []
    # Only the provincial department's administrators decide 复核.
    with pytest.raises(PermissionDenied):
        svc.objection_review_decide(
            actor=county.reviewer, objection=objection, outcome="revoked", reason="x"
        )
    objection = svc.objection_review_decide(
        actor=county.province_admin, objection=objection, outcome="revoked", reason="依据不足"
    )
    assert objection.status == ObjectionStatus.REVIEWED
    objection.record.refresh_from_db()
    assert objection.record.status == CreditRecordStatus.REVOKED
    assert "依据不足" in objection.steps.order_by("-pk")[0].notice


def test_due_list_shows_late_objections_to_their_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    county = make_county()
    objection = _filed(county, monkeypatch, dt.date(2026, 11, 2))
    _on(monkeypatch, dt.date(2026, 11, 3))
    assert list(svc.objections_due_for(county.reviewer)) == []
    _on(monkeypatch, dt.date(2026, 11, 4))
    assert list(svc.objections_due_for(county.reviewer)) == [objection]
    _on(monkeypatch, dt.date(2026, 11, 6))
    assert svc.deadline_state(objection) == "overdue"
    assert list(svc.objections_due_for(county.clerk)) == []
    outsider = make_county(code="410105", name="金水区")
    assert list(svc.objections_due_for(outsider.reviewer)) == []
