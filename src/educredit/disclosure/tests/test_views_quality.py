"""The quality page: per organisation and month, drill-down, 迟报 and due-soon lists, XLSX."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from educredit.accounts.choices import OrganisationKind, UserRole
from educredit.core import clock
from educredit.core.workdays import add_working_days
from educredit.disclosure.tests.pages import (
    effective_decision,
    english_visible,
    prepare_county,
    school_of,
)
from educredit.testing.factories import make_organisation, make_user

pytestmark = pytest.mark.django_db


def a_month_ago() -> dt.date:
    """A decision date a month back: its 7-working-day deadline has passed."""
    return clock.today() - dt.timedelta(days=35)


@pytest.fixture
def decided(county: Any, county_clerk: Any) -> dt.date:
    """Three penalties of 中原区 decided on one day: on time, late, never reported."""
    prepare_county(county)
    school = school_of(county)
    day = a_month_ago()
    deadline = add_working_days(day, 7).date
    effective_decision(county_clerk, school, number="中原罚1号", decided=day, reported=day)
    effective_decision(
        county_clerk, school, number="中原罚2号", decided=day, reported=deadline + dt.timedelta(3)
    )
    effective_decision(county_clerk, school, number="中原罚3号", decided=day)
    return day


def month_of(day: dt.date) -> str:
    return day.strftime("%Y-%m")


def test_the_county_sees_its_figures_chart_and_late_list(
    client: Any, county_clerk: Any, decided: dt.date
) -> None:
    client.force_login(county_clerk)
    html = client.get(f"/disclosure/quality/?month={month_of(decided)}").content.decode()
    # 3 decisions: 1 on time, 2 late → 及时率 33.3 %; all three pass every rule.
    assert "33.3%" in html and "100.0%" in html
    assert "<svg" in html and "data-quality-chart" in html
    assert "中原罚2号" in html and "中原罚3号" in html
    late_section = html.split("两个工作日内到期未报")[0].split(">迟报<")[-1]
    assert "中原罚1号" not in late_section


def test_the_city_drills_down_into_the_county_and_never_outside(
    client: Any, city_reviewer: Any, county: Any, other_county: Any, outsider: Any, decided: Any
) -> None:
    client.force_login(city_reviewer)
    html = client.get(f"/disclosure/quality/?month={month_of(decided)}").content.decode()
    county_url = reverse("disclosure:quality_of", args=[county.public_id])
    assert county_url in html and "中原区教育局" in html and "金水区教育局" in html
    assert client.get(f"{county_url}?month={month_of(decided)}").status_code == 200

    client.force_login(outsider)
    assert client.get(county_url).status_code == 404
    export = reverse("disclosure:quality_of_export", args=[county.public_id])
    assert client.get(export).status_code == 404
    html = client.get(f"/disclosure/quality/?month={month_of(decided)}").content.decode()
    assert "中原罚" not in html


def test_the_export_holds_the_same_figures(
    client: Any, county_clerk: Any, county: Any, decided: dt.date
) -> None:
    client.force_login(county_clerk)
    url = reverse("disclosure:quality_of_export", args=[county.public_id])
    response = client.get(f"{url}?month={month_of(decided)}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    total = next(book["质量"].iter_rows(min_row=3, max_row=3, values_only=True))
    assert total[:5] == ("合计", 3, 1, 2, 0)
    assert total[7] == pytest.approx(33.3)
    late = [str(row[1]) for row in book["迟报"].iter_rows(min_row=2, values_only=True)]
    assert sorted(late) == ["中原罚2号", "中原罚3号"]


def test_due_soon_lists_decisions_near_their_deadline(
    client: Any, county: Any, county_clerk: Any
) -> None:
    prepare_county(county)
    school = school_of(county)
    today = clock.today()
    horizon = add_working_days(today, 2).date
    day = today
    while add_working_days(day, 7).date > horizon:
        day -= dt.timedelta(days=1)
    effective_decision(county_clerk, school, number="中原罚9号", decided=day)
    client.force_login(county_clerk)
    html = client.get("/disclosure/quality/").content.decode()
    assert today <= add_working_days(day, 7).date <= horizon
    assert "中原罚9号" in html.split("两个工作日内到期未报")[1]


def test_the_page_in_english(client: Any, county_clerk: Any, decided: dt.date) -> None:
    client.force_login(county_clerk)
    client.cookies["django_language"] = "en"
    html = client.get(f"/disclosure/quality/?month={month_of(decided)}").content.decode()
    assert "Timeliness" in html
    left = english_visible(html, "中原区教育局", "中原罚1号", "中原罚2号", "中原罚3号")
    assert left == []


def test_queries_do_not_grow_with_the_data(
    client: Any, county: Any, city: Any, county_clerk: Any, django_assert_max_num_queries: Any
) -> None:
    prepare_county(county)
    school = school_of(county)
    day = a_month_ago()
    make_organisation(parent=county, name="中原区某学校", kind=OrganisationKind.SCHOOL)
    effective_decision(county_clerk, school, number="中原罚1号", decided=day)
    url = f"/disclosure/quality/?month={month_of(day)}"
    reader = make_user(organisation=city, username="zz.reader", roles=[UserRole.VIEWER])
    client.force_login(reader)
    with django_assert_max_num_queries(20) as few:
        assert client.get(url).status_code == 200
    for n in range(2, 7):
        effective_decision(county_clerk, school, number=f"中原罚{n}号", decided=day)
        make_organisation(parent=city, name=f"郑州某区{n}", kind=OrganisationKind.COUNTY_BUREAU)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert "中原罚6号" in html


def test_the_export_lists_every_late_decision_beyond_the_pages_limit(
    client: Any, county: Any, county_clerk: Any, monkeypatch: Any
) -> None:
    from educredit.disclosure import views

    monkeypatch.setattr(views, "LIST_LIMIT", 2)
    prepare_county(county)
    school = school_of(county)
    day = a_month_ago()
    for n in range(1, 4):
        effective_decision(county_clerk, school, number=f"中原罚{n}号", decided=day)
    client.force_login(county_clerk)
    html = client.get(f"/disclosure/quality/?month={month_of(day)}").content.decode()
    assert "中原罚3号" not in html.split(">迟报<")[-1].split("两个工作日内到期未报")[0]
    url = reverse("disclosure:quality_export")
    book = load_workbook(io.BytesIO(client.get(f"{url}?month={month_of(day)}").content))
    assert book["迟报"].max_row == 1 + 3
