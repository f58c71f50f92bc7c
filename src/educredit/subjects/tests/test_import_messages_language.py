"""A stored import message is shown in the reader's language (ADR 0038)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from educredit.core.i18n import shown
from educredit.subjects.choices import ImportKind
from educredit.subjects.models import ImportRowError
from educredit.subjects.tests.test_imports import csv_bytes, run_import

pytestmark = pytest.mark.django_db


def test_a_row_error_stored_by_the_job_reads_in_each_reader_language(
    county: Any, county_clerk: Any, django_capture_on_commit_callbacks: Any
) -> None:
    content = csv_bytes([["学校名称", "统一社会信用代码", "所在地"], ["", "", "郑州市"]], "utf-8")
    run = run_import(
        county_clerk, ImportKind.INSTITUTIONS, content, "x.csv", django_capture_on_commit_callbacks
    )
    error = ImportRowError.objects.filter(run=run).first()
    assert error is not None and error.reason == "请填写名称"  # stored in Chinese
    client = Client()
    client.force_login(county_clerk)
    url = f"/subjects/imports/{run.public_id}/progress/"
    assert "请填写名称" in client.get(url).content.decode("unicode_escape")
    client.cookies["django_language"] = "en"
    english = client.get(url).json()
    reasons = [row["reason"] for row in english["errors"]]
    assert any("name is required" in reason.lower() for reason in reasons), reasons
    assert not any("请填写名称" in reason for reason in reasons)


def test_shown_reads_old_bilingual_rows_and_leaves_data_as_it_is() -> None:
    old = "机构类型“培训”无法识别 / Unknown institution type “培训”"
    assert shown(old) == "机构类型“培训”无法识别"
    with translation.override("en"):
        assert shown(old) == "Unknown institution type “培训”"
        assert shown("第 3 行：中原区第一小学已存在") == "第 3 行：中原区第一小学已存在"
        assert shown("") == ""
    assert shown("CSV / XLSX") == "CSV / XLSX"
