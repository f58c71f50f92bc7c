"""Objections through the pages: a teacher objects to a wrong record, sees it marked 异议中 at
once, staff correct it within the deadline and the teacher reads the written reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from educredit.catalog.choices import SubjectType
from educredit.records.choices import CreditRecordStatus
from educredit.records.tests.factories import make_catalog_item, make_record
from educredit.rights.models import Objection
from educredit.rights.tests.factories import make_county, make_subject_user, make_teacher, signed_in
from educredit.rights.tests.test_objections import _list_entry
from educredit.subjects.choices import QueryMode
from educredit.subjects.models import SubjectQueryLog

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def story() -> dict[str, Any]:
    county = make_county()
    teacher = make_teacher(county)
    record = make_record(
        actor=county.clerk,
        catalog_item=make_catalog_item(subject_type=SubjectType.PERSON),
        person=teacher,
        status=CreditRecordStatus.EFFECTIVE,
        title="师德失范行为处理（错误）",
    )
    user = make_subject_user(actor=county.clerk, person=teacher)
    return {"county": county, "teacher": teacher, "record": record, "user": user}


def _file(client: Any, record: Any) -> Any:
    url = reverse("self_service:objection_create") + f"?record={record.public_id}"
    evidence = SimpleUploadedFile("证明.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    return client.post(url, {"reasons": "我从未受过此处分", "evidence": [evidence]})


def test_teacher_objects_staff_correct_teacher_reads_the_reason(story: dict[str, Any]) -> None:
    county, record, teacher = story["county"], story["record"], story["teacher"]
    me = signed_in(story["user"])
    home = me.get(reverse("self_service:home")).content.decode()
    assert reverse("self_service:objection_create") in home

    form = me.get(reverse("self_service:objection_create") + f"?record={record.public_id}")
    assert form.status_code == 200 and "师德失范行为处理（错误）" in form.content.decode()
    filed = _file(me, record)
    assert filed.status_code == 302
    objection = Objection.objects.get()
    assert filed["Location"] == reverse("self_service:objection_detail", args=[objection.public_id])

    # Marked at once: on my records, on my objection, and in the staff archive.
    assert "异议中" in me.get(reverse("self_service:home")).content.decode()
    detail = me.get(filed["Location"]).content.decode()
    assert objection.number in detail and "受理" in detail
    listing = me.get(reverse("self_service:objection_list")).content.decode()
    assert objection.number in listing and objection.due_on.strftime("%Y-%m-%d") in listing
    reviewer = signed_in(county.reviewer)
    archive = reviewer.get(reverse("records:person_archive", args=[teacher.public_id]))
    assert "异议中" in archive.content.decode()

    # Staff: the queue, the detail, referral to the provider, then the correction.
    queue = reviewer.get(reverse("rights:objection_queue")).content.decode()
    assert objection.number in queue
    staff_detail = reviewer.get(reverse("rights:objection_detail", args=[objection.public_id]))
    assert "我从未受过此处分" in staff_detail.content.decode()
    assert "证明.png" in staff_detail.content.decode()
    act = reverse("rights:objection_act", args=[objection.public_id])
    refer = reviewer.post(act, {"action": "refer", "reason": "请认定单位核查"})
    assert refer.status_code == 302
    decided = reviewer.post(
        act,
        {
            "action": "decide",
            "outcome": "corrected",
            "reason": "经核查系录入错误，已更正事由",
            "title": "无",
        },
    )
    assert decided.status_code == 302
    record.refresh_from_db()
    assert record.status == CreditRecordStatus.EFFECTIVE and record.title == "无"

    # The teacher reads the written reason.
    final = me.get(reverse("self_service:objection_detail", args=[objection.public_id]))
    body = final.content.decode()
    assert "经核查系录入错误，已更正事由" in body and "已更正" in body
    assert "需由信息提供单位核查" in body
    assert SubjectQueryLog.objects.filter(
        route="self_service:objection_detail", mode=QueryMode.SELF, person=teacher
    ).exists()
    assert SubjectQueryLog.objects.filter(
        route="rights:objection_detail", user=county.reviewer, person=teacher
    ).exists()


def test_staff_file_on_behalf_from_the_record(story: dict[str, Any]) -> None:
    county, record = story["county"], story["record"]
    clerk = signed_in(county.clerk)
    url = reverse("rights:objection_create") + f"?record={record.public_id}"
    assert clerk.get(url).status_code == 200
    response = clerk.post(url, {"reasons": "本人电话提出，代为登记"})
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert objection.on_behalf and objection.filed_by == county.clerk
    record.refresh_from_db()
    assert record.status == CreditRecordStatus.UNDER_OBJECTION


def test_strangers_get_404_and_clerks_cannot_decide(story: dict[str, Any]) -> None:
    county, record = story["county"], story["record"]
    me = signed_in(story["user"])
    _file(me, record)
    objection = Objection.objects.get()

    other = signed_in(make_subject_user(actor=county.clerk, person=make_teacher(county, name="李")))
    create = reverse("self_service:objection_create") + f"?record={record.public_id}"
    assert other.get(create).status_code == 404
    assert other.post(create, {"reasons": "x"}).status_code == 404
    detail = reverse("self_service:objection_detail", args=[objection.public_id])
    assert other.get(detail).status_code == 404

    outsider = make_county(code="410105", name="金水区")
    stranger = signed_in(outsider.reviewer)
    assert (
        stranger.get(reverse("rights:objection_detail", args=[objection.public_id])).status_code
        == 404
    )
    assert objection.number not in stranger.get(reverse("rights:objection_queue")).content.decode()
    act = reverse("rights:objection_act", args=[objection.public_id])
    decide = {"action": "decide", "outcome": "upheld", "reason": "x"}
    assert stranger.post(act, decide).status_code == 404

    clerk = signed_in(county.clerk)
    response = clerk.post(act, decide)
    assert response.status_code == 403
    objection.refresh_from_db()
    assert objection.status == "received"
    assert (
        "作出处理决定"
        not in clerk.get(
            reverse("rights:objection_detail", args=[objection.public_id])
        ).content.decode()
    )


def test_review_button_only_when_the_record_grounds_a_list(story: dict[str, Any]) -> None:
    county, record = story["county"], story["record"]
    me = signed_in(story["user"])
    _file(me, record)
    objection = Objection.objects.get()
    signed_in(county.reviewer).post(
        reverse("rights:objection_act", args=[objection.public_id]),
        {"action": "decide", "outcome": "upheld", "reason": "记录无误"},
    )
    detail = reverse("self_service:objection_detail", args=[objection.public_id])
    assert "data-ec-request-review" not in me.get(detail).content.decode()
    assert me.post(detail, {"reasons": "不服"}).status_code == 404

    _list_entry(county, record)
    assert "data-ec-request-review" in me.get(detail).content.decode()
    assert me.post(detail, {"reasons": "不服"}).status_code == 302
    objection.refresh_from_db()
    assert objection.status == "review_requested"
    admin = signed_in(county.province_admin)
    page = admin.get(reverse("rights:objection_detail", args=[objection.public_id]))
    assert "复核决定" in page.content.decode()


def test_evidence_download_is_logged_and_oversized_files_refused(story: dict[str, Any]) -> None:
    county, record, teacher = story["county"], story["record"], story["teacher"]
    me = signed_in(story["user"])
    url = reverse("self_service:objection_create") + f"?record={record.public_id}"
    big = SimpleUploadedFile("大.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))
    refused = me.post(url, {"reasons": "理由", "evidence": [big]})
    assert refused.status_code == 200 and "文件过大（上限 10 MB）" in refused.content.decode()
    assert not Objection.objects.exists()

    _file(me, record)
    objection = Objection.objects.get()
    attachment = objection.attachments.get()
    reviewer = signed_in(county.reviewer)
    download = reverse(
        "rights:objection_evidence", args=[objection.public_id, attachment.public_id]
    )
    response = reviewer.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]
    assert SubjectQueryLog.objects.filter(
        route="rights:objection_evidence", user=county.reviewer, person=teacher
    ).exists()
    outsider = signed_in(make_county(code="410105", name="金水区").reviewer)
    assert outsider.get(download).status_code == 404
