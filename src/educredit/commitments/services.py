"""Writing credit commitments: the matter list and template editions, signing and declining.

Every write is one audited, atomic service. The editions follow the shared base
(``editions.Edition``): drafts are edited, a published edition is never changed, and publishing
retires the edition published before from the new date. (A thin publish of this app's own until
the shared ``editions.services.edition_publish`` lands; then it switches.)

Signing (``commitment_sign``) freezes the text shown with its SHA-256, gives the commitment its
承诺编码 (``codes``) and records it as a JY-CN-01 credit record through ``records.services`` in
the same transaction, with both state fields of the standard. A minor's commitment (a matter
that concerns minors, or a person under 18 on the day) needs a guardian's co-signature and gets
no credit record: minors are not credit subjects (Henan §3), so nothing is published, sent to
the platform or screened.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from educredit.accounts.models import ApiClient, Organisation, User
from educredit.audit.services import audit_append
from educredit.catalog.selectors import catalog_item_by_code
from educredit.catalog.services import catalog_editor, catalog_version_seed
from educredit.commitments import codes, letters
from educredit.commitments.checks.online import clause_problems
from educredit.commitments.checks.verification import verification_plan_commitment
from educredit.commitments.choices import (
    CommitmentChannel,
    CommitmentDecision,
    CommitmentFulfilment,
    CommitmentSupervisionState,
    CommitmentType,
    MatterCheckMethod,
    MatterCheckScope,
    OnlineClauseKind,
    PublicationType,
)
from educredit.commitments.models import (
    Commitment,
    CommitmentTemplate,
    Matter,
    MatterListVersion,
    TemplateVersion,
)
from educredit.commitments.sharing import commitment_share
from educredit.core import clock, crypto, uploads
from educredit.core.i18n import Bilingual
from educredit.editions.models import Edition
from educredit.editions.selectors import edition_in_force
from educredit.editions.services import edition_create, edition_publish, edition_require_draft
from educredit.records import services as records
from educredit.records.choices import CreditRecordSource
from educredit.subjects.models import Institution, Person

Actor = Any

COMMITMENT_ITEM = "JY-CN-01"
ADULT_AGE = 18


def bilingual(zh: str, en: str) -> Bilingual:
    """A message in both languages (for the API and views that refuse before a service)."""
    return Bilingual(zh, en)


class CommitmentError(ValueError):
    """A commitment write refused for its content; ``errors`` maps fields to bilingual
    messages (nothing was written)."""

    def __init__(self, errors: dict[str, Bilingual] | Bilingual) -> None:
        if not isinstance(errors, dict):
            errors = {"": errors}
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class CommitmentConflictError(CommitmentError):
    """A business system's reference already names a commitment with different content."""


# --- editions -----------------------------------------------------------------------------


def _require_editor(actor: Actor) -> None:
    if not catalog_editor(actor):
        raise PermissionDenied(
            Bilingual(
                "只有省教育厅管理员可以修改信用承诺事项清单和承诺书模板",
                "only provincial administrators may change the commitment matters and templates",
            )
        )


DRAFT_ONLY = Bilingual("只能修改草稿版本", "only a draft edition can be changed")
EMPTY = Bilingual("不能发布空的版本", "an empty edition cannot be published")


def _require_draft(version: Edition) -> None:
    edition_require_draft(version, DRAFT_ONLY)


@transaction.atomic
def matter_list_version_create(
    *, actor: Actor, title: str, effective_from: datetime.date, notes: str = ""
) -> MatterListVersion:
    """A new draft edition of the matter list (empty)."""
    _require_editor(actor)
    return edition_create(
        model=MatterListVersion,
        actor=actor,
        action_prefix="commitments.matter_list",
        title=title,
        effective_from=effective_from,
        notes=notes,
    )


def _choice(value: str, choices: type[Any], field: str, zh: str, en: str) -> str:
    if value not in choices.values:
        allowed = "、".join(str(v) for v in choices.values if v)
        raise CommitmentError(
            {
                field: Bilingual(
                    f"{zh}无效：{value!r}（可选：{allowed}）", f"invalid {en}: {value!r}"
                )
            }
        )
    return value


def _scenario_codes() -> set[str]:
    from educredit.sanctions.selectors import scenarios

    return set(scenarios().values_list("code", flat=True))


