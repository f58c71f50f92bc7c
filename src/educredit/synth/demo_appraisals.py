"""The demo's 师德考核: what a new user finds on the appraisal pages — results of the demo
primary school's teachers (last year's, and this year's when the school has few teachers),
entered by its clerk, approved by the city's reviewer (so they are in the teachers' credit
archives as JY-SD-01) but one, which awaits review.

Idempotent like the rest of the demo: once the school has appraisals, nothing is added.
"""

from __future__ import annotations

from educredit.accounts.models import User
from educredit.core import clock
from educredit.integrity.appraisal import services
from educredit.integrity.appraisal.models import EthicsAppraisal
from educredit.integrity.appraisal.selectors import teachers_of
from educredit.subjects.models import Institution

# (grade, remarks, approved): the second waits in the review queue.
RESULTS = (
    ("优秀", "", True),
    ("基本合格", "秋季学期三次未按时到岗上课，经提醒已改正（演示）", False),
    ("合格", "", True),
)


def demo_appraisals(*, logins: dict[str, User], school: Institution) -> None:
    """Last year's appraisals of the school's first teachers, entered by the school's clerk,
    approved by the city's reviewer (the level above) except the last."""
    clerk, reviewer = logins["school_clerk"], logins["zhengzhou_reviewer"]
    if EthicsAppraisal.objects.filter(school=school).exists():
        return
    # Last year's teachers first; a small demo school's few teachers get this year's too.
    this_year = clock.today().year
    subjects = [
        (teacher, year)
        for year in (this_year - 1, this_year)
        for teacher in teachers_of(school, year)[: len(RESULTS)]
    ]
    for (teacher, year), (grade, remarks, approved) in zip(subjects, RESULTS, strict=False):
        appraisal = services.ethics_appraisal_enter(
            actor=clerk, teacher=teacher, year=year, grade=grade, remarks=remarks
        )
        appraisal = services.ethics_appraisal_submit(actor=clerk, appraisal=appraisal)
        if approved:
            services.ethics_appraisal_approve(actor=reviewer, appraisal=appraisal)
