"""The demo set-up behind ``educredit demo``: a small province and one login per role and level.

Idempotent: every step looks for what an earlier run made (the provincial department, the
loaded dataset, the demo organisations and users) and only adds what is missing, so running
``make demo`` twice neither fails nor duplicates anything.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

from django.core.files import File
from django.core.management import call_command

from educredit.accounts import services as accounts_services
from educredit.accounts.choices import OrganisationKind, UserRole
from educredit.accounts.models import Organisation, User
from educredit.audit.sequencer import sequence_pending
from educredit.catalog.services import catalog_version_seed
from educredit.core.clock import today
from educredit.core.identifiers import resident_id_check_character, uscc_check_character
from educredit.portal.services import search_index_rebuild
from educredit.records.demo_data import demo_credit_records
from educredit.sanctions.services import measure_list_seed
from educredit.subjects import services as subjects_services
from educredit.subjects.choices import (
    AffiliationRole,
    DocumentType,
    InstitutionKind,
    InstitutionOwnership,
)
from educredit.subjects.models import Institution, Person
from educredit.synth.demo_appraisals import demo_appraisals
from educredit.synth.demo_cases import demo_cases
from educredit.synth.demo_commitments import demo_commitments
from educredit.synth.demo_files import penalty_sample_write
from educredit.synth.demo_rights import TEACHER_LOGIN, TRAINING_LOGIN, demo_subject_accounts
from educredit.synth.demo_students import demo_students
from educredit.synth.generator import dataset_id_for, province_generate, read_manifest
from educredit.synth.loader import province_load
from educredit.synth.models import ProvinceLoad

logger = logging.getLogger(__name__)

# Demo accounts only (is_demo): printed by `educredit demo`, never used for real accounts.
DEMO_PASSWORD = "Demo-2026-henan"  # noqa: S105
DEMO_SEED = 2026
DEMO_CITY = "410100"  # 郑州市
DEMO_COUNTY = "410102"  # 郑州市中原区
DEMO_ACTOR = "system:demo"
REFERENCE_UNIVERSITY = "郑州大学"
# Shipped with the subjects app (the same file as the shared reference list).
REFERENCE_LIST = (
    Path(subjects_services.__file__).parent
    / "data"
    / "henan-higher-education-institutions-2017.csv"
)
# A training institution (校外培训机构) supervised by 中原区, so that the county clerk can try
# the whole flow: enter a penalty on it, have it approved, find it on the portal. The
# synthetic province may have none in 中原区 at small scales. Its organisation code starts
# with "MA" (as companies registered since 2015 do), which the generator never produces.
DEMO_TRAINING_NAME = "郑州市中原区明理教育培训有限公司"
_DEMO_TRAINING_FIRST17 = "91410102MA47XK3P2"
DEMO_TRAINING_USCC = _DEMO_TRAINING_FIRST17 + uscc_check_character(_DEMO_TRAINING_FIRST17)
# Teachers of the reference university, which the 2017 list brings without people: its own
# findings (学术不端, JY-XS-01, recorded by universities only) need someone to be about.
# (Name, first 17 characters of a resident ID registered in 郑州市金水区.)
DEMO_UNIVERSITY_TEACHERS = (("程远航", "41010519780412003"), ("苏婉清", "41010519830926004"))


@dataclass
class DemoLogin:
    """One demo account as printed for the person trying the demo."""

    username: str
    role: str
    organisation: str
    sees: str
    totp_secret: str = ""


@dataclass
class DemoReport:
    """What ``demo_prepare`` found or made."""

    dataset_id: str
    loaded_now: bool
    counts: dict[str, int] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    try_this: list[str] = field(default_factory=list)


def _root() -> Organisation:
    root = Organisation.objects.filter(
        parent=None, kind=OrganisationKind.PROVINCIAL_DEPARTMENT
    ).first()
    return root or accounts_services.organisation_bootstrap(name="河南省教育厅")


# The demo's staff below the province admin: (username, name, organisation, role, role label,
# what they can see).
DEMO_STAFF: list[tuple[str, str, str, str, str, str]] = [
    (
        "zhengzhou_reviewer",
        "郑州市审核员（演示）",
        "city",
        UserRole.REVIEWER,
        "审核员 reviewer",
        "郑州市及其各区县 / Zhengzhou and its counties",
    ),
    (
        "zhongyuan_clerk",
        "中原区录入员（演示）",
        "county",
        UserRole.CLERK,
        "录入员 clerk",
        "中原区的学校、教师和学生 / Zhongyuan district only",
    ),
    (
        "zhongyuan_viewer",
        "中原区只读用户（演示）",
        "county",
        UserRole.VIEWER,
        "只读 viewer",
        "中原区（只读）/ Zhongyuan district, read-only",
    ),
    (
        "university_clerk",
        "高校录入员（演示）",
        "university",
        UserRole.CLERK,
        "录入员 clerk",
        "本校及其教师和学生 / this university only",
    ),
    (
        "school_clerk",
        "小学录入员（演示）",
        "school",
        UserRole.CLERK,
        "录入员 clerk",
        "本校及其教师和学生 / this school only",
    ),
]


def _user(
    *,
    username: str,
    full_name: str,
    organisation: Organisation,
    role: str,
    password: str,
) -> User:
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    return accounts_services.user_create(
        actor=DEMO_ACTOR,
        organisation=organisation,
        username=username,
        full_name=full_name,
        password=password,
        roles=[role],
        is_demo=True,
    )


def _teachers_of(institution: Institution) -> list[Person]:
    """A few teachers of an institution to carry the demo's credit records about people."""
    return list(
        Person.objects.filter(
            affiliations__institution=institution, affiliations__role=AffiliationRole.TEACHER
        )
        .distinct()
        .order_by("pk")[:3]
    )


