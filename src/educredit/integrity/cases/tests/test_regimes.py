"""The regimes other than teacher ethics, each to its decision and into screening: a university
researcher's misconduct under the 2022 rules bans project applications for its tier; a cheating
decision (教育法 §79: the education department orders the ban) bars exam registration; a
teacher-qualification revocation enters the restriction list for five years from its day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from educredit.accounts.choices import OrganisationKind, UserRole
from educredit.core import clock as core_clock
from educredit.integrity.cases import services
from educredit.integrity.cases.choices import CaseNoticeKind, CaseSource, NoticeDelivery
from educredit.integrity.cases.models import Case
from educredit.integrity.cases.regimes import BY_CODE, RESEARCH_TYPES
from educredit.integrity.cases.selectors import person_clock, qualification_restrictions_visible_to
from educredit.records.services import credit_record_approve
from educredit.records.tests.factories import make_reviewer
from educredit.records.windows import add_months
from educredit.subjects.choices import AffiliationRole, InstitutionKind
from educredit.subjects.services import institution_update
from educredit.subjects.tests.factories import make_institution, make_person, resident_id, uscc
from educredit.testing import factories

pytestmark = pytest.mark.django_db
NUMBER = resident_id(733)


def ago(days: int) -> dt.date:
    return core_clock.today() - dt.timedelta(days=days)


@pytest.fixture
def checker(other_county: Any) -> dict[str, str]:
    """A business system of another county with the check scope (screening is province-wide)."""
    _client, key = factories.make_api_client(
        organisation=other_county, name="科研项目管理系统", scopes=["sanctions:check"]
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def check(client: Any, headers: dict[str, str], scenario: str, as_of: dt.date) -> str:
    body = {
        "document_type": "resident_id",
        "document_number": NUMBER,
        "scenario": scenario,
        "reference": "CHK-1",
        "as_of": as_of.isoformat(),
    }
    response = client.post("/api/sanctions/check", body, content_type="application/json", **headers)
    assert response.status_code == 200, response.content
    return str(response.json()["verdict"])


def to_decision(
    case: Case, clerk: Any, decider: Any, *, intended: list[dict[str, Any]], **decide: Any
) -> Case:
    """Accept, notify, deliver, let the window pass with nothing said, and decide."""
    if case.status == "reported":
        case = services.case_accept(actor=clerk, case=case, on=ago(40))
    case = services.case_notify(
        actor=clerk,
        case=case,
        facts=decide["facts"],
        reasons="证据确凿",
        basis=BY_CODE[case.regime].basis,
        intended=intended,
        misconduct_type=case.misconduct_type,
        on=ago(35),
    )
    services.case_notice_deliver(
        actor=clerk,
        notice=case.notices.get(kind=CaseNoticeKind.INTENDED),
        delivery=NoticeDelivery.POST,
        on=ago(34),
    )
    return services.case_decide(
        actor=decider,
        case=Case.objects.get(pk=case.pk),
        reasons="证据确凿",
        basis=BY_CODE[case.regime].basis,
        sanctions=intended,
        **decide,
    )


@pytest.fixture
def university(province: Any) -> Any:
    return factories.make_organisation(
        parent=province, name="中原理工大学", kind=OrganisationKind.UNIVERSITY, region_code="410100"
    )


def staff(org: Any, name: str, role: str) -> Any:
    return factories.make_user(organisation=org, username=name, roles=[role])


def test_a_research_misconduct_case_bans_project_applications_for_its_tier(
    shipped: Any, university: Any, province: Any, client: Any, checker: dict[str, str]
) -> None:
    campus = make_institution(
        supervisor=province, name="中原理工大学", serial=733, kind=InstitutionKind.UNIVERSITY
    )
    campus = institution_update(
        actor="system:test", institution=campus, organisation=university, reason="学校账户"
    )
    researcher = make_person(institution=campus, name="钱研究员", number=NUMBER)
    clerk = staff(university, "zl.clerk", UserRole.CLERK)
    decider = staff(university, "zl.head", UserRole.REVIEWER)
    case = services.case_open(
        actor=clerk,
        regime_code="research_misconduct",
        person=researcher,
        institution=campus,
        source=CaseSource.REPORT,
        reported_on=ago(50),
        allegation="国家自然科学基金项目申请书抄袭他人已结题项目",
        misconduct_type=RESEARCH_TYPES[0],
    )
    # A ban longer than its tier allows is refused: the notice is not issued.
    with pytest.raises(ValidationError, match="不符合规定"):
        to_decision(
            case,
            clerk,
            decider,
            intended=[{"kind": "research_ban_heavy", "months": 72}],
            facts="申请书第三部分与他人项目申请书雷同",
            remedy="可自收到本决定之日起15个工作日内申请复查。",
        )
    case.refresh_from_db()
    assert case.status == "investigating"
    assert list(case.notices.values_list("kind", flat=True)) == [CaseNoticeKind.ACCEPTANCE]
    case = to_decision(
        case,
        clerk,
        decider,
        intended=[{"kind": "research_ban_heavy", "months": 48}, {"kind": "project_termination"}],
        facts="申请书第三部分与他人项目申请书雷同",
        remedy="可自收到本决定之日起15个工作日内申请复查。",
        record_fields={"aggravating": "多次实施"},
    )
    record = case.record
    assert record is not None
    assert record.catalog_item.code == "JY-KY-01"
    end = add_months(case.decided_on, 48)  # type: ignore[arg-type]
    assert record.payload["ban_tier"] == "情节较重"
    assert record.payload["sanction_until"] == end.isoformat()
    assert record.payload["handling_body"] == "中原理工大学"
    assert record.payload["effective_on"] == case.decided_on.isoformat()  # type: ignore[union-attr]
    credit_record_approve(actor=make_reviewer(organisation=university), record=record)
    today = core_clock.today()
    assert check(client, checker, "research_project", today) == "restricted"
    assert check(client, checker, "research_project", end - dt.timedelta(days=1)) == "restricted"
    assert check(client, checker, "research_project", end) == "clear"


def test_an_exam_violation_decided_by_the_bureau_bars_registration_for_the_ban(
    shipped: Any,
    county: Any,
    county_clerk: Any,
    county_admin: Any,
    client: Any,
    checker: dict[str, str],
) -> None:
    school = make_institution(supervisor=county, name="中原区第九中学", serial=734)
    candidate = make_person(institution=school, name="孙考生", number=NUMBER, role="student")
    clerk = county_clerk
    case = services.case_open(
        actor=clerk,
        regime_code="exam_violation",
        person=candidate,
        source=CaseSource.EXAM_SITE,
        reported_on=ago(50),
        allegation="携带具有发送接收信息功能的设备进入考场",
        misconduct_type="作弊",
    )
    case = to_decision(
        case,
        clerk,
        county_admin,
        intended=[{"kind": "score_void_all"}, {"kind": "exam_ban", "months": 24}],
        facts="考试中使用手机接收答案",
        remedy="可自收到本决定之日起15日内向河南省教育考试院申请复核。",
        record_fields={"exam_name": "2026年普通高校招生全国统一考试", "exam_date": ago(60)},
    )
    record = case.record
    assert record is not None and record.catalog_item.code == "JY-KS-01"
    end = add_months(case.decided_on, 24)  # type: ignore[arg-type]
    assert record.payload["exam_ban_until"] == end.isoformat()
    credit_record_approve(actor=make_reviewer(organisation=county), record=record)
    assert check(client, checker, "exam_registration", core_clock.today()) == "restricted"
    assert check(client, checker, "exam_registration", end - dt.timedelta(days=1)) == "restricted"
    assert check(client, checker, "exam_registration", end) == "clear"


def test_an_exam_authority_decides_a_registered_candidates_cheating_and_bars_registration(
    shipped: Any, city: Any, client: Any, checker: dict[str, str]
) -> None:
    authority_org = factories.make_organisation(
        parent=city, name="郑州市招生考试中心", kind=OrganisationKind.OTHER, region_code="410100"
    )
    # The authority is an institution of its own; the candidates it registers are its 考生.
    authority = institution_update(
        actor="system:test",
        institution=make_institution(
            supervisor=city, name="郑州市招生考试中心", serial=737, kind=InstitutionKind.OTHER
        ),
        organisation=authority_org,
        reason="考试机构账户",
    )
    candidate = make_person(
        institution=authority, name="孙考生", number=NUMBER, role=AffiliationRole.CANDIDATE
    )
    clerk = staff(authority_org, "ks.clerk", UserRole.CLERK)
    case = services.case_open(
        actor=clerk,
        regime_code="exam_violation",
        person=candidate,
        source=CaseSource.EXAM_SITE,
        reported_on=ago(50),
        allegation="由他人冒名代考",
        misconduct_type="由他人代考或代替他人参加考试",
    )
    case = to_decision(
        case,
        clerk,
        staff(authority_org, "ks.head", UserRole.REVIEWER),
        intended=[{"kind": "score_void_all"}, {"kind": "exam_ban", "months": 36}],
        facts="经比对照片与指纹，确认由他人代考",
        remedy="可自收到本决定之日起15日内向河南省教育考试院申请复核。",
        record_fields={"exam_name": "2026年全国硕士研究生招生考试", "exam_date": ago(60)},
    )
    record = case.record
    assert record is not None and record.organisation_id == authority_org.pk
    end = add_months(case.decided_on, 36)  # type: ignore[arg-type]
    credit_record_approve(actor=make_reviewer(organisation=authority_org), record=record)
    assert check(client, checker, "exam_registration", end - dt.timedelta(days=1)) == "restricted"
    assert check(client, checker, "exam_registration", end) == "clear"


def test_a_qualification_revocation_enters_the_restriction_list_for_five_years(
    shipped: Any,
    county: Any,
    county_clerk: Any,
    county_admin: Any,
    client: Any,
    checker: dict[str, str],
) -> None:
    county.uscc = uscc(901, "410102")
    school = make_institution(supervisor=county, name="中原区第十中学", serial=735)
    teacher = make_person(institution=school, name="周老师", number=NUMBER)
    case = services.case_open(
        actor=county_clerk,
        regime_code="ethics_school",
        person=teacher,
        institution=school,
        source=CaseSource.REPORT,
        reported_on=ago(50),
        allegation="体罚学生致伤",
        misconduct_type=BY_CODE["ethics_school"].misconduct_types[3],
    )
    case = to_decision(
        case,
        county_clerk,
        county_admin,
        intended=[{"kind": "dismissal"}, {"kind": "qualification_revocation"}],
        facts="多次体罚学生，致一名学生受伤",
        remedy="可自收到本决定书之日起30日内向郑州市教育局提出申诉。",
        record_fields={
            "qualification_kind": "初级中学教师资格",
            "certificate_number": "20064100142000123",
            "ground": "品行不良、侮辱学生，影响恶劣",
        },
    )
    decided = case.decided_on
    assert decided is not None
    reapply = add_months(decided, 60)
    revocation = case.qualification_record
    assert revocation is not None and revocation.catalog_item.code == "JY-ZG-01"
    assert revocation.payload["reapply_from"] == reapply.isoformat()
    reviewer = make_reviewer(organisation=county)
    credit_record_approve(actor=reviewer, record=case.record)  # type: ignore[arg-type]
    credit_record_approve(actor=reviewer, record=revocation)
    listed = qualification_restrictions_visible_to(county_admin)
    assert [row.person_id for row in listed] == [teacher.pk]
    assert not qualification_restrictions_visible_to(county_admin, as_of=reapply).exists()
    assert (
        check(client, checker, "teacher_qualification", reapply - dt.timedelta(days=1))
        == "restricted"
    )
    assert check(client, checker, "teacher_qualification", reapply) == "clear"
    clock_lines = {entry.label: entry for entry in person_clock(teacher)}
    assert clock_lines["开除"].permanent


def test_a_school_cannot_revoke_a_teacher_qualification(
    shipped: Any, county: Any, county_school: Any
) -> None:
    school = institution_update(
        actor="system:test",
        institution=make_institution(supervisor=county, name="中原区第一小学", serial=736),
        organisation=county_school,
        reason="学校账户",
    )
    teacher = make_person(institution=school, name="吴老师", number=NUMBER)
    school_clerk = staff(county_school, "yx.clerk", UserRole.CLERK)
    school_head = staff(county_school, "yx.head", UserRole.REVIEWER)
    case = services.case_open(
        actor=school_clerk,
        regime_code="ethics_school",
        person=teacher,
        source=CaseSource.REPORT,
        reported_on=ago(50),
        allegation="有偿补课",
        misconduct_type=BY_CODE["ethics_school"].misconduct_types[7],
    )
    with pytest.raises(ValidationError, match="县级以上"):
        to_decision(
            case,
            school_clerk,
            school_head,
            intended=[{"kind": "qualification_revocation"}],
            facts="组织有偿补课",
            remedy="可自收到本决定书之日起30日内向中原区教育局提出申诉。",
        )
