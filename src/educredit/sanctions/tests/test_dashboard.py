"""The loop dashboard (联合奖惩成效): feedback shows up, jurisdiction, export, queries, English."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest

from educredit.core import clock
from educredit.sanctions.models import ScreeningCheck
from educredit.sanctions.tests.conftest import run_check

pytestmark = pytest.mark.django_db

LOOP = "/sanctions/loop/"


@pytest.fixture
def hit(client: Any, loop_teacher: Any, checker: Any) -> str:
    response = run_check(client, checker.headers)
    assert response.json()["verdict"] == "restricted", response.content
    return str(response.json()["check_id"])


def report(client: Any, checker: Any, check_id: str, outcome: str, reason: str = "") -> None:
    response = client.post(
        f"/api/sanctions/checks/{check_id}/feedback",
        {"outcome": outcome, "reason": reason},
        content_type="application/json",
        **checker.headers,
    )
    assert response.status_code == 201, response.content


def row_of(page: str, table: str, label: str) -> list[str]:
    """The cells of the row labelled ``label`` in the table ``data-loop-table=table``."""
    section = page.split(f'data-loop-table="{table}"', 1)[1].split("</table>", 1)[0]
    for row in re.findall(r"<tr>(.*?)</tr>", section, re.S):
        if label in row:
            return [
                re.sub(r"<[^>]+>", "", cell).strip()
                for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            ]
    raise AssertionError(f"no row {label} in {table}")


def test_feedback_appears_on_the_dashboard(
    client: Any, hit: str, checker: Any, county_clerk: Any
) -> None:
    second = run_check(client, checker.headers, reference="JS-2026-0002").json()["check_id"]
    report(client, checker, hit, "refused")
    client.force_login(county_clerk)
    page = client.get(LOOP).content.decode()
    # hits, feedback, rate, refused, restricted, enhanced review, not applied, overdue
    assert row_of(page, "scenario", "教师资格认定")[1:] == [
        "2",
        "1",
        "50.0%",
        "1",
        "0",
        "0",
        "0",
        "0",
    ]
    assert row_of(page, "organisation", "中原区教育局")[1:4] == ["2", "1", "50.0%"]
    codes = {m["code"] for m in ScreeningCheck.objects.get(public_id=hit).measures}
    for code in codes:
        assert row_of(page, "measure", code)[1:4] == ["2", "1", "50.0%"]
    hits = page.split("data-loop-hits", 1)[1]
    assert "拒绝" in hits and "未反馈" in hits
    assert "李**" in hits and "李老师" not in hits  # persons masked
    assert str(second) in hits


def test_overdue_hits_are_flagged_and_filtered(
    client: Any, hit: str, checker: Any, county_clerk: Any
) -> None:
    fresh = run_check(client, checker.headers, reference="JS-2026-0002").json()["check_id"]
    old = clock.today().replace(day=1)
    moment = dt.datetime.combine(old, dt.time(9), tzinfo=clock.BEIJING) - dt.timedelta(days=40)
    ScreeningCheck.objects.filter(public_id=hit).update(created_at=moment)
    client.force_login(county_clerk)
    start = (moment.date()).isoformat()
    page = client.get(LOOP, {"start": start, "overdue": "1"}).content.decode()
    hits = page.split("data-loop-hits", 1)[1]
    assert hit in hits and str(fresh) not in hits
    assert "逾期未反馈" in hits
    # The to-do list links here.
    home = client.get("/workspace/").content.decode()
    assert "/sanctions/loop/?overdue=1" in home


def test_jurisdiction(
    client: Any,
    hit: str,
    province_admin: Any,
    city_reviewer: Any,
    county_viewer: Any,
    outsider: Any,
    school_clerk: Any,
) -> None:
    for user in (province_admin, city_reviewer, county_viewer):
        client.force_login(user)
        assert hit in client.get(LOOP).content.decode(), user
    client.force_login(outsider)  # another county
    response = client.get(LOOP)
    assert response.status_code == 200
    assert hit not in response.content.decode()
    assert "所选期间没有命中" in response.content.decode()
    # A school supervises no business system: the dashboard is not its page (ADR 0037).
    client.force_login(school_clerk)
    assert client.get(LOOP).status_code == 403
    client.logout()
    assert client.get(LOOP).status_code == 302


def test_export(client: Any, hit: str, checker: Any, county_clerk: Any) -> None:
    from openpyxl import load_workbook

    report(client, checker, hit, "not_applied", "不在期限内")
    client.force_login(county_clerk)
    response = client.get("/sanctions/loop/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["措施", "业务场景", "单位", "命中明细"]
    listed = list(book["命中明细"].iter_rows(values_only=True))
    assert listed[1][0] == hit and listed[1][5] == "李**" and listed[1][6] == "未采纳"
    scenario = list(book["业务场景"].iter_rows(values_only=True))
    assert scenario[1][:4] == ("教师资格认定", 1, 1, 100.0)


def test_fixed_query_count(
    client: Any, hit: str, checker: Any, county_clerk: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(county_clerk)
    client.get(LOOP)  # warm the session and the calendar
    with django_assert_max_num_queries(30) as few:
        assert client.get(LOOP).status_code == 200
    baseline = len(few.captured_queries)  # read now: the next request resets the log
    for n in range(5):
        run_check(client, checker.headers, reference=f"JS-{n}")
    with django_assert_max_num_queries(baseline):
        assert client.get(LOOP).status_code == 200


def test_english_has_no_untranslated_chinese(client: Any, hit: str, county_clerk: Any) -> None:
    client.force_login(county_clerk)
    client.cookies["django_language"] = "en"
    page = client.get(LOOP).content.decode()
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    # Data (names of organisations, clients, subjects) stays Chinese; labels must not.
    for data in ("中原区教育局", "中原区教师资格系统", "李**", "河南省教育厅"):
        main = main.replace(data, "")
    leftover = re.findall(r"[\u4e00-\u9fff]+", re.sub(r"<[^>]+>", " ", main))
    assert not leftover, leftover


def test_the_chosen_scenario_is_named_not_coded(client: Any, hit: str, county_clerk: Any) -> None:
    client.force_login(county_clerk)
    page = client.get(LOOP, {"scenario": "teacher_qualification"}).content.decode()
    hits = page.split('id="hits"', 1)[1].split("</p>", 1)[0]
    assert "教师资格认定" in hits and "teacher_qualification" not in hits
