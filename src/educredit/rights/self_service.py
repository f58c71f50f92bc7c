"""Self-service accounts of credit subjects (信用主体自助服务): opened by staff, activated by
the subject with a one-time code, and the one way subject-facing code finds "my" subject.

A subject signs in through the same sign-in page as staff (same throttling); the account's
user has no organisation, so no staff rule ever admits it, and ``access_subject`` admits only
it (``accounts.permissions.is_subject_user``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from educredit.accounts.models import User
from educredit.audit.services import audit_append
from educredit.core import clock
from educredit.rights.models import SubjectAccount
from educredit.subjects.choices import QueryKind, QueryMode
from educredit.subjects.models import Institution, Person
from educredit.subjects.query_log import query_log_write

# How long an activation code can be used after staff open the account.
ACTIVATION_DAYS = 30
# Characters of activation codes: no 0/O or 1/I/L to misread on a letter.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def code_digest(code: str) -> str:
    """SHA-256 of a one-time code as typed (spaces and dashes ignored, case folded)."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(cleaned.encode()).hexdigest()


def new_code(groups: int = 3) -> str:
    """A random code in groups of four characters (``ABCD-EFGH-JKLM``): about 60 bits."""
    return "-".join(
        "".join(secrets.choice(_CODE_ALPHABET) for _ in range(4)) for _ in range(groups)
    )


@dataclass(frozen=True)
class Subject:
    """The subject an account stands for: exactly one of ``person`` and ``institution``."""

    person: Person | None
    institution: Institution | None

    @property
    def name(self) -> str:
        return str(self.person.name if self.person is not None else self.institution.name)  # type: ignore[union-attr]

    def filter_kwargs(self) -> dict[str, Any]:
        """``person=…`` or ``institution=…``, for querysets of models keyed by subject."""
        if self.person is not None:
            return {"person": self.person}
        return {"institution": self.institution}


def self_read_log(
    user: Any,
    subject: Subject,
    *,
    purpose: str,
    fields: tuple[str, ...],
    route: str,
    kind: str = QueryKind.VIEW,
) -> None:
    """Log a self-service page's read of the subject's own information (本人查询), which
    "who looked at me" leaves out but the log keeps like every other read."""
    query_log_write(
        reader=user,
        purpose=purpose,
        mode=QueryMode.SELF,
        kind=kind,
        fields=fields,
        route=route,
        persons=[subject.person] if subject.person else [],
        institutions=[subject.institution] if subject.institution else [],
    )


def subject_of(user: Any) -> Subject:
    """The subject a signed-in subject user stands for (PermissionDenied for anyone else)."""
    account = getattr(user, "subject_account", None)
    if (
        account is None
        or getattr(user, "organisation_id", None) is not None
        or not account.is_active
        or account.activated_at is None
    ):
        raise PermissionDenied(_("仅限信用主体本人使用"))
    return Subject(person=account.person, institution=account.institution)


@transaction.atomic
def subject_account_open(
    *, actor: User, person: Person | None = None, institution: Institution | None = None
) -> tuple[SubjectAccount, str]:
    """Open (or re-issue the code of) a subject's account; returns it with the one-time code.

    The actor must see the subject. An account already activated gets a new code only to
    reset its password (the code is shown once and never stored in clear).
    """
    if (person is None) == (institution is None):
        raise ValidationError(_("请指定一个信用主体"))
    if actor.organisation is None:
        raise PermissionDenied(_("无权操作"))
    visible = (
        Person.objects.visible_to(actor).filter(pk=person.pk)
        if person is not None
        else Institution.objects.visible_to(actor).filter(pk=institution.pk)  # type: ignore[union-attr]
    )
    if not visible.exists():
        raise PermissionDenied(_("该主体不在您的管辖范围内"))
    code = new_code()
    now = clock.now()
    account = (
        SubjectAccount.objects.select_for_update()
        .filter(person=person, institution=institution)
        .first()
    )
    before = account.audit_snapshot() if account is not None else None
    if account is None:
        account = SubjectAccount(person=person, institution=institution, opened_at=now)
    account.opened_by = actor
    account.activation_digest = code_digest(code)
    account.activation_expires_at = now + dt.timedelta(days=ACTIVATION_DAYS)
    account.is_active = True
    account.save()
    audit_append(
        actor=actor,
        action="rights.subject_account_open"
        if before is None
        else "rights.subject_account_reissue",
        target=account,
        before=before,
    )
    return account, code


@transaction.atomic
def subject_account_activate(*, code: str, username: str, password: str) -> SubjectAccount:
    """Activate an account with its one-time code: choose a username and password.

    A re-issued code on an activated account sets a new password for the same user.
    """
    account = (
        # ``of``: PostgreSQL cannot lock the nullable side of the outer joins.
        SubjectAccount.objects.select_for_update(of=("self",))
        .select_related("user", "person", "institution")
        .filter(activation_digest=code_digest(code), is_active=True)
        .first()
    )
    now = clock.now()
    if (
        account is None
        or not account.activation_digest
        or account.activation_expires_at is None
        or account.activation_expires_at < now
    ):
        raise ValidationError({"code": _("激活码无效或已过期")})
    before = account.audit_snapshot()
    user = account.user
    user_before = user.audit_snapshot() if user is not None else None
    username = username.strip()
    if user is None:
        if not username:
            raise ValidationError({"username": _("请填写用户名")})
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": _("用户名已被使用")})
        subject = account.person or account.institution
        user = User(username=username, full_name=str(subject), organisation=None)
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.is_active = True
    user.save()
    audit_append(
        actor=user,
        action="rights.subject_user_create" if user_before is None else "rights.subject_user_reset",
        target=user,
        before=user_before,
    )
    account.user = user
    account.activation_digest = ""
    account.activation_expires_at = None
    account.activated_at = account.activated_at or now
    account.save()
    audit_append(
        actor=user, action="rights.subject_account_activate", target=account, before=before
    )
    return account


def subject_account_for(
    *, person: Person | None = None, institution: Institution | None = None
) -> SubjectAccount | None:
    """The self-service account of a subject, if one was opened."""
    return (
        SubjectAccount.objects.filter(person=person, institution=institution)
        .select_related("user")
        .first()
    )