def _university_teachers(university: Institution) -> list[Person]:
    """The university's teachers; two demo teachers registered if it has none (found again
    by their document number on a second run)."""
    teachers = _teachers_of(university)
    if teachers:
        return teachers
    for name, first17 in DEMO_UNIVERSITY_TEACHERS:
        person = subjects_services.person_register(
            actor=DEMO_ACTOR,
            document_type=DocumentType.RESIDENT_ID,
            id_number=first17 + resident_id_check_character(first17),
            name=name,
            source="演示 / demo",
        ).subject
        subjects_services.affiliation_add(
            actor=DEMO_ACTOR, person=person, institution=university, role=AffiliationRole.TEACHER
        )
    return _teachers_of(university)


def _institution_account(
    institution: Institution, *, kind: str, parent: Organisation
) -> Organisation:
    """The institution's organisation under ``parent``, created and linked if missing."""
    if institution.organisation_id is not None:
        return institution.organisation  # type: ignore[return-value]
    organisation = Organisation.objects.filter(parent=parent, name=institution.name).first()
    if organisation is None:
        organisation = accounts_services.organisation_create(
            actor=DEMO_ACTOR,
            name=institution.name,
            kind=kind,
            parent=parent,
            region_code=institution.region_code,
            uscc=institution.uscc or "",
        )
    subjects_services.institution_update(
        actor=DEMO_ACTOR,
        institution=institution,
        organisation=organisation,
        reason="演示账户 / demo account",
    )
    return organisation


def _training_institution(county: Organisation) -> Institution:
    """The demo's training institution in 中原区 (found again by its USCC on a second run)."""
    return subjects_services.institution_register(
        actor=DEMO_ACTOR,
        name=DEMO_TRAINING_NAME,
        kind=InstitutionKind.TRAINING_INSTITUTION,
        region_code=DEMO_COUNTY,
        supervisor=county,
        uscc=DEMO_TRAINING_USCC,
        ownership=InstitutionOwnership.PRIVATE,
        legal_representative="王明理",
        source="演示 / demo",
    ).subject


def _try_this(training: Institution) -> list[str]:
    """The walk a new user can try: a penalty from entry to the portal, one step a line."""
    return [
        f"1. zhongyuan_clerk：录入信用记录，JY-CF-02 行政处罚（一般失信），机构 {training.name}，"
        "保存并提交审核 / enter a penalty on it and submit it",
        "2. zhengzhou_reviewer：记录审核 → 审核通过 / approve it",
        f"3. 门户 / portal: http://127.0.0.1:8000/query/?q={training.uscc} → 机构页 / its page"
        "（?as_of=YYYY-MM-DD：以后某天 / a later day）",
    ]


def _try_rights(*, first: int) -> list[str]:
    """Issue 6's walk: objection, repair, credit report and its verification."""
    steps = [
        f"{TEACHER_LOGIN}：我的信用记录 → 提出异议 / object to a record (/self/)；"
        "zhengzhou_reviewer：/rights/objections/ 处理异议 / decide it",
        f"{TRAINING_LOGIN}：信用修复 → 申请 / apply for repair；"
        "zhengzhou_reviewer：/rights/repairs/ 准予修复 / grant it",
        f"{TRAINING_LOGIN}：信用报告 → 下载 PDF / download the report；"
        "任何人 / anyone: http://127.0.0.1:8000/verify/ 核验 / verify it",
    ]
    return [f"{number}. {step}" for number, step in enumerate(steps, start=first)]


