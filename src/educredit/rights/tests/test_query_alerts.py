"""Query alerts: volume, outside the jurisdiction, outside working hours; the provincial office
sees and closes them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from educredit.audit.models import AuditEntry
from educredit.core import clock
from educredit.core.workdays import is_working_day
from educredit.rights.alerts import query_alerts_scan
from educredit.rights.choices import QueryAlertRule, QueryAlertStatus
from educredit.rights.models import QueryAlert
from educredit.rights.tests.factories import make_county, make_teacher, signed_in
from educredit.subjects.models import SubjectQueryLog

pytestmark = pytest.mark.django_db


def _working_day() -> dt.date:
    day = clock.today() - dt.timedelta(days=7)
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.BEIJING)


def _read(user, person, at: dt.datetime) -> None:
    SubjectQueryLog.objects.create(
        user=user, organisation=user.organisation, at=at, purpose="履行职责", person=person
    )


def _scan(day: dt.date) -> int:
    return query_alerts_scan(since=_at(day, 0), until=_at(day, 0) + dt.timedelta(days=1))


def test_reading_many_subjects_in_an_hour_raises_one_volume_alert(settings) -> None:
    settings.EDUCREDIT_QUERY_ALERT_VOLUME = 2
    county = make_county()
    day = _working_day()
    for minute in range(3):
        _read(county.clerk, make_teacher(county), _at(day, 10, minute))

    assert _scan(day) == 1
    assert _scan(day) == 0
    alert = QueryAlert.objects.get()
    assert (alert.rule, alert.user, alert.query_count) == (QueryAlertRule.VOLUME, county.clerk, 3)


def test_the_same_subject_read_again_is_not_volume(settings) -> None:
    settings.EDUCREDIT_QUERY_ALERT_VOLUME = 2
    county = make_county()
    teacher = make_teacher(county)
    day = _working_day()
    for minute in range(5):
        _read(county.clerk, teacher, _at(day, 10, minute))
    assert _scan(day) == 0


def test_a_read_at_night_raises_an_off_hours_alert() -> None:
    county = make_county()
    day = _working_day()
    _read(county.clerk, make_teacher(county), _at(day, 22, 30))
    _read(county.clerk, make_teacher(county), _at(day, 9, 30))

    assert _scan(day) == 1
    alert = QueryAlert.objects.get()
    assert alert.rule == QueryAlertRule.OFF_HOURS
    assert alert.query_count == 1


def test_a_staff_read_outside_the_jurisdiction_raises_an_alert_but_not_for_the_province() -> None:
    county = make_county()
    other = make_county(code="410105", name="金水区")
    outsider = make_teacher(other)
    day = _working_day()
    _read(county.clerk, outsider, _at(day, 10))
    _read(county.province_admin, outsider, _at(day, 10))
    _read(county.clerk, make_teacher(county), _at(day, 11))

    assert _scan(day) == 1
    alert = QueryAlert.objects.get()
    assert (alert.rule, alert.user) == (QueryAlertRule.JURISDICTION, county.clerk)


def test_the_provincial_office_closes_an_alert_with_a_note_and_others_cannot_see_them() -> None:
    county = make_county()
    day = _working_day()
    _read(county.clerk, make_teacher(county), _at(day, 23))
    _scan(day)
    alert = QueryAlert.objects.get()
    admin = signed_in(county.province_admin)

    page = admin.get(reverse("rights:alert_list"))
    assert str(alert.public_id) in page.content.decode()
    admin.post(reverse("rights:alert_close"), {"alert": str(alert.public_id), "note": "加班核查"})

    alert.refresh_from_db()
    assert alert.status == QueryAlertStatus.CLOSED
    assert alert.closing_note == "加班核查"
    assert AuditEntry.objects.filter(action="rights.query_alert_close").exists()
    assert signed_in(county.clerk).get(reverse("rights:alert_list")).status_code == 403
