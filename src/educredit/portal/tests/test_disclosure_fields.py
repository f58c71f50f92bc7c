"""双公示 decisions on the portal: the fields the national standard publishes, and no other.

Decisions are entered through the disclosure services (validated row → ``decision_enter`` →
approved by a reviewer), as a clerk would, so the portal renders what the services stored.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from typing import Any

import pytest

from educredit.core import clock
from educredit.disclosure import entry, national
from educredit.disclosure.mapping import catalog_item_for
from educredit.disclosure.models import Decision
from educredit.disclosure.tests.pages import licence_row, prepare_county, row_for, school_of
from educredit.disclosure.validation import RowValidator
from educredit.records import services as records
from educredit.records.models import CreditRecord
from educredit.records.tests.factories import make_reviewer
from educredit.subjects.tests.factories import make_person, resident_id

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
# Distinctive values of fields the standard does not publish.
REPRESENTATIVE_NUMBER = resident_id(77, born="19700305")
PERSON_NUMBER = resident_id(79, born="19850101")


def effective(clerk: Any, kind: str, row: dict[str, str]) -> CreditRecord:
    """A decision entered by ``clerk`` from a national row, then approved by a reviewer."""
    result = RowValidator(kind).validate(row)
    assert result.ok, result.errors
    outcome = entry.decision_enter(
        actor=clerk,
        kind=kind,
        values=result.values,
        catalog_item=catalog_item_for(kind),
        submit=True,
    )
    reviewer = make_reviewer(organisation=clerk.organisation)
    return records.credit_record_approve(actor=reviewer, record=outcome.record)


def cards(html: str) -> list[str]:
    """The record cards of a portal page (each an <article>)."""
    return re.findall(r'<article class="card mb-3 ec-record">.*?</article>', html, re.S)


def shown_fields(card: str) -> dict[str, str]:
    """Label → value of the national fields on one card."""
    block = re.search(r"<dl [^>]*data-ec-national>(.*?)</dl>", card, re.S)
    assert block is not None, card
    pairs = re.findall(r"<dt[^>]*>(.*?)</dt><dd[^>]*>(.*?)</dd>", block.group(1), re.S)
    return {html_lib.unescape(k): html_lib.unescape(v.replace("<br>", "\n")) for k, v in pairs}


@pytest.fixture
def school(county: Any) -> Any:
    prepare_county(county)
    return school_of(county)


@pytest.fixture
def penalty(county_clerk: Any, school: Any) -> CreditRecord:
    decided = clock.today() - 7 * DAY
    return effective(
        county_clerk,
        "penalty",
        row_for(
            school,
            CF_FRDB="王法人",
            CF_FR_ZJLX="身份证",
            CF_FR_ZJHM=REPRESENTATIVE_NUMBER,
            CF_XDR_GSZC="410100000012345",
            CF_JDRQ=decided.isoformat(),
            CF_YXQ=(decided + 365 * DAY).isoformat(),
            BZ="公开备注",
        ),
    )


@pytest.fixture
def licence(county_clerk: Any, school: Any) -> CreditRecord:
    decided = (clock.today() - 3 * DAY).strftime("%Y/%m/%d")
    return effective(
        county_clerk,
        "licence",
        licence_row(
            XK_XDR_MC=school.name,
            XK_XDR_SHXYM=school.uscc,
            XK_FRDB="王法人",
            XK_FR_ZJLX="身份证",
            XK_FR_ZJHM=REPRESENTATIVE_NUMBER,
            XK_JDRQ=decided,
            XK_YXQZ=decided,
            XK_YXQZI="2099/12/31",
        ),
    )


def expected_penalty_fields(record: CreditRecord, school: Any, county: Any) -> dict[str, str]:
    """What the standard publishes for the penalty fixture, stated independently of the code."""
    decided = record.decision_date
    assert record.public_until is not None
    return {
        "行政相对人名称": school.name,
        "行政相对人类别": "法人及非法人组织",
        "行政相对人代码_1（统一社会信用代码）": school.uscc,
        "行政相对人代码_2（工商注册号）": "410100000012345",
        "法定代表人": "王法人",
        "法定代表人证件类型": "身份证",
        "行政处罚决定书文号": "郑中教罚〔2026〕12号",
        "违法行为类型": "未经批准擅自举办培训机构",
        "违法事实": "2026年3月经检查发现当事人未取得办学许可证开展学科类培训。",
        "处罚依据": "《中华人民共和国民办教育促进法》第六十四条",
        "处罚类别": "警告;罚款",
        "处罚内容": "警告；罚款3.5万元",
        "罚款金额（万元）": "3.5",
        "处罚决定日期": decided.isoformat(),
        "处罚有效期": (decided + 365 * DAY).isoformat(),
        # The last day shown (the portal's "公示期至"), not the first day after it.
        "公示截止期": (record.public_until - DAY).isoformat(),
        "处罚机关": "郑州市中原区教育局",
        "处罚机关统一社会信用代码": county.uscc,
        "数据来源单位": "郑州市中原区教育局",
        "数据来源单位统一社会信用代码": county.uscc,
        "备注": "公开备注",
    }


def test_a_penalty_shows_exactly_the_published_national_fields(
    client: Any, penalty: CreditRecord, school: Any, county: Any
) -> None:
    assert Decision.objects.filter(record=penalty).exists()
    # A payload value outside the national layout (written behind the services' back, as an
    # older catalog field might be) must not reach the page either.
    CreditRecord.objects.filter(pk=penalty.pk).update(
        payload={**penalty.payload, "internal_note": "内部意见不公开"}
    )
    expected = expected_penalty_fields(penalty, school, county)
    # Every published field of the layout that the decision fills is checked.
    filled = {
        national.FIELDS_BY_CODE["penalty"][c].name for c in national.published_codes("penalty")
    }
    assert set(expected) <= filled
    # The table's row opens the detail page, which shows the card as the institution's does.
    table = client.get("/disclosure/", {"tab": "penalty"}).content.decode()
    assert f'href="/disclosure/{penalty.public_id}/"' in table
    for url in (f"/institutions/{school.public_id}/", f"/disclosure/{penalty.public_id}/"):
        html = client.get(url).content.decode()
        (card,) = cards(html)
        assert shown_fields(card) == expected, url
        for hidden in (REPRESENTATIVE_NUMBER, "法定代表人证件号码", "内部意见不公开"):
            assert hidden not in html, (url, hidden)
        # Nor its masked form: the field is not published at all, not even masked.
        assert REPRESENTATIVE_NUMBER[:6] + "*" * 8 + REPRESENTATIVE_NUMBER[-4:] not in html


def test_a_licence_shows_long_term_validity_and_its_status(
    client: Any, licence: CreditRecord, school: Any
) -> None:
    html = client.get(f"/institutions/{school.public_id}/").content.decode()
    (card,) = cards(html)
    fields = shown_fields(card)
    decided = licence.decision_date.isoformat()
    assert fields["有效期至"] == "长期"
    assert fields["有效期自"] == decided and fields["许可决定日期"] == decided
    assert fields["当前状态"] == "有效"
    assert fields["许可证书名称"] == "民办学校办学许可证"
    assert fields["许可编号"] == "教民141010270000123号"
    assert fields["法定代表人"] == "王法人"
    published = {f.name for f in national.LICENCE_FIELDS if f.published}
    assert set(fields) <= published
    assert "法定代表人证件号码" not in html and REPRESENTATIVE_NUMBER not in html
    assert "2099" not in card


def test_a_decision_is_shown_only_inside_its_window(
    client: Any, penalty: CreditRecord, school: Any, county_clerk: Any
) -> None:
    assert penalty.public_from is not None and penalty.public_until is not None
    url = f"/institutions/{school.public_id}/"
    last_day = penalty.public_until - DAY
    assert len(cards(client.get(url, {"as_of": last_day.isoformat()}).content.decode())) == 1
    for as_of in (penalty.public_until, penalty.public_until + 30 * DAY):
        for page in (url, "/disclosure/"):
            html = client.get(page, {"as_of": as_of.isoformat()}).content.decode()
            assert cards(html) == [] and "郑中教罚〔2026〕12号" not in html, (page, as_of)
        detail = client.get(f"/disclosure/{penalty.public_id}/", {"as_of": as_of.isoformat()})
        assert detail.status_code == 404


def test_a_decision_not_yet_effective_is_not_shown(
    client: Any, county_clerk: Any, school: Any
) -> None:
    result = RowValidator("penalty").validate(row_for(school, "郑中教罚〔2026〕99号"))
    assert result.ok, result.errors
    entry.decision_enter(
        actor=county_clerk,
        kind="penalty",
        values=result.values,
        catalog_item=catalog_item_for("penalty"),
        submit=True,
    )
    for url in (f"/institutions/{school.public_id}/", "/disclosure/"):
        html = client.get(url).content.decode()
        assert cards(html) == [] and "郑中教罚〔2026〕99号" not in html


def test_a_persons_document_number_is_never_on_the_lookup_result(
    client: Any, county_clerk: Any, school: Any
) -> None:
    person = make_person(institution=school, name="李四", number=PERSON_NUMBER)
    effective(
        county_clerk,
        "penalty",
        row_for(
            school,
            "郑中教罚〔2026〕13号",
            CF_XDR_LB="自然人",
            CF_XDR_MC="李四",
            CF_XDR_SHXYM="",
            CF_FRDB="",
            CF_XDR_ZJLX="身份证",
            CF_XDR_ZJHM=PERSON_NUMBER,
        ),
    )
    response = client.post(
        "/query/person/",
        {"name": "李四", "document_type": "resident_id", "id_number": PERSON_NUMBER},
    )
    html = response.content.decode()
    (card,) = cards(html)
    fields = shown_fields(card)
    assert fields["行政相对人名称"] == "李四"
    assert fields["行政相对人类别"] == "自然人"
    assert fields["证件类型"] == "身份证"
    assert "证件号码" not in fields and "行政相对人代码_1（统一社会信用代码）" not in fields
    assert PERSON_NUMBER not in html
    assert person.id_number_masked not in card  # the page header may mask it; the card not


def test_the_fields_are_labelled_in_english_for_english_readers(
    client: Any, licence: CreditRecord, school: Any
) -> None:
    client.cookies["django_language"] = "en"
    html = client.get(f"/institutions/{school.public_id}/").content.decode()
    fields = shown_fields(cards(html)[0])
    assert fields["Valid until"] == "Long-term"
    assert fields["Current status"] == "Valid"
    assert fields["Party category"] == "Legal person or unincorporated organisation"
    assert not any(re.search(r"[\u4e00-\u9fff]", label) for label in fields)


def test_the_query_count_does_not_grow_with_the_decisions(
    client: Any, county_clerk: Any, school: Any, county: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts() -> list[int]:
        found = []
        for url in (f"/institutions/{school.public_id}/", "/disclosure/"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    other = school_of(county, serial=4343, name="中原区另一培训学校")
    effective(county_clerk, "penalty", row_for(school, "郑中教罚〔2026〕21号"))
    one = counts()
    for n, subject in enumerate([school, other, school, other]):
        effective(county_clerk, "penalty", row_for(subject, f"郑中教罚〔2026〕3{n}号"))
    assert counts() == one