def _try_commitments(*, first: int) -> list[str]:
    """Issue 16's walk: commitments, their checks and the sampling draw."""
    steps = [
        f"{TRAINING_LOGIN}：/self/commitments/ 签署信用承诺 / sign a commitment；"
        "zhongyuan_clerk：/commitments/ 受理 / accept it",
        "zhongyuan_clerk：/commitments/checks/ 承诺核查任务与抽查记录（可复核） / "
        "the checks and a sampling draw anyone can redo",
    ]
    return [f"{number}. {step}" for number, step in enumerate(steps, start=first)]


def _try_integrity(*, first: int) -> list[str]:
    """Issue 17's walk: an ethics case to defend and one to approve, appraisals, hiring."""
    steps = [
        f"{TEACHER_LOGIN}：/self/cases/ 阅读拟处理决定告知书，陈述申辩 / "
        "read the intended decision and state your defence；"
        "zhongyuan_clerk：/integrity/cases/ 逾期未受理的案件 / the overdue report",
        "zhengzhou_reviewer：记录审核 → 审核通过师德失范处理决定 / approve the decision's record；"
        "核查接口 title_evaluation 即答 restricted / the check answers restricted at once",
        "school_clerk：/integrity/appraisals/ 师德考核；/integrity/hiring/ 入职查询 / "
        "ethics appraisal, hiring check",
    ]
    return [f"{number}. {step}" for number, step in enumerate(steps, start=first)]


def _penalty_sample(directory: Path, county: Organisation, training: Institution) -> Path | None:
    """The GBK spreadsheet of 200 penalties (10 wrong) on 中原区's institutions, if it can be."""
    if not county.uscc:
        return None
    others = Institution.objects.filter(supervisor=county, uscc__isnull=False).exclude(
        pk=training.pk
    )
    return penalty_sample_write(
        directory / "penalties-sample-gbk.csv",
        [training, *others.order_by("pk")[:4]],
        bureau=county.name,
        bureau_uscc=county.uscc,
        decided=today() - datetime.timedelta(days=2),
    )


def _try_the_import(sample: Path) -> list[str]:
    """Issue 4's walk: a spreadsheet of penalties through review to the platform simulator."""
    return [
        f"4. zhongyuan_clerk：双公示导入，上传 {sample}（GBK，200 条，其中 10 条有误）"
        " / import it: 190 rows go to review, 10 come back in the error report",
        "5. zhengzhou_reviewer：记录审核 → 审核通过；约 15 秒后报送省平台模拟器 → 报送队列 / "
        "approve; the outbox worker reports them to the simulator (报送队列 shows receipts)",
        "6. 双公示质量 / reporting quality: 及时率、合规率、完整率",
        "7. 奖惩措施清单 / measure list: http://127.0.0.1:8000/sanctions/",
        "8. 核查接口 / screening API: docs/integration-guide.md"
        " (educredit apiclient create … --scopes sanctions:check)",
    ]


def _import_reference_universities(*, admin: User, root: Organisation, report: DemoReport) -> None:
    """The real list of Henan's 134 higher-education institutions (2017), through the
    subjects import path as an upload would go, then their renames since 2017."""
    if Institution.objects.filter(moe_code__isnull=False).exists():
        return  # imported by an earlier run (or by hand): registering again changes nothing
    with REFERENCE_LIST.open("rb") as handle:
        run = subjects_services.import_run_start(
            actor=admin,
            kind="institutions",
            upload=File(handle, name=REFERENCE_LIST.name),
            default_supervisor=root,
            default_kind="university",
            enqueue=False,
        )
    result = subjects_services.import_run_process(run_id=run.pk)
    if result is not None:
        report.notes.append(
            f"高校名录 / universities (2017 list): {result.ok_rows} 行导入 / imported, "
            f"{result.failed_rows} 行失败 / failed"
        )
    call_command("subjects", "renames", stdout=StringIO())


