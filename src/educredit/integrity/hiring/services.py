"""Writes of hiring checks (入职查询), each audited in its transaction.

``hiring_check_create`` asks the platform (``sanctions.screening.screen`` in the
``staff_hiring`` scenario: the check is logged as a ``ScreeningCheck`` like any check of
non-public credit information) and keeps its answer with the school, the person and the
purpose. ``hiring_check_record_statutory`` records the separate statutory check against the
性侵违法犯罪信息 database, with its attachment (PDF/JPG/PNG through ``core.uploads``, stored
with its SHA-256 like the commitments' scanned letter). A check is complete only when both
parts are there (高检发〔2020〕14号, 教师函〔2023〕1号).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from educredit.accounts.choices import UserRole
from educredit.accounts.models import User
from educredit.audit.services import audit_append
from educredit.core import uploads
from educredit.core.clock import today
from educredit.core.i18n import Bilingual, shown
from educredit.integrity.hiring.choices import (
    STATUTORY_DONE,
    HiringCheckPurpose,
    StatutoryOutcome,
)
from educredit.integrity.hiring.models import HiringCheck
from educredit.sanctions import screening
from educredit.subjects import services as subjects
from educredit.subjects.models import Institution, Person
from educredit.subjects.selectors import institutions_visible_to

SCENARIO = "staff_hiring"
# Who may run a check and record its statutory part: the school's (or bureau's) clerks and
# administrators, who also register an unknown candidate (``subjects.services``).
WRITER_ROLES = (UserRole.CLERK, UserRole.ADMIN)
CHECKED_BY_MAX = 100
REFERENCE_MAX = 100


def may_write(actor: Any, school: Institution) -> bool:
    """Whether ``actor`` may check people for ``school`` (a writer who sees the school)."""
    return (
        isinstance(actor, User)
        and actor.is_active
        and actor.has_role(*WRITER_ROLES)
        and institutions_visible_to(actor).filter(pk=school.pk).exists()
    )


def _require_writer(actor: Any, school: Institution) -> User:
    if not isinstance(actor, User) or not may_write(actor, school):
        raise PermissionDenied(_("无权为该学校办理入职查询"))
    return actor


def _measure_logged(measure: screening.ScreenedMeasure) -> dict[str, Any]:
    """What the check keeps of a measure: what the school was told of it."""
    return {
        "code": measure.code,
        "matter": measure.matter,
        "means": measure.means,
        "legal_basis": measure.legal_basis,
        "verdict": measure.verdict,
        "starts_on": measure.starts_on.isoformat(),
        "ends_on": measure.ends_on.isoformat() if measure.ends_on else None,
    }


def _identifier(
    *, person: Person | None, document_type: str, document_number: str, name: str
) -> screening.ScreeningIdentifier:
    """The identifier screened: the one typed, or a known person's own (read here, never
    shown: the page knows the person by public id and masked number only)."""
    if person is not None:
        document_type = person.document_type
        document_number = subjects.person_document_number(person)
        name = person.name
    if not " ".join(name.split()):
        raise ValidationError({"name": _("请填写姓名")}, code="name")
    try:
        return screening.identifier_from(
            document_type=document_type, document_number=document_number, name=name
        )
    except screening.ScreeningError as exc:
        raise _refused(exc) from exc


def _refused(exc: screening.ScreeningError) -> ValidationError:
    return ValidationError(
        {
            ("document_number" if field == "identifier" else field): shown(message)
            for field, message in exc.errors.items()
        },
        code="identifier",
    )


@transaction.atomic
def hiring_check_create(
    *,
    actor: User,
    school: Institution,
    purpose: str,
    document_type: str = "",
    document_number: str = "",
    name: str = "",
    person: Person | None = None,
    as_of: dt.date | None = None,
) -> HiringCheck:
    """Check a candidate (by document and name) or a current staff member (``person``) for
    ``school``: the ``staff_hiring`` screening answer, logged as a screening check, kept with
    the purpose. A person the platform does not know is registered and answered "no record".
    Nothing is written when the identifier or the purpose is refused. ``as_of``: the day
    the answer is for (today, Beijing, by default)."""
    user = _require_writer(actor, school)
    if purpose not in HiringCheckPurpose.values:
        raise ValidationError({"purpose": _("请选择查询事由")}, code="purpose")
    identifier = _identifier(
        person=person, document_type=document_type, document_number=document_number, name=name
    )
    check = HiringCheck(public_id=uuid.uuid4(), school=school, purpose=purpose)
    try:
        answer = screening.screen(
            caller=user,
            identifier=identifier,
            scenario=SCENARIO,
            reference=f"入职查询 {check.public_id}",
            as_of=as_of,
        )
    except screening.ScreeningError as exc:
        raise _refused(exc) from exc
    if person is None and answer.subject_found:
        logged = screening.screening_checks_of(user).filter(public_id=answer.check_id).first()
        person = logged.person if logged is not None else None
    if person is None:
        person = subjects.person_register(
            actor=user,
            document_type=identifier.document_type,
            id_number=identifier.document_number,
            name=identifier.name,
            source="入职查询",
        ).subject
    check.person = person
    check.checked_on = answer.as_of
    check.created_by = user
    check.verdict = answer.verdict
    check.subject_found = answer.subject_found
    check.name_match = answer.name_match
    check.data_version = answer.receipt.data_version
    check.screening_check = answer.check_id
    check.measures = [_measure_logged(m) for m in answer.measures]
    check.save()
    audit_append(
        actor=user,
        action="integrity_hiring.check_create",
        target=check,
        before=None,
        reason=f"{purpose} {answer.verdict}",
    )
    return check


def _attachment_check(attachment: Any) -> tuple[bytes, str]:
    """The attachment's bytes and SHA-256, once ``core.uploads`` accepts it as a PDF, JPG or
    PNG of allowed size (by its content, not only its name)."""
    try:
        checked = uploads.document_check(attachment)
    except uploads.UploadRefusedError as exc:
        raise ValidationError(
            {"attachment": Bilingual(f"查询结果附件：{exc.zh}", f"the attachment: {exc.en}")},
            code="attachment",
        ) from exc
    handle: IO[bytes] = getattr(attachment, "file", attachment)
    content = handle.read()
    handle.seek(0)
    return content, checked.sha256


@transaction.atomic
def hiring_check_record_statutory(
    *,
    actor: User,
    check: HiringCheck,
    checked_by: str,
    checked_on: dt.date | None,
    outcome: str,
    reference: str = "",
    attachment: Any = None,
) -> HiringCheck:
    """Record the separate statutory check (性侵违法犯罪信息查询): who made it, when (not in
    the future), the outcome, its reference number and the result's attachment (required
    when the check was made). 查询未完成 may be recorded again later; a complete check is
    final. Everything or nothing is written."""
    check = HiringCheck.objects.select_for_update().select_related("school").get(pk=check.pk)
    user = _require_writer(actor, check.school)
    if check.complete:
        raise ValidationError(_("该入职查询已完成，查询记录不能再修改"), code="complete")
    errors: dict[str, Any] = {}
    checked_by = " ".join(checked_by.split())
    reference = " ".join(reference.split())
    if not checked_by:
        errors["checked_by"] = _("请填写查询经办人")
    elif len(checked_by) > CHECKED_BY_MAX:
        errors["checked_by"] = _("查询经办人最多 %(n)d 个字符") % {"n": CHECKED_BY_MAX}
    if checked_on is None:
        errors["checked_on"] = _("请填写查询日期")
    elif checked_on > today():
        errors["checked_on"] = _("查询日期不能晚于今天")
    if outcome not in StatutoryOutcome.values:
        errors["outcome"] = _("请选择查询结果")
    if len(reference) > REFERENCE_MAX:
        errors["reference"] = _("查询编号最多 %(n)d 个字符") % {"n": REFERENCE_MAX}
    if attachment is None and outcome in STATUTORY_DONE:
        errors["attachment"] = _("请上传查询结果附件（PDF、JPG 或 PNG）")
    content, digest = b"", ""
    if attachment is not None:
        try:
            content, digest = _attachment_check(attachment)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors, code="statutory")
    before = check.audit_snapshot()
    old_file = check.statutory_attachment.name if check.statutory_attachment else ""
    check.statutory_checked_by = checked_by
    check.statutory_checked_on = checked_on
    check.statutory_outcome = outcome
    check.statutory_reference = reference
    check.statutory_recorded_by = user
    check.complete = outcome in STATUTORY_DONE
    if content:
        check.statutory_attachment.save(
            str(getattr(attachment, "name", "attachment")), ContentFile(content), save=False
        )
        check.statutory_attachment_sha256 = digest
    try:
        check.save()
        audit_append(
            actor=user,
            action="integrity_hiring.statutory_record",
            target=check,
            before=before,
            reason=outcome,
        )
    except BaseException:
        # The transaction rolls back; the stored file would stay behind with no row naming it.
        if content and check.statutory_attachment:
            check.statutory_attachment.storage.delete(check.statutory_attachment.name)
        raise
    if content and old_file:
        name = old_file
        storage = check.statutory_attachment.storage
        transaction.on_commit(lambda: storage.delete(name))
    return check
