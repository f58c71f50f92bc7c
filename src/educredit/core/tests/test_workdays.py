"""Working days: the official calendar, table overrides, provisional answers for unknown years."""

import datetime as dt

import pytest
from django.utils import translation

from educredit.audit.models import AuditEntry
from educredit.core import services
from educredit.core.models import Holiday
from educredit.core.workdays import (
    add_working_days,
    is_working_day,
    working_calendar,
    working_days_between,
)

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture(autouse=True)
def _chinese():
    # The rule is user-facing text; another test's request may leave English active.
    with translation.override("zh-hans"):
        yield


def test_rule_is_translated():
    with translation.override("en"):
        rule = add_working_days(D(2027, 3, 1), 7).rule
    # Needs the compiled catalogue (``make install`` compiles every app's messages).
    assert rule == "7 working days, counting weekends only (the 2027 schedule is not yet published)"


def test_national_day_is_not_a_working_day_and_makeup_saturday_is():
    assert not is_working_day(D(2025, 10, 1))
    assert not is_working_day(D(2025, 10, 8))
    assert is_working_day(D(2025, 9, 28))  # a Sunday worked in exchange (调休)
    assert is_working_day(D(2025, 10, 11))  # a Saturday worked in exchange
    assert not is_working_day(D(2025, 10, 12))  # an ordinary Sunday


def test_deadline_skips_the_national_day_week():
    result = add_working_days(D(2025, 9, 30), 7)
    # 10-01..10-08 holiday, 10-09 Thu (1), 10-10 Fri (2), 10-11 Sat worked (3), 10-13.. (4-7)
    assert result.date == D(2025, 10, 16)
    assert not result.provisional
    assert result.rule == "7个工作日（国务院办公厅2025年节假日安排）"


def test_spring_festival_2026():
    assert not is_working_day(D(2026, 2, 17))
    assert is_working_day(D(2026, 2, 14))  # Saturday worked before the festival
    assert add_working_days(D(2026, 2, 13), 1).date == D(2026, 2, 14)


def test_2027_works_and_is_provisional():
    assert is_working_day(D(2027, 3, 1))  # a Monday
    assert not is_working_day(D(2027, 3, 6))  # a Saturday
    result = add_working_days(D(2027, 3, 1), 7)
    assert result.date == D(2027, 3, 10)
    assert result.provisional
    assert result.rule == "7个工作日，仅按周末推算（2027年安排尚未公布）"


def test_deadline_across_the_end_of_the_known_calendar_is_provisional():
    result = add_working_days(D(2026, 12, 30), 3)
    assert result.date == D(2027, 1, 4)
    assert result.provisional
    assert "2026年节假日安排" in result.rule and "2027年安排尚未公布" in result.rule


def test_count_between_dates():
    count = working_days_between(D(2025, 9, 30), D(2025, 10, 16))
    assert (count.days, count.provisional) == (7, False)
    assert working_days_between(D(2025, 10, 16), D(2025, 9, 30)).days == -7
    assert working_days_between(D(2025, 10, 1), D(2025, 10, 1)).days == 0
    assert working_days_between(D(2027, 3, 1), D(2027, 3, 10)).provisional


def test_counting_back_and_zero():
    assert add_working_days(D(2025, 10, 16), -7).date == D(2025, 9, 30)
    zero = add_working_days(D(2025, 10, 1), 0)
    assert (zero.date, zero.provisional) == (D(2025, 10, 1), False)


def test_table_overrides_the_package():
    services.holiday_set(
        actor="system:test", date=D(2025, 10, 13), is_workday=False, name="临时休假", source="测试"
    )
    assert not is_working_day(D(2025, 10, 13))
    result = add_working_days(D(2025, 10, 10), 2)
    assert result.date == D(2025, 10, 14)
    assert "测试" in result.rule


def test_a_published_2027_schedule_makes_2027_official():
    source = "国办发明电〔2026〕1号"
    services.holiday_set(
        actor="system:test", date=D(2027, 1, 1), is_workday=False, name="元旦", source=source
    )
    services.holiday_set(
        actor="system:test", date=D(2027, 1, 9), is_workday=True, name="元旦调休", source=source
    )
    calendar = working_calendar()
    assert calendar.is_published(2027)
    assert not calendar.is_working_day(D(2027, 1, 1))
    assert calendar.is_working_day(D(2027, 1, 9))
    result = calendar.add(D(2026, 12, 31), 1)
    assert result.date == D(2027, 1, 4)
    assert not result.provisional
    assert source in result.rule


def test_holiday_set_is_audited_and_updates_in_place(province_admin):
    holiday = services.holiday_set(
        actor=province_admin, date=D(2027, 10, 1), is_workday=False, name="国庆节"
    )
    services.holiday_set(
        actor=province_admin, date=D(2027, 10, 1), is_workday=False, name="国庆节", source="通知"
    )
    assert Holiday.objects.count() == 1
    actions = list(
        AuditEntry.objects.filter(target_type__icontains="holiday", target_id=str(holiday.pk))
        .order_by("id")
        .values_list("action", "actor_id")
    )
    assert actions == [
        ("holiday.create", province_admin.pk),
        ("holiday.update", province_admin.pk),
    ]


def test_holiday_delete_restores_the_package_calendar():
    holiday = services.holiday_set(
        actor="system:test", date=D(2025, 10, 13), is_workday=False, name="误录"
    )
    services.holiday_delete(actor="system:test", holiday=holiday, reason="录入错误")
    assert is_working_day(D(2025, 10, 13))
    assert AuditEntry.objects.filter(action="holiday.delete").count() == 1


def test_only_provincial_admins_edit_the_calendar(county_admin, city_reviewer):
    from django.core.exceptions import PermissionDenied

    for actor in (county_admin, city_reviewer):
        with pytest.raises(PermissionDenied):
            services.holiday_set(actor=actor, date=D(2027, 1, 1), is_workday=False, name="元旦")
    assert not Holiday.objects.exists()


def test_holiday_needs_a_name():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.holiday_set(actor="system:test", date=D(2027, 1, 1), is_workday=False, name=" ")