def _matter_clean(attributes: dict[str, Any]) -> dict[str, Any]:
    """Checked matter attributes (every problem a ``CommitmentError``)."""
    cleaned = dict(attributes)
    for field, zh in (
        ("code", "事项编码"),
        ("name", "事项名称"),
        ("accepting_body", "受理单位"),
        ("template_code", "承诺书模板"),
        ("breach_measures", "违诺处理措施"),
        ("legal_basis", "依据"),
    ):
        cleaned[field] = str(cleaned.get(field) or "").strip()
        if not cleaned[field]:
            raise CommitmentError({field: Bilingual(f"{zh}为必填项", f"{field} is required")})
    _choice(cleaned["commitment_type"], CommitmentType, "commitment_type", "承诺类型", "type")
    _choice(cleaned["check_method"], MatterCheckMethod, "check_method", "核查方式", "check method")
    _choice(
        cleaned.get("check_scope", "full"), MatterCheckScope, "check_scope", "核查范围", "scope"
    )
    _choice(
        cleaned.get("online_clause", ""),
        OnlineClauseKind,
        "online_clause",
        "网络核验条款",
        "clause",
    )
    clause = str(cleaned.get("online_clause") or "")
    if clause:
        problems = clause_problems(clause, dict(cleaned.get("online_parameters") or {}))
        if problems:
            raise CommitmentError({"online_parameters": problems[0]})
    _choice(
        cleaned["publication_type"], PublicationType, "publication_type", "公开类型", "publication"
    )
    scenario = str(cleaned.get("scenario") or "")
    if scenario and scenario not in _scenario_codes():
        raise CommitmentError(
            {"scenario": Bilingual(f"未知的业务场景：{scenario}", f"unknown scenario: {scenario}")}
        )
    rate = int(cleaned.get("sample_rate", 100))
    if not 1 <= rate <= 100:
        raise CommitmentError(
            {"sample_rate": Bilingual("抽查比例应为 1–100", "the sample rate is 1 to 100 (%)")}
        )
    online = cleaned.get("check_method") == MatterCheckMethod.ONLINE
    if online != bool(cleaned.get("online_clause")):
        raise CommitmentError(
            {
                "online_clause": Bilingual(
                    "网络核验的事项须且仅须填写网络核验条款",
                    "a clause is given exactly when the check method is 网络核验",
                )
            }
        )
    if cleaned["breach_item_code"] and catalog_item_by_code(cleaned["breach_item_code"]) is None:
        raise CommitmentError(
            {
                "breach_item_code": Bilingual(
                    f"现行目录中没有条目 {cleaned['breach_item_code']}",
                    f"no item {cleaned['breach_item_code']} in the catalog in force",
                )
            }
        )
    return cleaned


@transaction.atomic
def matter_create(*, actor: Actor, version: MatterListVersion, **attributes: Any) -> Matter:
    """A matter in a draft edition of the matter list."""
    _require_editor(actor)
    version = MatterListVersion.objects.select_for_update().get(pk=version.pk)
    _require_draft(version)
    cleaned = _matter_clean(attributes)
    if version.matters.filter(code=cleaned["code"]).exists():
        raise CommitmentError(
            {
                "code": Bilingual(
                    f"事项编码重复：{cleaned['code']}", f"duplicate code {cleaned['code']}"
                )
            }
        )
    found = Matter.objects.create(version=version, **cleaned)
    audit_append(actor=actor, action="commitments.matter_create", target=found, before=None)
    return found


@transaction.atomic
def matter_list_version_publish(
    *, actor: Actor, version: MatterListVersion, effective_from: datetime.date, reason: str = ""
) -> MatterListVersion:
    """Publish a draft matter list from ``effective_from``; every matter's template must exist
    in the template edition in force on that day."""
    in_force = edition_in_force(TemplateVersion, effective_from)
    known = set(in_force.templates.values_list("code", flat=True)) if in_force else set()
    missing = sorted(set(version.matters.values_list("template_code", flat=True)) - known)
    if missing:
        raise ValidationError(
            Bilingual(
                f"施行日现行的模板中没有：{'、'.join(missing)}",
                f"no template {', '.join(missing)} in force on the effective date",
            ),
            code="missing_template",
        )
    _require_editor(actor)
    return edition_publish(
        actor=actor,
        edition=version,
        rows=version.matters.all(),
        action_prefix="commitments.matter_list",
        empty_message=EMPTY,
        draft_message=DRAFT_ONLY,
        effective_from=effective_from,
        reason=reason,
    )


