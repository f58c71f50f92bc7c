"""Authorised queries (授权查询, Henan §18, §22): a subject lets a named third party read their
credit report for a stated purpose, for a limited time and number of uses.

The subject grants from the self-service pages and receives a code shown once (only its
digest is kept); the third party types the code and its own name on the public "authorised
report" page, which redeems the authorisation and issues the report. Every grant, revocation
and use is audited, and each report issued under it is a query-log row (mode 授权查询).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from educredit.accounts.models import User
from educredit.audit.services import audit_append
from educredit.core import clock
from educredit.rights.choices import AuthorisationStatus
from educredit.rights.models import Authorisation
from educredit.rights.self_service import code_digest, new_code, subject_of

# An authorisation is a consent for a specific use, not a standing one: a year at most.
MAX_VALIDITY_DAYS = 366
MAX_USES = 20


def _same_name(a: str, b: str) -> bool:
    """Names compared as a person would: spaces and full/half-width brackets ignored."""

    def clean(name: str) -> str:
        return "".join(name.split()).replace("（", "(").replace("）", ")").casefold()

    return bool(clean(a)) and clean(a) == clean(b)


def authorisations_of(user: User) -> QuerySet[Authorisation]:
    """The authorisations a subject user has granted, newest first."""
    return Authorisation.objects.filter(**subject_of(user).filter_kwargs()).order_by(
        "-created_at", "-pk"
    )


@transaction.atomic
def authorisation_grant(
    *,
    actor: User,
    grantee_name: str,
    grantee_uscc: str = "",
    purpose: str,
    valid_until: dt.date,
    max_uses: int = 1,
) -> tuple[Authorisation, str]:
    """Grant a third party the right to read the actor's (a subject user's) credit report;
    returns the authorisation and its code, shown once."""
    subject = subject_of(actor)
    grantee_name = " ".join(grantee_name.split())
    purpose = " ".join(purpose.split())
    today = clock.today()
    errors: dict[str, str] = {}
    if not grantee_name:
        errors["grantee_name"] = _("请填写被授权方名称")
    if not purpose:
        errors["purpose"] = _("请填写授权用途")
    if valid_until < today or valid_until > today + dt.timedelta(days=MAX_VALIDITY_DAYS):
        errors["valid_until"] = _("有效期须在今天至一年之内")
    if not 1 <= max_uses <= MAX_USES:
        errors["max_uses"] = _("可用次数须在1至20之间")
    if errors:
        raise ValidationError(errors)
    code = new_code()
    authorisation = Authorisation.objects.create(
        **subject.filter_kwargs(),
        grantee_name=grantee_name[:200],
        grantee_uscc=grantee_uscc.strip().upper()[:18],
        purpose=purpose[:300],
        code_digest=code_digest(code),
        valid_from=today,
        valid_until=valid_until,
        max_uses=max_uses,
        granted_by=actor,
        created_at=clock.now(),
    )
    audit_append(
        actor=actor, action="rights.authorisation_grant", target=authorisation, before=None
    )
    return authorisation, code


@transaction.atomic
def authorisation_revoke(*, actor: User, authorisation: Authorisation) -> Authorisation:
    """Revoke one of the actor's own authorisations (no further use)."""
    subject = subject_of(actor)
    locked = Authorisation.objects.select_for_update().get(pk=authorisation.pk)
    if locked.person_id != getattr(subject.person, "pk", None) or locked.institution_id != getattr(
        subject.institution, "pk", None
    ):
        raise PermissionDenied(_("无权操作"))
    if locked.status == AuthorisationStatus.REVOKED:
        return locked
    before = locked.audit_snapshot()
    locked.status = AuthorisationStatus.REVOKED
    locked.save(update_fields=["status"])
    audit_append(actor=actor, action="rights.authorisation_revoke", target=locked, before=before)
    return locked


@transaction.atomic
def authorisation_redeem(*, code: str, grantee_name: str) -> Authorisation:
    """Use an authorisation once: the code must be active, in date, not used up, and typed
    with the grantee's name as the subject gave it. Raises ValidationError otherwise (one
    message for every failure, so the page does not tell which part of a guess was right)."""
    invalid = ValidationError(_("授权码无效、已过期、已用完或与被授权方名称不符"))
    authorisation = (
        # ``of``: PostgreSQL cannot lock the nullable side of the subject joins.
        Authorisation.objects.select_for_update(of=("self",))
        .select_related("person", "institution")
        .filter(code_digest=code_digest(code))
        .first()
    )
    today = clock.today()
    if (
        authorisation is None
        or authorisation.status != AuthorisationStatus.ACTIVE
        or not authorisation.valid_from <= today <= authorisation.valid_until
        or authorisation.uses >= authorisation.max_uses
        or not _same_name(grantee_name, authorisation.grantee_name)
    ):
        raise invalid
    before = authorisation.audit_snapshot()
    authorisation.uses += 1
    authorisation.save(update_fields=["uses"])
    audit_append(
        actor=f"grantee:{authorisation.grantee_name}"[:120],
        action="rights.authorisation_redeem",
        target=authorisation,
        before=before,
    )
    return authorisation
