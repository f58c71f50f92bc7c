"""Letter templates: unknown placeholders are refused with nothing written; rendering."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import translation

from educredit.audit.models import AuditEntry
from educredit.commitments import data, letters
from educredit.commitments.models import CommitmentTemplate
from educredit.commitments.selectors import letter_render, matter_in_force, template_for_matter
from educredit.commitments.services import (
    CommitmentError,
    template_create,
    template_update,
    template_version_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(shipped: Any, province_admin: Any) -> Any:
    return template_version_create(
        actor=province_admin, title="第 2 版", effective_from=datetime.date(2027, 1, 1)
    )


def test_a_template_with_an_unknown_placeholder_is_refused_and_nothing_is_written(
    draft: Any, province_admin: Any
) -> None:
    entries = AuditEntry.objects.count()
    texts = {**data.TEMPLATES[0], "letter_content": "{承诺人名称}承诺按期取得{许可证名称}。"}
    with pytest.raises(CommitmentError) as refused:
        template_create(actor=province_admin, version=draft, **texts)
    message = refused.value.errors["letter_content"]
    assert "{许可证名称}" in message
    with translation.override("en"):
        assert "unknown placeholder" in str(message)
    assert not CommitmentTemplate.objects.filter(version=draft).exists()
    assert AuditEntry.objects.count() == entries


def test_an_update_naming_an_unknown_placeholder_leaves_the_template_as_it_was(
    draft: Any, province_admin: Any
) -> None:
    template = template_create(actor=province_admin, version=draft, **data.TEMPLATES[0])
    with pytest.raises(CommitmentError):
        template_update(actor=province_admin, template=template, notice_duty="{受理机关}告知：")
    template.refresh_from_db()
    assert template.notice_duty == data.TEMPLATES[0]["notice_duty"]


def test_a_published_template_cannot_be_changed(shipped: Any, province_admin: Any) -> None:
    published = CommitmentTemplate.objects.get(code="TPL-SPTD")
    with pytest.raises(Exception, match="草稿"):
        template_update(actor=province_admin, template=published, title="改")


def test_every_shipped_template_uses_only_known_placeholders() -> None:
    for texts in data.TEMPLATES:
        letters.template_texts_check(texts, title=texts["title"])


def test_rendering_fills_the_subject_the_matter_the_body_and_the_publication_type(
    shipped: Any, body: Any, school: Any
) -> None:
    matter = matter_in_force("CN-MB-02")
    assert matter is not None
    template = template_for_matter(matter)
    assert template is not None
    day = datetime.date(2026, 12, 7)
    letter = letter_render(
        matter=matter,
        template=template,
        institution=school,
        person=None,
        accepting_organisation=body,
        day=day,
    )
    text = letter.text
    assert school.name in text
    assert school.uscc in text
    assert matter.name in text
    assert body.name in text
    assert "可向社会公开" in text
    assert "2026年12月7日" in text
    assert "{" not in text
    assert "证明义务" in text and "不实承诺的法律责任" in text and "公开与共享声明" in text
    assert letter.sha256 == letters.text_sha256(text)
