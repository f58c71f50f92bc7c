"""Research activity records (科研活动记录): the university's clerk enters them, the city bureau
above reads them, an outsider gets 404; refusals name their rule and write nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from educredit.audit.models import AuditEntry
from educredit.integrity.research.choices import ResearchActivityStatus
from educredit.integrity.research.models import ResearchActivity
from educredit.integrity.research.services import ResearchActivityError, research_activity_update
from educredit.integrity.research.tests.factories import ENDS, KEPT_UNTIL, STARTS, make_activity
from educredit.subjects.models import SubjectQueryLog
from educredit.subjects.tests.factories import make_institution, make_person, resident_id
from educredit.testing.one_language import han_leaks, visible_text

pytestmark = pytest.mark.django_db

LIST = reverse("integrity_research:list")
NEW = reverse("integrity_research:new")


def form_data(person: Any, **changes: Any) -> dict[str, Any]:
    data = {
        "responsible_person": str(person.public_id),
        "project_name": "黄河流域土壤重金属迁移机理研究",
        "project_number": "HNKJ-2026-017",
        "funder": "河南省科学技术厅",
        "starts_on": STARTS.isoformat(),
        "ends_on": ENDS.isoformat(),
        "data_location": "本校科研数据平台（数据集 SOIL-017）",
        "retention_until": KEPT_UNTIL.isoformat(),
        "commitment_code": "",
        "status": ResearchActivityStatus.PLANNED,
    }
    data.update(changes)
    return data


def test_the_clerk_enters_an_activity_and_the_city_bureau_reads_it(
    client: Any, research_clerk: Any, professor: Any, city_reviewer: Any, university: Any
) -> None:
    client.force_login(research_clerk)
    assert "录入科研活动" in client.get(LIST).content.decode()
    response = client.post(NEW, form_data(professor))
    assert response.status_code == 302, response.content.decode()
    activity = ResearchActivity.objects.get()
    assert (activity.institution, activity.responsible_person) == (university, professor)
    assert activity.retention_until == KEPT_UNTIL
    assert AuditEntry.objects.filter(
        action="research_activity.create", target_id=str(activity.pk)
    ).exists()

    client.force_login(city_reviewer)
    page = client.get(LIST).content.decode()
    assert "黄河流域土壤重金属迁移机理研究" in page and "录入科研活动" not in page
    assert 'class="table align-middle ec-table ec-stack"' in page
    assert 'data-label="数据保存期限"' in page  # the phone layout's labels
    assert client.get(LIST, {"institution": "not-an-id"}).status_code == 200
    detail = client.get(reverse("integrity_research:detail", args=[activity.public_id]))
    assert detail.status_code == 200 and "本校科研数据平台" in detail.content.decode()
    assert "integrity_research:edit" not in detail.content.decode()
    edit = reverse("integrity_research:edit", args=[activity.public_id])
    assert edit not in detail.content.decode()
    # The bureau above reads; it does not write.
    assert client.get(NEW).status_code == 403
    assert client.post(edit, form_data(professor, funder="篡改")).status_code == 403
    activity.refresh_from_db()
    assert activity.funder == "河南省科学技术厅"
    # Reading the person's activity is logged.
    assert SubjectQueryLog.objects.filter(
        person=professor, route="integrity_research:detail"
    ).exists()


def test_an_outsider_gets_404_and_sees_nothing_in_the_list(
    client: Any, research_clerk: Any, professor: Any, university: Any, outsider: Any
) -> None:
    activity = make_activity(research_clerk, university, professor)
    client.force_login(outsider)
    assert "黄河流域" not in client.get(LIST).content.decode()
    detail = reverse("integrity_research:detail", args=[activity.public_id])
    assert client.get(detail).status_code == 404
    edit = reverse("integrity_research:edit", args=[activity.public_id])
    assert client.post(edit, form_data(professor, funder="篡改")).status_code == 404


def test_retention_before_the_end_is_refused_and_nothing_is_written(
    client: Any, research_clerk: Any, professor: Any
) -> None:
    client.force_login(research_clerk)
    early = (ENDS - dt.timedelta(days=1)).isoformat()
    response = client.post(NEW, form_data(professor, retention_until=early))
    assert response.status_code == 400
    assert "数据保存期限不能早于项目结束日期" in response.content.decode()
    backwards = client.post(NEW, form_data(professor, ends_on="2026-08-31"))
    assert "结束日期不能早于开始日期" in backwards.content.decode()
    assert not ResearchActivity.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="research_activity.").exists()


def test_refusals_name_their_rule(
    research_clerk: Any, professor: Any, lecturer: Any, university: Any, city: Any
) -> None:
    stranger = make_person(
        institution=make_institution(supervisor=city, name="郑州另一学院", serial=8102),
        name="外单位人员",
        number=resident_id(83),
    )
    with pytest.raises(ResearchActivityError) as caught:
        make_activity(research_clerk, university, stranger)
    assert "项目负责人须为本单位人员" in str(caught.value.message_dict["responsible_person"])
    activity = make_activity(research_clerk, university, professor)
    with pytest.raises(ResearchActivityError) as caught:
        make_activity(research_clerk, university, lecturer)  # the same project number
    assert "本单位已有该编号" in str(caught.value.message_dict["project_number"])
    with pytest.raises(ResearchActivityError) as caught:
        make_activity(
            research_clerk, university, lecturer, project_number="X-1", commitment_code="CN-NONE"
        )
    assert "没有该编码的已签署科研诚信承诺" in str(caught.value.message_dict["commitment_code"])
    assert ResearchActivity.objects.count() == 1

    def update(**changes: Any) -> Any:
        values = {
            "responsible_person": professor,
            "project_name": activity.project_name,
            "project_number": activity.project_number,
            "funder": activity.funder,
            "starts_on": activity.starts_on,
            "ends_on": activity.ends_on,
            "data_location": activity.data_location,
            "retention_until": activity.retention_until,
            "commitment_code": "",
            "status": activity.status,
            **changes,
        }
        return research_activity_update(actor=research_clerk, activity=activity, **values)

    activity = update(status=ResearchActivityStatus.ONGOING)
    activity = update(status=ResearchActivityStatus.COMPLETED, data_location="省科研数据中心")
    with pytest.raises(ResearchActivityError) as caught:
        update(status=ResearchActivityStatus.ONGOING)
    assert "状态不能从" in str(caught.value.message_dict["status"])
    with pytest.raises(ResearchActivityError):
        update(ends_on=KEPT_UNTIL + dt.timedelta(days=1))  # the data would go before the end
    activity.refresh_from_db()
    assert (activity.status, activity.data_location) == ("completed", "省科研数据中心")


def test_the_list_filters_and_exports_its_filter(
    client: Any, research_clerk: Any, professor: Any, lecturer: Any, university: Any
) -> None:
    make_activity(research_clerk, university, professor)
    make_activity(
        research_clerk,
        university,
        lecturer,
        project_name="中原城市群大气细颗粒物来源解析",
        project_number="HNKJ-2026-031",
    )
    client.force_login(research_clerk)
    found = client.get(LIST, {"q": "大气"}).content.decode()
    assert "中原城市群" in found and "黄河流域" not in found
    assert "没有符合条件" in client.get(LIST, {"status": "completed"}).content.decode()
    exported = client.get(LIST, {"q": "大气", "export": "xlsx"})
    assert exported.status_code == 200
    assert "spreadsheetml" in exported["Content-Type"]
    assert SubjectQueryLog.objects.filter(person=lecturer).exists()


def test_the_pages_speak_english(
    research_clerk: Any, professor: Any, lecturer: Any, university: Any, city_reviewer: Any
) -> None:
    activity = make_activity(research_clerk, university, professor)
    data = [
        professor.name,
        lecturer.name,
        university.name,
        activity.project_name,
        activity.funder,
        activity.data_location,
        research_clerk.full_name,
        research_clerk.organisation.name,
        city_reviewer.full_name,
        city_reviewer.organisation.name,
    ]
    detail = reverse("integrity_research:detail", args=[activity.public_id])
    for user, url in (
        (research_clerk, LIST),
        (research_clerk, NEW),
        (research_clerk, detail),  # with the change form
        (city_reviewer, LIST),
        (city_reviewer, detail),
    ):
        client = Client()
        client.cookies["django_language"] = "en"
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        text = visible_text(response.content.decode())
        assert han_leaks(text, data) == [], (url, han_leaks(text, data))
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(research_clerk)
    refused = client.post(NEW, form_data(professor, retention_until="2028-01-01"))
    assert "The data retention date cannot be before the project" in refused.content.decode()


def test_the_clerk_changes_the_activity_from_its_page(
    client: Any, research_clerk: Any, professor: Any, university: Any
) -> None:
    activity = make_activity(research_clerk, university, professor)
    detail = reverse("integrity_research:detail", args=[activity.public_id])
    edit = reverse("integrity_research:edit", args=[activity.public_id])
    client.force_login(research_clerk)
    assert edit in client.get(detail).content.decode()
    moved = form_data(professor, status="ongoing", data_location="省科研数据中心")
    assert client.post(edit, moved).status_code == 302
    activity.refresh_from_db()
    assert (activity.status, activity.data_location) == ("ongoing", "省科研数据中心")
    back = client.post(edit, form_data(professor, status="planned"))
    assert back.status_code == 400 and "状态不能从" in back.content.decode()
    assert AuditEntry.objects.filter(action="research_activity.update").count() == 1


def test_the_list_costs_a_fixed_number_of_queries(
    client: Any,
    research_clerk: Any,
    professor: Any,
    lecturer: Any,
    university: Any,
) -> None:
    client.force_login(research_clerk)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    make_activity(research_clerk, university, professor)
    few = count()
    for serial in range(2, 6):
        make_activity(
            research_clerk,
            university,
            lecturer if serial % 2 else professor,
            project_number=f"HNKJ-2026-1{serial:02d}",
        )
    assert count() == few