@transaction.atomic
def template_version_create(
    *, actor: Actor, title: str, effective_from: datetime.date, notes: str = ""
) -> TemplateVersion:
    """A new draft edition of the templates (empty)."""
    _require_editor(actor)
    return edition_create(
        model=TemplateVersion,
        actor=actor,
        action_prefix="commitments.templates",
        title=title,
        effective_from=effective_from,
        notes=notes,
    )


def _template_texts(attributes: dict[str, Any]) -> dict[str, str]:
    texts = {
        field: str(attributes.get(field) or "") for field, _zh, _en in letters.TEMPLATE_TEXT_FIELDS
    }
    try:
        letters.template_texts_check(texts, title=str(attributes.get("title") or ""))
    except letters.TemplateTextError as exc:
        raise CommitmentError(dict(exc.errors)) from exc
    return texts


@transaction.atomic
def template_create(
    *, actor: Actor, version: TemplateVersion, code: str, title: str, **texts: Any
) -> CommitmentTemplate:
    """A template in a draft edition; refused (nothing written) if a text is empty or names an
    unknown placeholder."""
    _require_editor(actor)
    version = TemplateVersion.objects.select_for_update().get(pk=version.pk)
    _require_draft(version)
    code, title = code.strip(), title.strip()
    if not code or not title:
        raise CommitmentError(Bilingual("模板编码和标题为必填项", "code and title are required"))
    cleaned = _template_texts({"title": title, **texts})
    if version.templates.filter(code=code).exists():
        raise CommitmentError(
            {"code": Bilingual(f"模板编码重复：{code}", f"duplicate code {code}")}
        )
    found = CommitmentTemplate.objects.create(version=version, code=code, title=title, **cleaned)
    audit_append(actor=actor, action="commitments.template_create", target=found, before=None)
    return found


@transaction.atomic
def template_update(
    *, actor: Actor, template: CommitmentTemplate, title: str | None = None, **texts: Any
) -> CommitmentTemplate:
    """Change a template of a draft edition (same checks as ``template_create``)."""
    _require_editor(actor)
    template = CommitmentTemplate.objects.select_for_update().get(pk=template.pk)
    _require_draft(template.version)
    before = template.audit_snapshot()
    current = {field: getattr(template, field) for field, _zh, _en in letters.TEMPLATE_TEXT_FIELDS}
    new_title = (title if title is not None else template.title).strip()
    cleaned = _template_texts({"title": new_title, **current, **texts})
    template.title = new_title
    for field, value in cleaned.items():
        setattr(template, field, value)
    template.save()
    audit_append(actor=actor, action="commitments.template_update", target=template, before=before)
    return template


@transaction.atomic
def template_version_publish(
    *, actor: Actor, version: TemplateVersion, effective_from: datetime.date, reason: str = ""
) -> TemplateVersion:
    """Publish a draft template edition from ``effective_from``."""
    _require_editor(actor)
    return edition_publish(
        actor=actor,
        edition=version,
        rows=version.templates.all(),
        action_prefix="commitments.templates",
        empty_message=EMPTY,
        draft_message=DRAFT_ONLY,
        effective_from=effective_from,
        reason=reason,
    )


@transaction.atomic
def template_seed(*, actor: Actor) -> TemplateVersion:
    """Load the shipped templates (``commitments.data``) as edition 1; idempotent."""
    from educredit.commitments import data

    existing = TemplateVersion.objects.order_by("number").first()
    if existing is not None:
        return existing
    version = template_version_create(
        actor=actor,
        title=data.TEMPLATES_TITLE,
        effective_from=data.EFFECTIVE,
        notes=data.TEMPLATES_NOTES,
    )
    for attributes in data.TEMPLATES:
        template_create(actor=actor, version=version, **attributes)
    return template_version_publish(
        actor=actor,
        version=version,
        effective_from=data.EFFECTIVE,
        reason="随系统发布的承诺书模板第 1 版 / templates edition 1 as shipped",
    )


