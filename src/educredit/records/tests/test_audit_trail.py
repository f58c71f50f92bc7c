"""A record's trail in plain words (ADR 0033): "由郑州审核员审核通过", never ``records.approve``;
the action code, audit sequence number and hash only behind 详情, for administrators."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from educredit.audit.selectors import audit_entries_for
from educredit.audit.sequencer import sequence_pending
from educredit.records import lifecycle
from educredit.records.audit_trail import AUDIT_PHRASES, actor_name, audit_phrase
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.services import credit_record_expire
from educredit.records.tests.factories import make_record
from educredit.testing.plain_words import developer_words, visible_text

pytestmark = pytest.mark.django_db


def record_url(record: Any) -> str:
    return reverse("records:record_detail", kwargs={"credit_record_id": record.public_id})


def test_every_action_the_record_services_write_has_a_phrase() -> None:
    written = {f"records.{step.action}" for step in lifecycle.TRANSITIONS}
    written |= {"records.create", "records.update", "records.correct"}
    written.add("credit_record.window_recompute")
    assert written <= set(AUDIT_PHRASES)
    for phrase in AUDIT_PHRASES.values():
        assert "%(actor)s" in str(phrase)


def test_who_acted_is_named_as_staff_say_it(county_clerk: Any) -> None:
    assert actor_name(county_clerk, "zy.clerk") == "中原录入员"
    assert actor_name(None, "system:daily") == "系统"
    assert actor_name(None, "api:ab12cd34") == "业务系统（接口）"
    assert audit_phrase("records.approve", "张三") == "由张三审核通过"
    assert audit_phrase("records.some_future_step", "张三") == "由张三办理"


def test_a_clerk_reads_who_did_what(client: Any, county_clerk: Any, city_reviewer: Any) -> None:
    record = make_record(actor=county_clerk, reviewer=city_reviewer, status=S.EFFECTIVE)
    client.force_login(county_clerk)
    html = client.get(record_url(record)).content.decode()
    trail = html[html.find("data-ec-audit") : html.find("</ol>", html.find("data-ec-audit"))]
    text = visible_text(trail)
    assert "由中原录入员录入" in text
    assert "由中原录入员提交审核" in text
    assert "由郑州审核员审核通过" in text
    assert developer_words(html) == []
    assert "<details" not in html and "data-ec-technical" not in html
    for entry in audit_entries_for(record):
        assert entry.action not in html and entry.leaf_hash not in html


def test_a_job_is_named_the_system(client: Any, county_clerk: Any, city_reviewer: Any) -> None:
    record = make_record(actor=county_clerk, reviewer=city_reviewer, status=S.EFFECTIVE)
    credit_record_expire(record=record, reason="公示期届满")
    client.force_login(county_clerk)
    text = visible_text(client.get(record_url(record)).content.decode())
    assert "公示期届满，由系统撤下公示" in text
    assert "system:" not in text


def test_an_administrator_opens_the_detail(
    client: Any, county_clerk: Any, city_reviewer: Any, county_admin: Any
) -> None:
    record = make_record(actor=county_clerk, reviewer=city_reviewer, status=S.EFFECTIVE)
    client.force_login(county_admin)
    html = client.get(record_url(record)).content.decode()
    assert html.count("排序中") == 3  # written, not yet given a place in the log
    sequence_pending(actor="system:test")
    html = client.get(record_url(record)).content.decode()
    entries = list(audit_entries_for(record).select_related("sequenced"))
    assert html.count("data-ec-technical") == len(entries) == 3
    for entry in entries:
        assert f"<code>{entry.action}</code>" in html
        assert f"#{entry.sequenced.seq}" in html
        assert entry.sequenced.chain_hash in html
    assert "由郑州审核员审核通过" in html
    assert "<code>zz.reviewer</code>" in html  # the account behind the name


def test_a_reviewer_is_not_given_the_detail(
    client: Any, county_clerk: Any, city_reviewer: Any
) -> None:
    record = make_record(actor=county_clerk, reviewer=city_reviewer, status=S.EFFECTIVE)
    client.force_login(city_reviewer)
    html = client.get(record_url(record)).content.decode()
    assert "<details" not in html and developer_words(html) == []


def test_the_trail_in_english(client: Any, county_clerk: Any, city_reviewer: Any) -> None:
    record = make_record(actor=county_clerk, reviewer=city_reviewer, status=S.EFFECTIVE)
    client.force_login(county_clerk)
    client.cookies["django_language"] = "en"
    text = visible_text(client.get(record_url(record)).content.decode())
    assert "Entered by 中原录入员" in text
    assert "Approved by 郑州审核员" in text
    assert "Activity" in text
