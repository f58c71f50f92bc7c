"""A credit record's trail as staff read it: who did what, in officials' words (ADR 0033).

``AUDIT_PHRASES`` is the one mapping from the audit action codes written for a credit record
(``records.<action>`` by the services, ``credit_record.window_recompute`` by the window job) to
a sentence naming the actor: "由张三审核通过". Codes, account labels, sequence numbers and hashes
are technical detail that the record page shows to administrators only
(``web.plain_words.sees_technical_detail``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, pgettext

from educredit.audit.models import AuditEntry
from educredit.audit.selectors import audit_entries_for
from educredit.records import selectors
from educredit.records.models import CreditRecord, CreditRecordTransition

SYSTEM_PREFIX = "system:"
API_PREFIX = "api:"

AUDIT_PHRASES: dict[str, Promise] = {
    "records.create": gettext_lazy("由%(actor)s录入"),
    "records.update": gettext_lazy("由%(actor)s修改草稿"),
    "records.correct": gettext_lazy("由%(actor)s更正"),
    "records.submit": gettext_lazy("由%(actor)s提交审核"),
    "records.approve": gettext_lazy("由%(actor)s审核通过"),
    "records.return": gettext_lazy("由%(actor)s退回修改"),
    "records.revoke": gettext_lazy("由%(actor)s撤销"),
    "records.mark_objection": gettext_lazy("由%(actor)s标记为异议中"),
    "records.clear_objection": gettext_lazy("异议办结，由%(actor)s恢复生效"),
    "records.mark_repaired": gettext_lazy("由%(actor)s确认信用修复"),
    "records.restore_after_breach": gettext_lazy("违背信用修复承诺，由%(actor)s恢复公示"),
    "records.expire": gettext_lazy("公示期届满，由%(actor)s撤下公示"),
    "records.flag_minor": gettext_lazy("由%(actor)s标记为未成年时作出的记录（永不公开）"),
    "credit_record.window_recompute": gettext_lazy("由%(actor)s重新计算公示期"),
}
# An entry whose code has no phrase yet still reads as a sentence, never as its code.
OTHER_ACTION = gettext_lazy("由%(actor)s办理")


def actor_name(user: Any, label: str) -> str:
    """Who acted, as staff say it: the person's name; 系统 for jobs and commands, 业务系统 for
    API clients (their account labels, ``system:daily`` or ``api:<key prefix>``, are detail)."""
    if user is not None:
        return str(user)
    if label.startswith(SYSTEM_PREFIX):
        return pgettext("actor", "系统")
    if label.startswith(API_PREFIX):
        return pgettext("actor", "业务系统（接口）")
    return label


def audit_phrase(action: str, actor: str) -> str:
    """The sentence for an audit entry of ``action`` taken by ``actor`` (a display name)."""
    return str(AUDIT_PHRASES.get(action, OTHER_ACTION)) % {"actor": actor}


@dataclass(frozen=True)
class AuditLine:
    """One audit entry of the record with its sentence."""

    entry: AuditEntry
    text: str

    @property
    def action(self) -> str:
        return self.entry.action


@dataclass(frozen=True)
class HistoryLine:
    """One status change of the record with who made it."""

    step: CreditRecordTransition
    actor: str


def record_trail(record: CreditRecord) -> dict[str, Any]:
    """The record page's status history and audit trail (its context entries)."""
    entries = audit_entries_for(record).select_related("actor", "sequenced")
    return {
        "history": [
            HistoryLine(step, actor_name(step.actor, step.actor_label))
            for step in selectors.credit_record_history(record)
        ],
        "audit_entries": [
            AuditLine(entry, audit_phrase(entry.action, actor_name(entry.actor, entry.actor_label)))
            for entry in entries
        ],
    }