def demo_prepare(
    *,
    scale: float,
    directory: Path,
    password: str = DEMO_PASSWORD,
    people_factor: float = 1.0,
    progress: Callable[[str, int, int], None] | None = None,
) -> DemoReport:
    """Make (or find) the demo province, its data and one demo login per role and level."""
    root = _root()
    admin = _user(
        username="province_admin",
        full_name="省厅管理员（演示）",
        organisation=root,
        role=UserRole.ADMIN,
        password=password,
    )
    dataset_id = dataset_id_for(
        seed=DEMO_SEED, scale=scale, ensure_counties=[DEMO_COUNTY], people_factor=people_factor
    )
    loaded_now = False
    if not ProvinceLoad.objects.filter(dataset_id=dataset_id).exists():
        try:
            present = read_manifest(directory).get("dataset_id") == dataset_id
        except (FileNotFoundError, ValueError):
            present = False
        if not present:
            province_generate(
                directory=directory,
                scale=scale,
                seed=DEMO_SEED,
                ensure_counties=[DEMO_COUNTY],
                people_factor=people_factor,
            )
        province_load(actor=admin, directory=directory, progress=progress)
        loaded_now = True
    load = ProvinceLoad.objects.get(dataset_id=dataset_id)
    report = DemoReport(dataset_id=dataset_id, loaded_now=loaded_now, counts=dict(load.counts))
    _import_reference_universities(admin=admin, root=root, report=report)
    # The short names the public searches by (郑大 …): added when missing, on every run.
    call_command("subjects", "aliases", stdout=StringIO())
    catalog_version_seed(actor="system:demo")  # the shipped catalog, once (audited)
    measure_list_seed(actor="system:demo")  # the shipped measure list, once (audited)
    call_command("commitments", "seed", stdout=StringIO())  # matters and templates, once

    city = Organisation.objects.get(
        parent=root, kind=OrganisationKind.CITY_BUREAU, region_code=DEMO_CITY
    )
    county = Organisation.objects.get(
        parent=city, kind=OrganisationKind.COUNTY_BUREAU, region_code=DEMO_COUNTY
    )
    university = (
        Institution.objects.filter(name=REFERENCE_UNIVERSITY).first()
        or Institution.objects.filter(kind="university", supervisor=root).order_by("pk").first()
    )
    school = Institution.objects.filter(kind="primary", supervisor=county).order_by("pk").first()
    if university is None or school is None:
        raise RuntimeError("the demo province has no university or no primary school")
    university_org = _institution_account(university, kind=OrganisationKind.UNIVERSITY, parent=root)
    school_org = _institution_account(school, kind=OrganisationKind.SCHOOL, parent=county)
    training = _training_institution(county)
    report.try_this = _try_this(training)
    sample = _penalty_sample(directory, county, training)
    if sample is not None:
        report.try_this += _try_the_import(sample)

    organisations = {
        "city": city,
        "county": county,
        "university": university_org,
        "school": school_org,
    }
    people = [(admin, "管理员 admin", "全省：全部机构、教师和学生 / the whole province")]
    for username, full_name, where, role, role_label, sees in DEMO_STAFF:
        user = _user(
            username=username,
            full_name=full_name,
            organisation=organisations[where],
            role=role,
            password=password,
        )
        people.append((user, role_label, sees))
    for user, role, sees in people:
        secret = ""
        if accounts_services.user_requires_totp(user):
            if not user.totp_confirmed:
                accounts_services.user_totp_preenrol_demo(actor=DEMO_ACTOR, user=user)
                user.refresh_from_db()
            secret = user.totp_secret
        report.logins.append(
            DemoLogin(
                username=user.username,
                role=role,
                organisation=str(user.organisation),
                sees=sees,
                totp_secret=secret,
            )
        )
    logins = {user.username: user for user, _role, _sees in people}
    county_teachers = _teachers_of(school)
    demo_credit_records(
        county_clerk=logins["zhongyuan_clerk"],
        county_reviewer=logins["zhengzhou_reviewer"],
        county_institution=school,
        county_people=county_teachers,
        university_clerk=logins["university_clerk"],
        university_reviewer=admin,
        university=university,
        university_people=_university_teachers(university),
    )
    for username, who in demo_subject_accounts(
        clerk=logins["zhongyuan_clerk"],
        reviewer=logins["zhengzhou_reviewer"],
        training=training,
        teachers=county_teachers,
        password=password,
    ):
        report.logins.append(
            DemoLogin(
                username=username,
                role="信用主体（自助服务） / credit subject (self-service)",
                organisation=who,
                sees="本主体的信用信息 / its own credit information: /self/",
            )
        )
    report.try_this += _try_rights(first=len(report.try_this) + 1)
    demo_commitments(clerk=logins["zhongyuan_clerk"], training=training, teachers=county_teachers)
    report.try_this += _try_commitments(first=len(report.try_this) + 1)
    demo_appraisals(logins=logins, school=school)
    demo_students(clerk=logins["university_clerk"], university=university)
    demo_cases(
        clerk=logins["zhongyuan_clerk"],
        decider=logins["zhengzhou_reviewer"],
        school=school,
        teachers=county_teachers,
    )
    report.try_this += _try_integrity(first=len(report.try_this) + 1)
    # The bulk load bypasses the signals that keep the portal's search index current.
    search_index_rebuild()
    # Integrate everything the demo wrote and sign a tree head, so proofs work at once.
    sequence_pending(actor=DEMO_ACTOR)
    return report