@transaction.atomic
def matter_list_seed(*, actor: Actor) -> MatterListVersion:
    """Load the shipped matter list and its templates (``commitments.data``) as edition 1 of
    each; idempotent. Seeds the shipped catalog and measure list first (the breach item and the
    scenarios are theirs)."""
    from educredit.commitments import data
    from educredit.sanctions.services import measure_list_seed

    catalog_version_seed(actor=actor)
    measure_list_seed(actor=actor)
    template_seed(actor=actor)
    existing = MatterListVersion.objects.order_by("number").first()
    if existing is not None:
        return existing
    version = matter_list_version_create(
        actor=actor,
        title=data.MATTER_LIST_TITLE,
        effective_from=data.EFFECTIVE,
        notes=data.MATTER_LIST_NOTES,
    )
    for attributes in data.MATTERS:
        matter_create(actor=actor, version=version, **attributes)
    return matter_list_version_publish(
        actor=actor,
        version=version,
        effective_from=data.EFFECTIVE,
        reason="随系统发布的信用承诺事项清单第 1 版 / matter list edition 1 as shipped",
    )


# --- signing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignOutcome:
    """A signing's commitment, and whether this call created it (an API repeat does not)."""

    commitment: Commitment
    created: bool


def _beijing_today() -> datetime.date:
    """The Beijing date now (the code's date part is the date of signing in Beijing)."""
    return clock.today()


def _is_minor(person: Person | None, day: datetime.date) -> bool:
    if person is None or person.birth_date is None:
        return False
    born = person.birth_date
    age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return age < ADULT_AGE


def _accepting_body(actor: Actor, accepting_organisation: Organisation | None) -> Organisation:
    """The accepting body: the staff's or system's own organisation, or one it covers."""
    own = getattr(actor, "organisation", None)
    chosen = accepting_organisation or own
    if chosen is None:
        raise CommitmentError(
            {"accepting_organisation": Bilingual("须指定承诺受理单位", "choose the accepting body")}
        )
    if own is not None and not own.covers(chosen):
        raise PermissionDenied(
            Bilingual(
                "受理单位不在您的管辖范围内", "the accepting body is outside your jurisdiction"
            )
        )
    if len(chosen.region_code or "") != 6 or not chosen.region_code.isdigit():
        raise CommitmentError(
            {
                "accepting_organisation": Bilingual(
                    f"受理单位“{chosen.name}”未登记 6 位行政区划代码，无法生成承诺编码",
                    f"the accepting body {chosen.name} has no 6-digit region code for the code",
                )
            }
        )
    return chosen


def _scan_check(scan: Any) -> tuple[bytes, str]:
    """The scanned paper letter's bytes and SHA-256, once ``core.uploads`` accepts it as a
    PDF, JPG or PNG of allowed size (by its content, not only its name)."""
    try:
        checked = uploads.document_check(scan)
    except uploads.UploadRefusedError as exc:
        raise CommitmentError(
            {"scan": Bilingual(f"纸质承诺书扫描件：{exc.zh}", f"the scanned letter: {exc.en}")}
        ) from exc
    handle: IO[bytes] = getattr(scan, "file", scan)
    content = handle.read()
    handle.seek(0)
    return content, checked.sha256


def _request_digest(content: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(content, ensure_ascii=False, sort_keys=True, default=str).encode()
    ).hexdigest()


def _matter_check(matter: Matter, day: datetime.date) -> None:
    from educredit.commitments.selectors import matter_is_in_force

    if not matter_is_in_force(matter, day):
        raise CommitmentError(
            {
                "matter": Bilingual(
                    f"事项“{matter.name}”不在现行信用承诺事项清单中（已废止或未发布），不能作出承诺",
                    f"the matter {matter.code} is not in the matter list in force "
                    "(retired or unpublished): no commitment can be made in it",
                )
            }
        )


def _guardian(*, needed: bool, guardian_name: str, guardian_document: str) -> dict[str, str]:
    name = " ".join(guardian_name.split())
    document = crypto.normalise_document_number(guardian_document or "")
    if not needed:
        if name or document:
            raise CommitmentError(
                {"guardian": Bilingual("该事项不需要监护人签署", "this matter takes no guardian")}
            )
        return {}
    if not name or not document:
        raise CommitmentError(
            {
                "guardian": Bilingual(
                    "涉及未成年人的承诺须由监护人共同签署（姓名和证件号码）",
                    "a minor's commitment needs the guardian's co-signature (name and document)",
                )
            }
        )
    return {
        "guardian_name": name,
        "guardian_document_cipher": crypto.encrypt_text(document),
        "guardian_document_index": crypto.blind_index(document, purpose="guardian"),
        "guardian_document_masked": crypto.mask_document_number(document),
    }


