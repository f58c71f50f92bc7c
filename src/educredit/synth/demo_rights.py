"""The demo's credit subjects with self-service accounts (issue 6's walk): the training
institution, with a penalty old enough to be repaired, and a teacher with an effective record.

Idempotent like the rest of the demo: an account already activated is left as it is.
"""

from __future__ import annotations

import datetime

from educredit.accounts.models import User
from educredit.catalog.selectors import catalog_item_by_code
from educredit.core.clock import today
from educredit.records import services as records_services
from educredit.records.choices import CreditRecordStatus
from educredit.records.demo_data import ISSUER_USCC, demo_payload
from educredit.records.models import CreditRecord
from educredit.rights.self_service import (
    subject_account_activate,
    subject_account_for,
    subject_account_open,
)
from educredit.subjects.models import Institution, Person

TRAINING_LOGIN = "mingli_credit"
TEACHER_LOGIN = "teacher_demo"
# The training institution's penalty: 一般失信, decided long enough ago that the minimum
# disclosure period (three months) is over and it can be repaired.
PENALTY_ITEM = "JY-CF-02"
PENALTY_NUMBER = "中原教罚〔2026〕演示修复1号"
PENALTY_AGE_DAYS = 150


def demo_subject_accounts(
    *,
    clerk: User,
    reviewer: User,
    training: Institution,
    teachers: list[Person],
    password: str,
) -> list[tuple[str, str]]:
    """Accounts for the training institution and a teacher with a record: (username, who)."""
    _repairable_penalty(clerk=clerk, reviewer=reviewer, training=training)
    made = [(_account(clerk, TRAINING_LOGIN, password, institution=training), training.name)]
    teacher = _teacher_with_record(teachers)
    if teacher is not None:
        made.append((_account(clerk, TEACHER_LOGIN, password, person=teacher), teacher.name))
    return made


def _account(
    clerk: User,
    username: str,
    password: str,
    *,
    person: Person | None = None,
    institution: Institution | None = None,
) -> str:
    account = subject_account_for(person=person, institution=institution)
    if account is not None and account.user is not None:
        return account.user.username
    _account_row, code = subject_account_open(actor=clerk, person=person, institution=institution)
    activated = subject_account_activate(code=code, username=username, password=password)
    return activated.user.username if activated.user is not None else username


def _repairable_penalty(*, clerk: User, reviewer: User, training: Institution) -> None:
    decided = today() - datetime.timedelta(days=PENALTY_AGE_DAYS)
    item = catalog_item_by_code(PENALTY_ITEM, decided)
    if item is None or CreditRecord.objects.filter(decision_number=PENALTY_NUMBER).exists():
        return
    record = records_services.credit_record_create(
        actor=clerk,
        catalog_item=item,
        institution=training,
        title="超出核准范围开展学科类培训（演示）",
        decision_number=PENALTY_NUMBER,
        issuing_body=clerk.organisation.name if clerk.organisation else "",
        issuing_body_uscc=ISSUER_USCC,
        decision_date=decided,
        payload=demo_payload(item, decided, training),
    )
    record = records_services.credit_record_submit(actor=clerk, record=record)
    records_services.credit_record_approve(actor=reviewer, record=record)


def _teacher_with_record(teachers: list[Person]) -> Person | None:
    with_record = (
        CreditRecord.objects.filter(person__in=teachers, status=CreditRecordStatus.EFFECTIVE)
        .order_by("pk")
        .values_list("person_id", flat=True)
        .first()
    )
    if with_record is not None:
        return next(t for t in teachers if t.pk == with_record)
    return teachers[0] if teachers else None
