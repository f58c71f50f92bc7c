"""The students' integrity pages: contract entry, the contract page with confirmation, breach
and payment, the yearly task list with its export, activities with figures, jurisdiction and
the English pages."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from educredit.accounts.choices import UserRole
from educredit.integrity.students.choices import (
    ActivityKind,
    BreachGround,
    ContractProgramme,
    TrainingContractStatus,
)
from educredit.integrity.students.models import (
    IntegrityEducationActivity,
    ServiceConfirmation,
    TrainingContract,
)
from educredit.integrity.students.services import (
    integrity_activity_record,
    training_contract_breach,
    training_contract_transition,
)
from educredit.integrity.students.tests.conftest import MEDICAL_NUMBER
from educredit.records.services import credit_record_approve
from educredit.subjects.models import SubjectQueryLog
from educredit.testing import factories
from educredit.testing.one_language import han_leaks, visible_text

pytestmark = pytest.mark.django_db


def signed_in(user: Any, language: str = "zh-hans") -> Client:
    client = Client()
    client.force_login(user)
    if language == "en":
        client.cookies["django_language"] = "en"
    return client


def _serving(actor: Any, contract: Any) -> Any:
    return training_contract_transition(
        actor=actor,
        contract=contract,
        action="start_service",
        service_started_on=dt.date(2025, 8, 1),
    )


def test_the_college_clerk_enters_a_contract_by_the_students_number(
    shipped: Any, college_clerk: Any, medical_student: Any, college: Any
) -> None:
    client = signed_in(college_clerk)
    form = client.get(reverse("integrity_students:contract_create"))
    assert form.status_code == 200 and "郑州医学院" in form.content.decode()
    response = client.post(
        reverse("integrity_students:contract_create"),
        {
            "school": str(college.public_id),
            "document_type": "resident_id",
            "id_number": MEDICAL_NUMBER,
            "programme": ContractProgramme.RURAL_MEDICAL,
            "agreement_number": "ZZYX-DX-2020-017",
            "signed_on": "2020-09-01",
            "expected_graduation": "2025-07-01",
            "service_years": "6",
            "service_region_code": "410102",
            "tuition_received": "25000",
            "accommodation_received": "6000",
            "living_subsidy_received": "12000",
            "refund_rule": "full",
            "penalty_rate": "",
        },
    )
    contract = TrainingContract.objects.get(agreement_number="ZZYX-DX-2020-017")
    assert response.status_code == 302
    assert contract.person == medical_student and contract.penalty_rate == 0
    page = client.get(response["Location"]).content.decode()
    assert "ZZYX-DX-2020-017" in page and "中原区" in page
    listed = client.get(reverse("integrity_students:contracts")).content.decode()
    assert "ZZYX-DX-2020-017" in listed


def test_a_refused_contract_shows_the_rule_and_writes_nothing(
    shipped: Any, college_clerk: Any, medical_student: Any, college: Any
) -> None:
    response = signed_in(college_clerk).post(
        reverse("integrity_students:contract_create"),
        {
            "school": str(college.public_id),
            "document_type": "resident_id",
            "id_number": MEDICAL_NUMBER,
            "programme": ContractProgramme.LOCAL_NORMAL,
            "agreement_number": "X-1",
            "signed_on": "2020-09-01",
            "expected_graduation": "2025-07-01",
            "service_years": "6",
            "service_region_code": "410102",
            "refund_rule": "full",
            "penalty_rate": "1.5",
        },
    )
    assert response.status_code == 400
    assert "违约金比例须在 0 至 1 之间" in response.content.decode()
    assert not TrainingContract.objects.exists()


def test_confirmation_breach_and_payment_from_the_contract_page(
    medical_contract: Any, college_clerk: Any, city_reviewer: Any
) -> None:
    _serving(college_clerk, medical_contract)
    clerk = signed_in(college_clerk)
    url = reverse("integrity_students:contract", args=[medical_contract.public_id])
    assert (
        reverse("integrity_students:confirmation_create", args=[medical_contract.public_id])
        in clerk.get(url).content.decode()
    )
    confirmed = clerk.post(
        reverse("integrity_students:confirmation_create", args=[medical_contract.public_id]),
        {
            "year": "2025",
            "employer_name": "中原区须水镇卫生院",
            "employer_region_code": "410102",
            "confirmed_on": "2025-12-20",
            "confirmed_by": "李院长",
        },
    )
    assert confirmed.status_code == 302
    assert ServiceConfirmation.objects.filter(contract=medical_contract, year=2025).exists()
    breached = clerk.post(
        reverse("integrity_students:contract_breach", args=[medical_contract.public_id]),
        {"ground": BreachGround.SHORT_SERVICE, "found_on": "2026-03-02", "description": "离岗"},
    )
    assert breached.status_code == 302
    contract = TrainingContract.objects.get(pk=medical_contract.pk)
    assert contract.status == TrainingContractStatus.BREACHED
    # The clerk is offered no payment form; the reviewer approves, then confirms payment.
    assert "data-ec-paid-form" not in clerk.get(url).content.decode()
    credit_record_approve(actor=city_reviewer, record=contract.breach.record)
    reviewer = signed_in(city_reviewer)
    assert "data-ec-paid-form" in reviewer.get(url).content.decode()
    paid = reviewer.post(
        reverse("integrity_students:breach_paid", args=[medical_contract.public_id]),
        {"paid_on": "2026-03-20"},
    )
    assert paid.status_code == 302
    page = reviewer.get(url).content.decode()
    assert "data-ec-repair" in page  # the road to credit repair, not a lift
    record = TrainingContract.objects.get(pk=medical_contract.pk).breach.record
    repair = f"{reverse('rights:repair_create')}?record={record.public_id}"
    assert repair in page
    assert reviewer.get(repair).status_code == 200
    assert record.status == "effective"


def test_breaching_twice_from_the_page_is_refused(
    medical_contract: Any, college_clerk: Any
) -> None:
    client = signed_in(college_clerk)
    target = reverse("integrity_students:contract_breach", args=[medical_contract.public_id])
    body = {"ground": BreachGround.OTHER, "found_on": "2026-03-02"}
    assert client.post(target, body).status_code == 302
    again = client.post(target, body)
    assert again.status_code == 400
    assert "不允许此操作" in again.content.decode()


def test_the_task_list_and_its_export(
    medical_contract: Any, normal_contract: Any, college_clerk: Any
) -> None:
    from educredit.core import clock
    from educredit.integrity.students.services import service_confirmation_record

    for contract in (medical_contract, normal_contract):
        _serving(college_clerk, contract)
    year = clock.today().year
    service_confirmation_record(
        actor=college_clerk,
        contract=medical_contract,
        year=year,
        employer_name="中原区须水镇卫生院",
        employer_region_code="410102",
        confirmed_on=clock.today(),
        confirmed_by="李院长",
    )
    client = signed_in(college_clerk)
    page = client.get(reverse("integrity_students:tasks")).content.decode()
    assert str(normal_contract.public_id) in page
    assert str(medical_contract.public_id) not in page
    filtered = client.get(
        reverse("integrity_students:tasks"), {"programme": ContractProgramme.RURAL_MEDICAL}
    ).content.decode()
    assert str(normal_contract.public_id) not in filtered
    logged = SubjectQueryLog.objects.count()
    export = client.get(reverse("integrity_students:tasks"), {"export": "xlsx"})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "王老师"
    assert SubjectQueryLog.objects.count() > logged


def test_activities_with_figures_per_school_and_year_and_the_bureau_reads(
    shipped: Any, college_clerk: Any, college: Any, city: Any
) -> None:
    for day, people in ((dt.date(2025, 11, 3), 120), (dt.date(2026, 3, 9), 80)):
        integrity_activity_record(
            actor=college_clerk,
            school=college,
            held_on=day,
            title="诚信考试主题班会",
            kind=ActivityKind.CLASS_MEETING,
            participants=people,
            organiser="学生工作处",
        )
    viewer = factories.make_user(organisation=city, username="zz.viewer", roles=[UserRole.VIEWER])
    page = signed_in(viewer).get(reverse("integrity_students:activities"))
    text = page.content.decode()
    assert page.status_code == 200 and text.count("data-ec-count") == 2
    assert "data-ec-activity-new" not in text  # read-only
    export = signed_in(viewer).get(reverse("integrity_students:activities"), {"year": "2026"})
    assert "80" in export.content.decode()
    file = signed_in(viewer).get(reverse("integrity_students:activities"), {"export": "xlsx"})
    assert len(list(load_workbook(io.BytesIO(file.content)).worksheets[0].iter_rows())) == 3


def test_an_activity_attachment_is_checked_and_nothing_kept_when_refused(
    shipped: Any, college_clerk: Any, college: Any
) -> None:
    fake = io.BytesIO(b"MZ not a pdf")
    fake.name = "签到表.pdf"
    response = signed_in(college_clerk).post(
        reverse("integrity_students:activity_create"),
        {
            "school": str(college.public_id),
            "held_on": "2026-03-09",
            "title": "诚信讲座",
            "kind": ActivityKind.LECTURE,
            "participants": "60",
            "organiser": "学生工作处",
            "attachment": fake,
        },
    )
    assert response.status_code == 400
    assert not IntegrityEducationActivity.objects.exists()


def test_outsiders_and_read_only_users(
    medical_contract: Any, outsider: Any, county_viewer: Any, city: Any
) -> None:
    detail = reverse("integrity_students:contract", args=[medical_contract.public_id])
    breach = reverse("integrity_students:contract_breach", args=[medical_contract.public_id])
    other = signed_in(outsider)
    assert other.get(detail).status_code == 404
    assert other.post(breach, {"ground": "other", "found_on": "2026-03-02"}).status_code == 404
    assert "XY-" not in other.get(reverse("integrity_students:contracts")).content.decode()
    viewer = factories.make_user(organisation=city, username="zz.ro", roles=[UserRole.VIEWER])
    reader = signed_in(viewer)
    page = reader.get(detail)
    assert page.status_code == 200 and "data-ec-breach-form" not in page.content.decode()
    assert reader.post(breach, {"ground": "other", "found_on": "2026-03-02"}).status_code == 403
    assert TrainingContract.objects.get(pk=medical_contract.pk).status == "studying"


def test_the_english_pages_show_no_chinese_but_data(
    medical_contract: Any, college_clerk: Any, college: Any, medical_student: Any
) -> None:
    _serving(college_clerk, medical_contract)
    training_contract_breach(
        actor=college_clerk,
        contract=medical_contract,
        ground=BreachGround.NOT_SERVING,
        found_on=dt.date(2026, 3, 2),
        description="not reported",
    )
    integrity_activity_record(
        actor=college_clerk,
        school=college,
        held_on=dt.date(2026, 3, 9),
        title="Integrity week",
        kind=ActivityKind.PLEDGE,
        participants=300,
        organiser="Student office",
    )
    data = [
        college.name,
        medical_student.name,
        college_clerk.organisation.name,
        college_clerk.full_name,
        "中原区",
        "河南省",
    ]
    client = signed_in(college_clerk, "en")
    for url in (
        reverse("integrity_students:contracts"),
        reverse("integrity_students:contract_create"),
        reverse("integrity_students:contract", args=[medical_contract.public_id]),
        reverse("integrity_students:tasks"),
        reverse("integrity_students:activities"),
        reverse("integrity_students:activity_create"),
    ):
        text = visible_text(client.get(url).content.decode())
        assert han_leaks(text, data) == [], (url, han_leaks(text, data))


def test_the_lists_cost_a_fixed_number_of_queries(
    shipped: Any, college_clerk: Any, college: Any, normal_student: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from educredit.integrity.students.tests.conftest import contract_for

    client = signed_in(college_clerk)
    urls = (reverse("integrity_students:contracts"), reverse("integrity_students:tasks"))

    def add(count: int, start: int) -> None:
        for number in range(start, start + count):
            contract = contract_for(
                college_clerk,
                normal_student,
                college,
                ContractProgramme.LOCAL_NORMAL,
                agreement_number=f"QC-{number}",
            )
            _serving(college_clerk, contract)

    def queries(url: str) -> int:
        client.get(url)  # the session and caches warm
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        return len(captured)

    add(1, 0)
    one = [queries(url) for url in urls]
    add(6, 1)
    assert [queries(url) for url in urls] == one


def test_last_years_missing_confirmations_are_on_the_home_to_do_list(
    medical_contract: Any, normal_contract: Any, college_clerk: Any
) -> None:
    from educredit.core import clock
    from educredit.integrity.students.services import service_confirmation_record

    last_year = clock.today().year - 1
    for contract in (medical_contract, normal_contract):
        training_contract_transition(
            actor=college_clerk,
            contract=contract,
            action="start_service",
            service_started_on=dt.date(last_year, 8, 1),
        )
    service_confirmation_record(
        actor=college_clerk,
        contract=medical_contract,
        year=last_year,
        employer_name="中原区须水镇卫生院",
        employer_region_code="410102",
        confirmed_on=dt.date(last_year, 12, 20),
        confirmed_by="李院长",
    )
    home = signed_in(college_clerk).get(reverse("web:home")).content.decode()
    assert f"{reverse('integrity_students:tasks')}?year={last_year}" in home
    assert "份培养协议上一年度缺少任职单位履约确认" in home
    # Nothing changes by itself: the contract is still in service.
    assert TrainingContract.objects.get(pk=normal_contract.pk).status == "serving"


def test_the_contract_list_exports_its_filter_and_logs_the_students(
    medical_contract: Any, normal_contract: Any, city: Any
) -> None:
    viewer = factories.make_user(organisation=city, username="zz.export", roles=[UserRole.VIEWER])
    client = signed_in(viewer)
    logged = SubjectQueryLog.objects.count()
    export = client.get(
        reverse("integrity_students:contracts"),
        {"programme": ContractProgramme.RURAL_MEDICAL, "export": "xlsx"},
    )
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["张医生"]
    assert rows[1][2] != MEDICAL_NUMBER and "*" in str(rows[1][2])  # masked, never in clear
    assert SubjectQueryLog.objects.count() > logged
