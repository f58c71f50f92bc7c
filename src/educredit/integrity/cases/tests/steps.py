"""What the page tests do again and again: a signed-in client, a case at a given stage, a step
posted through its form on the case page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.urls import reverse

from educredit.core import clock as core_clock
from educredit.integrity.cases import services
from educredit.integrity.cases.choices import CaseSource
from educredit.integrity.cases.models import Case
from educredit.integrity.cases.regimes import BY_CODE

TYPE = BY_CODE["ethics_kindergarten"].misconduct_types[3]
FACTS = "经调取监控，赵老师于午睡时间推搡幼儿一次。"
REASONS = "属于不尊重幼儿人格、推搡幼儿的行为。"
BASIS = "《幼儿园教师违反职业道德行为处理办法》第四条"


def signed_in(user: Any, language: str = "zh-hans") -> Client:
    client = Client()
    client.force_login(user)
    if language == "en":
        client.cookies["django_language"] = "en"
    return client


def ago(days: int) -> dt.date:
    return core_clock.today() - dt.timedelta(days=days)


def open_case(clerk: Any, teacher: Any, kindergarten: Any, *, days_ago: int = 10) -> Case:
    return services.case_open(
        actor=clerk,
        regime_code="ethics_kindergarten",
        person=teacher,
        institution=kindergarten,
        source=CaseSource.REPORT,
        reporter="幼儿家长（实名）",
        reported_on=ago(days_ago),
        allegation="在午睡时间推搡幼儿",
    )


def accepted(clerk: Any, teacher: Any, kindergarten: Any) -> Case:
    return services.case_accept(actor=clerk, case=open_case(clerk, teacher, kindergarten))


def notified(clerk: Any, teacher: Any, kindergarten: Any) -> Case:
    return services.case_notify(
        actor=clerk,
        case=accepted(clerk, teacher, kindergarten),
        facts=FACTS,
        reasons=REASONS,
        basis=BASIS,
        intended=[{"kind": "warning"}],
        misconduct_type=TYPE,
    )


def heard(clerk: Any, teacher: Any, kindergarten: Any) -> Case:
    """Notified, and the clerk has recorded the teacher's defence given on paper."""
    case = notified(clerk, teacher, kindergarten)
    return services.case_defend(actor=clerk, case=case, text="我已向家长道歉。")


def post_step(client: Client, case: Case, action: str, **fields: Any) -> Any:
    """Post one step's form as the case page renders it (fields carry the form's prefix)."""
    data = {"action": action}
    data.update({f"{action}-{name}": value for name, value in fields.items()})
    return client.post(reverse("integrity_cases:step", args=[case.public_id]), data)


def detail_url(case: Case) -> str:
    return reverse("integrity_cases:detail", args=[case.public_id])
