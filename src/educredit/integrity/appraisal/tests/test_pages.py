"""The pages: the school's list (filters, phone layout, export), entry, the review queue of the
level above, and the outsider's 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from educredit.core import clock
from educredit.integrity.appraisal import services
from educredit.integrity.appraisal.choices import EthicsAppraisalStatus as S
from educredit.integrity.appraisal.models import EthicsAppraisal
from educredit.records.tests.test_list_export import sheet_rows
from educredit.subjects.choices import QueryKind
from educredit.subjects.models import SubjectQueryLog
from educredit.testing.one_language import han_leaks, visible_text

pytestmark = pytest.mark.django_db

LAST_YEAR = clock.today().year - 1
LIST = reverse("integrity_appraisal:list")
ENTER = reverse("integrity_appraisal:enter")
QUEUE = reverse("integrity_appraisal:review_queue")


def _client(user: Any, language: str = "zh-hans") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    client.force_login(user)
    return client


def _submitted(
    clerk: Any, teacher: Any, grade: str = "合格", remarks: str = "", year: int = LAST_YEAR
) -> Any:
    appraisal = services.ethics_appraisal_enter(
        actor=clerk, teacher=teacher, year=year, grade=grade, remarks=remarks
    )
    return services.ethics_appraisal_submit(actor=clerk, appraisal=appraisal)


def test_the_school_clerk_enters_and_submits_from_the_form(school_clerk, teacher):
    client = _client(school_clerk)
    page = client.get(ENTER, {"year": LAST_YEAR})
    assert page.status_code == 200 and "王老师" in page.content.decode()
    response = client.post(
        ENTER,
        {
            "teacher": teacher.public_id,
            "year": LAST_YEAR,
            "grade": "不合格",
            "remarks": "",
            "submit": "1",
        },
    )
    assert response.status_code == 400  # the facts are missing: said on the form
    assert "写明事实" in response.content.decode()
    response = client.post(
        ENTER,
        {
            "teacher": teacher.public_id,
            "year": LAST_YEAR,
            "grade": "不合格",
            "remarks": "体罚学生",
            "submit": "1",
        },
    )
    appraisal = EthicsAppraisal.objects.get()
    assert response.status_code == 302 and appraisal.status == S.SUBMITTED
    again = client.post(
        ENTER, {"teacher": teacher.public_id, "year": LAST_YEAR, "grade": "合格", "save": "1"}
    )
    assert again.status_code == 400 and "已录入" in again.content.decode()


def test_a_bureau_clerk_is_not_offered_the_entry(county_clerk, school_clerk, teacher):
    _submitted(school_clerk, teacher)
    page = _client(county_clerk).get(LIST).content.decode()
    assert ENTER not in page and "王老师" in page  # reads the county's schools, enters nothing
    assert _client(county_clerk).get(ENTER).status_code == 403


def test_the_list_filters_stacks_and_logs_the_read(school_clerk, teacher, colleague):
    _submitted(school_clerk, teacher, grade="优秀")
    services.ethics_appraisal_enter(
        actor=school_clerk, teacher=colleague, year=LAST_YEAR, grade="合格"
    )
    client = _client(school_clerk)
    before = SubjectQueryLog.objects.count()
    page = client.get(LIST, {"year": str(LAST_YEAR), "grade": "优秀"}).content.decode()
    assert "王老师" in page and "赵老师" not in page
    assert 'class="table align-middle ec-table ec-stack"' in page and 'data-label="' in page
    assert SubjectQueryLog.objects.count() > before
    drafts = client.get(LIST, {"status": S.DRAFT}).content.decode()
    assert "赵老师" in drafts and "王老师" not in drafts


def test_the_export_is_the_filter_and_masks_numbers(school_clerk, teacher, colleague):
    _submitted(school_clerk, teacher, grade="优秀")
    _submitted(school_clerk, colleague, grade="合格")
    response = _client(school_clerk).get(LIST, {"grade": "优秀", "export": "xlsx"})
    rows = sheet_rows(response)
    assert rows[0][:2] == ["考核年度", "姓名"]
    assert len(rows) == 2 and rows[1][1] == "王老师"
    assert teacher.id_number_masked == rows[1][2] and "*" in rows[1][2]
    assert SubjectQueryLog.objects.filter(kind=QueryKind.EXPORT, person=teacher).exists()


def test_the_county_reviewer_approves_and_returns_from_the_queue(
    school_clerk, county_reviewer, teacher, colleague
):
    first = _submitted(school_clerk, teacher, grade="不合格", remarks="体罚学生")
    second = _submitted(school_clerk, colleague)
    client = _client(county_reviewer)
    queue = client.get(QUEUE).content.decode()
    assert "王老师" in queue and "赵老师" in queue
    approve = reverse("integrity_appraisal:approve", args=[first.public_id])
    assert client.post(approve, {"next": "queue"}).status_code == 302
    refuse = reverse("integrity_appraisal:return", args=[second.public_id])
    client.post(refuse, {"reason": "", "next": "queue"})
    second.refresh_from_db()
    assert second.status == S.SUBMITTED  # no reason, no return
    client.post(refuse, {"reason": "等次与年度考核材料不符", "next": "queue"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == S.APPROVED and first.credit_record is not None
    assert second.status == S.RETURNED
    assert "王老师" not in client.get(QUEUE).content.decode()
    detail = _client(school_clerk).get(
        reverse("integrity_appraisal:detail", args=[second.public_id])
    )
    assert "等次与年度考核材料不符" in detail.content.decode()


def test_the_school_is_not_offered_the_review(school_clerk, school_head, teacher):
    appraisal = _submitted(school_clerk, teacher)
    assert _client(school_head).get(QUEUE).status_code == 403  # a school holds no supervision
    detail = _client(school_head).get(
        reverse("integrity_appraisal:detail", args=[appraisal.public_id])
    )
    assert "审核通过" not in detail.content.decode()
    approve = reverse("integrity_appraisal:approve", args=[appraisal.public_id])
    assert _client(school_head).post(approve).status_code == 403
    appraisal.refresh_from_db()
    assert appraisal.status == S.SUBMITTED


def test_an_outsider_finds_nothing(school_clerk, outsider, other_reviewer, teacher):
    appraisal = _submitted(school_clerk, teacher)
    detail = reverse("integrity_appraisal:detail", args=[appraisal.public_id])
    assert _client(outsider).get(detail).status_code == 404
    assert "王老师" not in _client(outsider).get(LIST).content.decode()
    assert "王老师" not in _client(other_reviewer).get(QUEUE).content.decode()
    approve = reverse("integrity_appraisal:approve", args=[appraisal.public_id])
    assert _client(other_reviewer).post(approve).status_code == 404


def test_the_pages_speak_english(school_clerk, county_reviewer, teacher, colleague):
    appraisal = _submitted(school_clerk, teacher, grade="基本合格", remarks="迟到")
    data = [
        teacher.name,
        colleague.name,
        appraisal.school.name,
        appraisal.remarks,
        school_clerk.full_name,
        county_reviewer.full_name,
        school_clerk.organisation.name,
        county_reviewer.organisation.name,
    ]
    for user, url in (
        (school_clerk, LIST),
        (school_clerk, ENTER + f"?year={LAST_YEAR}"),
        (county_reviewer, QUEUE),
        (county_reviewer, reverse("integrity_appraisal:detail", args=[appraisal.public_id])),
        (school_clerk, reverse("integrity_appraisal:detail", args=[appraisal.public_id])),
        (school_clerk, reverse("integrity_appraisal:import_start")),
    ):
        response = _client(user, "en").get(url)
        assert response.status_code == 200, url
        text = visible_text(response.content.decode())
        assert han_leaks(text, data) == [], (url, han_leaks(text, data))


def test_the_list_and_the_queue_cost_the_same_queries_for_one_or_several(
    school_clerk: Any, county_reviewer: Any, teacher: Any, colleague: Any, school: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from educredit.subjects.tests.factories import make_person, resident_id

    _submitted(school_clerk, teacher)
    clerk, reviewer = _client(school_clerk), _client(county_reviewer)
    clerk.get(LIST)  # warm the session and the caches
    reviewer.get(QUEUE)
    with CaptureQueriesContext(connection) as list_one:
        clerk.get(LIST)
    with CaptureQueriesContext(connection) as queue_one:
        reviewer.get(QUEUE)
    _submitted(school_clerk, colleague)
    for n in range(2):
        more = make_person(institution=school, name=f"周老师{n}", number=resident_id(60 + n))
        _submitted(school_clerk, more)
    with CaptureQueriesContext(connection) as list_four:
        page = clerk.get(LIST).content.decode()
    with CaptureQueriesContext(connection) as queue_four:
        queue = reviewer.get(QUEUE).content.decode()
    assert page.count("data-ec-appraisal=") == 4 and queue.count("data-ec-appraisal=") == 4
    assert len(list_four.captured_queries) <= len(list_one.captured_queries)
    assert len(queue_four.captured_queries) <= len(queue_one.captured_queries)


def test_the_reviewer_is_told_on_the_home_page(
    school_clerk: Any, county_reviewer: Any, teacher: Any
) -> None:
    home = reverse("web:home")
    assert QUEUE not in _client(county_reviewer).get(home).content.decode()
    _submitted(school_clerk, teacher)
    page = _client(county_reviewer, "en").get(home).content.decode()
    assert QUEUE in page and "ethics appraisals awaiting review" in page
    assert QUEUE not in _client(school_clerk).get(home).content.decode()
