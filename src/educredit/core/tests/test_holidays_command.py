"""``educredit holidays import``: a State Council schedule entered from a CSV file."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from educredit.audit.models import AuditEntry
from educredit.core.models import Holiday
from educredit.core.workdays import add_working_days

pytestmark = pytest.mark.django_db


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "holidays.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_import_makes_the_year_official(tmp_path):
    path = write(
        tmp_path,
        "date,is_workday,name\n2027-01-01,0,元旦\n2027-01-02,休息,元旦\n2027-01-09,1,元旦调休\n",
    )
    out = StringIO()
    call_command("holidays", "import", str(path), "--source", "国办发明电〔2026〕X号", stdout=out)
    assert "已导入 3 天" in out.getvalue()
    assert Holiday.objects.get(date=dt.date(2027, 1, 9)).is_workday
    assert AuditEntry.objects.filter(action="holiday.create").count() == 3
    result = add_working_days(dt.date(2026, 12, 31), 1)
    assert result.date == dt.date(2027, 1, 4)
    assert not result.provisional
    assert "国办发明电〔2026〕X号" in result.rule
    listing = StringIO()
    call_command("holidays", "list", "2027", stdout=listing)
    assert "已公布" in listing.getvalue() and "元旦调休" in listing.getvalue()


def test_a_bad_line_imports_nothing_and_names_every_bad_line(tmp_path):
    path = write(
        tmp_path,
        "date,is_workday,name\n2027-01-01,0,元旦\n2027-02-30,0,春节\n2027-02-06,maybe,调休\n",
    )
    with pytest.raises(CommandError) as exc:
        call_command("holidays", "import", str(path), stdout=StringIO())
    message = str(exc.value)
    assert "第3行" in message and "日期无效" in message
    assert "第4行" in message and "is_workday" in message
    assert not Holiday.objects.exists()