def commitment_record(
    *,
    recorder: Actor,
    commitment: Commitment,
    letter: letters.RenderedLetter,
    approver: User | None = None,
) -> Any:
    """The commitment's JY-CN-01 record (every field of the standard), submitted, and approved
    by ``approver`` or when the recorder may review (the item needs no second person). A
    ``system:`` recorder records on the accepting body's behalf."""
    day = commitment.signed_on
    item = catalog_item_by_code(COMMITMENT_ITEM, day)
    if item is None:
        raise CommitmentError(
            Bilingual("现行目录中没有信用承诺信息条目 JY-CN-01", "no item JY-CN-01 in force")
        )
    body = commitment.accepting_organisation
    if not body.uscc:
        raise CommitmentError(
            {
                "accepting_organisation": Bilingual(
                    f"受理单位“{body.name}”未登记统一社会信用代码（信用承诺信息的必填项）",
                    f"the accepting body {body.name} has no credit code (required by the record)",
                )
            }
        )
    content = "\n".join(f"{heading}：{text}" for heading, text in letter.letter[:1])
    liability = "\n".join(text for _heading, text in letter.letter[1:2])
    record = records.credit_record_create(
        actor=recorder,
        catalog_item=item,
        institution=commitment.institution,
        person=commitment.person,
        title=commitment.reason,
        decision_number=str(commitment.code),
        issuing_body=body.name,
        issuing_body_uscc=body.uscc,
        decision_date=day,
        payload={
            "commitment_type": commitment.commitment_type,
            "commitment_reason": commitment.reason,
            "commitment_content": content[:4000],
            "breach_liability": liability[:4000],
            "valid_until": commitment.valid_until.isoformat() if commitment.valid_until else None,
            "acceptance_unit": body.name,
            "acceptance_unit_uscc": body.uscc,
            "publication_type": commitment.publication_type,
        },
        source=CreditRecordSource.API
        if isinstance(recorder, ApiClient)
        else CreditRecordSource.SYSTEM
        if isinstance(recorder, str)
        else CreditRecordSource.PAGE,
        on_behalf_of=body if isinstance(recorder, str) else None,
    )
    record = records.credit_record_submit(actor=recorder, record=record)
    if approver is None and records.actor_of(recorder).roles & {"reviewer", "admin"}:
        approver = recorder
    if approver is not None:
        record = records.credit_record_approve(
            actor=approver, record=record, reason="信用承诺已受理 / commitment accepted"
        )
    return record


