"""The demo's integrity cases: what a new user finds on the case pages — a teacher-ethics case
waiting for the demo teacher's defence in self-service, a decided one whose record waits for
review (approve it and the title-evaluation check answers "restricted"), and a report nobody
accepted in time (overdue on the county's to-do list).

Idempotent like the rest of the demo: once the county has cases, nothing is added.
"""

from __future__ import annotations

import datetime as dt

from educredit.accounts.models import User
from educredit.core import clock
from educredit.integrity.cases import services
from educredit.integrity.cases.choices import CaseNoticeKind, CaseSource, NoticeDelivery
from educredit.integrity.cases.models import Case
from educredit.integrity.cases.regimes import BY_CODE
from educredit.rights.models import SubjectAccount
from educredit.subjects.models import Institution, Person

REGIME = "ethics_school"
BASIS = "《中小学教师违反职业道德行为处理办法（2018年修订）》第四条"
REMEDY = "如不服本决定，可自收到本决定书之日起30日内向郑州市教育局提出申诉。"


def _ago(days: int) -> dt.date:
    return clock.today() - dt.timedelta(days=days)


def _open(clerk: User, person: Person, school: Institution, allegation: str, days: int) -> Case:
    return services.case_open(
        actor=clerk,
        regime_code=REGIME,
        person=person,
        institution=school,
        source=CaseSource.REPORT,
        reporter="学生家长（实名）",
        reported_on=_ago(days),
        allegation=allegation,
    )


def _notified(clerk: User, case: Case, facts: str, misconduct: str, days: int) -> Case:
    case = services.case_accept(actor=clerk, case=case, on=_ago(days + 2))
    return services.case_notify(
        actor=clerk,
        case=case,
        facts=facts,
        reasons="违反《新时代中小学教师职业行为十项准则》，情节较轻。",
        basis=BASIS,
        intended=[{"kind": "warning"}],
        misconduct_type=misconduct,
        on=_ago(days),
    )


def demo_cases(*, clerk: User, decider: User, school: Institution, teachers: list[Person]) -> None:
    """Three cases of the county about the demo school's teachers (the demo teacher first)."""
    if Case.objects.filter(organisation=clerk.organisation).exists() or len(teachers) < 3:
        return
    types = BY_CODE[REGIME].misconduct_types
    own = set(
        SubjectAccount.objects.filter(person__in=teachers).values_list("person_id", flat=True)
    )
    ordered = sorted(teachers, key=lambda person: person.pk not in own)
    waiting, decided, late = ordered[:3]
    # 1. Notified three days ago: the teacher reads the notice and states her defence in /self/.
    case = _open(clerk, waiting, school, "课堂上多次讽刺挖苦学生（演示）", 12)
    _notified(clerk, case, "经调查，该教师在课堂上三次以“笨”等言语讽刺学生。", types[3], 3)
    # 2. Decided 警告: the record waits for review; approve it and screening restricts.
    case = _open(clerk, decided, school, "向学生推荐校外培训机构并收取介绍费（演示）", 30)
    case = _notified(clerk, case, "经调查，该教师向三名学生家长推荐校外培训机构。", types[7], 20)
    services.case_notice_deliver(
        actor=clerk,
        notice=case.notices.get(kind=CaseNoticeKind.INTENDED),
        delivery=NoticeDelivery.IN_PERSON,
        on=_ago(19),
    )
    case = services.case_defend(
        actor=clerk,
        case=Case.objects.get(pk=case.pk),
        text="承认推荐行为，未收取费用。",
        on=_ago(17),
    )
    services.case_decide(
        actor=decider,
        case=case,
        facts=case.facts,
        reasons=case.reasons,
        basis=case.basis,
        sanctions=[{"kind": "warning"}],
        remedy=REMEDY,
        on=_ago(1),
    )
    # 3. Reported forty days ago and never accepted: overdue.
    _open(clerk, late, school, "匿名反映该教师组织有偿补课（演示）", 40)