@transaction.atomic
def commitment_sign(
    *,
    actor: User | ApiClient,
    matter: Matter,
    institution: Institution | None = None,
    person: Person | None = None,
    reason: str = "",
    accepting_organisation: Organisation | None = None,
    channel: str = CommitmentChannel.STAFF,
    valid_until: datetime.date | None = None,
    shown_sha256: str = "",
    scan: Any = None,
    guardian_name: str = "",
    guardian_document: str = "",
    external_reference: str = "",
    request_id: str = "",
) -> SignOutcome:
    """Sign a commitment in ``matter`` for one subject: staff on its behalf (``scan`` of the
    paper letter required) or a business system (``external_reference`` required; the same
    reference with the same content answers the commitment already made).

    The text is rendered from the template in force, frozen with its SHA-256 (``shown_sha256``,
    when given, must be the digest of the text the signer was shown) and recorded as JY-CN-01.
    """
    day = _beijing_today()
    if (institution is None) == (person is None):
        raise CommitmentError(
            {"subject": Bilingual("须指定一个承诺人（机构或个人）", "choose exactly one subject")}
        )
    body = _accepting_body(actor, accepting_organisation)
    reason = " ".join((reason or matter.name).split())
    if len(reason) > 512:
        raise CommitmentError(
            {"reason": Bilingual("承诺事由过长（最多 512 字）", "reason too long")}
        )
    minor = matter.concerns_minors or _is_minor(person, day)
    guardian = _guardian(
        needed=minor, guardian_name=guardian_name, guardian_document=guardian_document
    )
    digest = ""
    if channel == CommitmentChannel.API:
        if not isinstance(actor, ApiClient):
            raise PermissionDenied(Bilingual("仅业务系统可用此渠道", "only a business system"))
        external_reference = external_reference.strip()
        if not external_reference:
            raise CommitmentError(
                {"reference": Bilingual("须提供业务系统编号", "the system's reference is required")}
            )
        digest = _request_digest(
            {
                "matter": matter.code,
                "institution": str(institution.public_id) if institution else "",
                "person": str(person.public_id) if person else "",
                "reason": reason,
                "accepting_organisation": str(body.public_id),
                "valid_until": valid_until,
                "guardian_name": guardian.get("guardian_name", ""),
                "guardian_index": guardian.get("guardian_document_index", ""),
            }
        )
        existing = (
            Commitment.objects.select_for_update()
            .filter(api_client=actor, external_reference=external_reference)
            .first()
        )
        if existing is not None:
            if existing.request_digest == digest:
                return SignOutcome(existing, created=False)
            raise CommitmentConflictError(
                {
                    "reference": Bilingual(
                        f"业务系统编号“{external_reference}”已用于内容不同的另一项承诺（{existing.code}），"
                        "未作任何更改",
                        f"reference {external_reference!r} already names a different commitment "
                        f"({existing.code}); nothing was changed",
                    )
                }
            )
    elif channel == CommitmentChannel.STAFF:
        if not isinstance(actor, User):
            raise PermissionDenied(Bilingual("仅工作人员可代为签署", "only staff sign on behalf"))
        if scan is None:
            raise CommitmentError(
                {"scan": Bilingual("代为录入须上传纸质承诺书扫描件", "attach the scanned letter")}
            )
    elif channel == CommitmentChannel.SELF_SERVICE:
        _require_own_subject(actor, institution, person)
        if accepting_organisation is None or not shown_sha256:
            raise CommitmentError(
                {
                    "text": Bilingual(
                        "自助签署须指定受理单位，并在阅读承诺书后签署",
                        "self-service signing names the accepting body, after reading the letter",
                    )
                }
            )
    else:
        raise CommitmentError({"channel": Bilingual("签署渠道无效", "invalid channel")})
    _matter_check(matter, day)
    from educredit.commitments.selectors import letter_render, subject_identity, template_for_matter

    template = template_for_matter(matter, day)
    if template is None:
        raise CommitmentError(
            {
                "matter": Bilingual(
                    "该事项没有现行的承诺书模板", "no template in force for the matter"
                )
            }
        )
    letter = letter_render(
        matter=matter,
        template=template,
        institution=institution,
        person=person,
        accepting_organisation=body,
        day=day,
    )
    if shown_sha256 and shown_sha256 != letter.sha256:
        raise CommitmentError(
            {
                "text": Bilingual(
                    "承诺书内容已更新，请重新阅读后签署", "the letter has changed: read it again"
                )
            }
        )
    scan_bytes, scan_digest = _scan_check(scan) if scan is not None else (b"", "")
    name, category, subject_code = subject_identity(institution, person)
    commitment = Commitment(
        code=codes.commitment_code_next(region_code=body.region_code, day=day),
        decision=CommitmentDecision.SIGNED,
        channel=channel,
        matter=matter,
        template=template,
        commitment_type=matter.commitment_type,
        institution=institution,
        person=person,
        subject_name=name,
        subject_category=category,
        subject_code=subject_code,
        accepting_organisation=body,
        reason=reason,
        signed_on=day,
        signed_at=timezone.now(),
        valid_until=valid_until,
        publication_type=PublicationType.NOT_PUBLIC if minor else matter.publication_type,
        signed_text=letter.text,
        signed_text_sha256=letter.sha256,
        api_client=actor if isinstance(actor, ApiClient) else None,
        external_reference=external_reference if channel == CommitmentChannel.API else "",
        request_digest=digest,
        supervision_state=(
            CommitmentSupervisionState.COMPLETED
            if matter.check_method == MatterCheckMethod.EXEMPT
            else CommitmentSupervisionState.SUPERVISING
        ),
        fulfilment=CommitmentFulfilment.UNDECIDED,
        signed_by=actor if isinstance(actor, User) else None,
        **guardian,
    )
    if scan_bytes:
        commitment.scan.save(
            str(getattr(scan, "name", "scan")), ContentFile(scan_bytes), save=False
        )
        commitment.scan_sha256 = scan_digest
    try:
        commitment.save()
        # Staff and business systems accept as they sign; a subject's own signing is recorded when
        # the accepting body accepts it (``commitment_accept``), by that body's staff.
        if not minor and channel != CommitmentChannel.SELF_SERVICE:
            commitment.credit_record = commitment_record(
                recorder=actor, commitment=commitment, letter=letter
            )
            commitment.save(update_fields=["credit_record"])
            verification_plan_commitment(commitment)
            # Shared with the provincial platform as made; a minor's never leaves (Henan §3).
            commitment_share(commitment)
        audit_append(
            actor=actor,
            action="commitments.sign",
            target=commitment,
            before=None,
            reason=f"{matter.code} {commitment.code}",
            request_id=request_id,
        )
    except BaseException:
        # The transaction rolls back; the stored scan would stay behind with no row naming it.
        if commitment.scan:
            commitment.scan.storage.delete(commitment.scan.name)
        raise
    return SignOutcome(commitment, created=True)


def _require_own_subject(
    actor: Any, institution: Institution | None, person: Person | None
) -> None:
    """A subject signs only for itself (its self-service account's person or institution)."""
    from educredit.rights.self_service import subject_of

    subject = subject_of(actor)
    if (subject.institution, subject.person) != (institution, person):
        raise PermissionDenied(Bilingual("只能为本人签署承诺", "a subject signs only for itself"))


def _letter_of(commitment: Commitment) -> letters.RenderedLetter:
    """The letter parts as signed (the frozen text's letter sections)."""
    sections = commitment.signed_text.split("二、承诺书", 1)[-1].split("【")[1:]
    parts = tuple(
        (heading, body.strip()) for heading, _sep, body in (s.partition("】\n") for s in sections)
    )
    return letters.RenderedLetter(title="", notice=(), letter=parts)


@transaction.atomic
def commitment_accept(*, actor: User, commitment: Commitment) -> Commitment:
    """The accepting body's staff accept a commitment the subject signed in self-service: it
    is recorded as JY-CN-01 from the text as signed (once; a minor's never)."""
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    own = getattr(actor, "organisation", None)
    if own is None or not own.covers(commitment.accepting_organisation):
        raise PermissionDenied(
            Bilingual("该承诺不在您的管辖范围内", "the commitment is outside your jurisdiction")
        )
    if (
        commitment.decision != CommitmentDecision.SIGNED
        or commitment.credit_record_id is not None
        or commitment.guardian_name
    ):
        raise CommitmentError(
            Bilingual("该承诺无需受理或已受理", "this commitment needs no acceptance, or has it")
        )
    before = commitment.audit_snapshot()
    commitment.credit_record = commitment_record(
        recorder=actor, commitment=commitment, letter=_letter_of(commitment)
    )
    commitment.save(update_fields=["credit_record"])
    verification_plan_commitment(commitment)
    commitment_share(commitment)
    audit_append(actor=actor, action="commitments.accept", target=commitment, before=before)
    return commitment


@transaction.atomic
def commitment_decline(
    *,
    actor: User | ApiClient,
    matter: Matter,
    institution: Institution | None = None,
    person: Person | None = None,
    proofs_note: str,
    accepting_organisation: Organisation | None = None,
    channel: str = CommitmentChannel.STAFF,
    reason: str = "",
) -> Commitment:
    """Record that the subject declined to commit and hands in the proofs instead (no code,
    no credit record)."""
    day = _beijing_today()
    if (institution is None) == (person is None):
        raise CommitmentError(
            {"subject": Bilingual("须指定一个承诺人（机构或个人）", "choose exactly one subject")}
        )
    note = proofs_note.strip()
    if not note:
        raise CommitmentError(
            {"proofs_note": Bilingual("请填写提交的证明材料", "name the proofs handed in")}
        )
    body = _accepting_body(actor, accepting_organisation)
    _matter_check(matter, day)
    from educredit.commitments.selectors import subject_identity

    name, category, subject_code = subject_identity(institution, person)
    declined = Commitment.objects.create(
        decision=CommitmentDecision.DECLINED,
        channel=channel,
        matter=matter,
        commitment_type=matter.commitment_type,
        institution=institution,
        person=person,
        subject_name=name,
        subject_category=category,
        subject_code=subject_code,
        accepting_organisation=body,
        reason=" ".join((reason or matter.name).split())[:512],
        signed_on=day,
        signed_at=timezone.now(),
        publication_type=PublicationType.NOT_PUBLIC,
        proofs_note=note,
        api_client=actor if isinstance(actor, ApiClient) else None,
        signed_by=actor if isinstance(actor, User) else None,
    )
    audit_append(actor=actor, action="commitments.decline", target=declined, before=None)
    return declined
