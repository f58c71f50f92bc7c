"""The 信用修复型 commitment of a granted credit repair (matter CN-XF-01).

The subject accepts the repair commitment (信用修复承诺书) in its application (``rights.repair``);
when the repair is granted, that commitment is recorded here as one of the matter list: its
20-character code, the JY-CN-01 record, the report to the provincial platform, under the
supervision of the deciding body. A breach is decided on the commitment like any other
(``checks.fulfilment``), which restores the repaired record's longest window.
"""

from __future__ import annotations

import hashlib
from typing import Any

from educredit.accounts.models import User
from educredit.audit.services import audit_append
from educredit.commitments import codes, letters
from educredit.commitments.choices import (
    CommitmentChannel,
    CommitmentDecision,
    CommitmentFulfilment,
    CommitmentSupervisionState,
)
from educredit.commitments.models import Commitment
from educredit.commitments.selectors import matter_in_force, subject_identity, template_for_matter
from educredit.commitments.services import commitment_record
from educredit.commitments.sharing import commitment_share
from educredit.rights.models import RepairApplication

REPAIR_MATTER = "CN-XF-01"
RECORDER = "system:repair-commitment"


def repair_commitment_record(*, actor: User, application: RepairApplication) -> Commitment | None:
    """Record the repair commitment of ``application`` (just granted by ``actor``), made on the
    day the application was submitted, with the text the subject accepted. None when no
    matter list is loaded (the repair stands on its own, as before the list existed)."""
    day = application.submitted_on
    matter = matter_in_force(REPAIR_MATTER, day)
    if matter is None:
        return None
    body = application.reviewing_organisation
    name, category, subject_code = subject_identity(application.institution, application.person)
    text = application.commitment_text
    commitment = Commitment.objects.create(
        code=codes.commitment_code_next(region_code=body.region_code, day=day),
        decision=CommitmentDecision.SIGNED,
        channel=CommitmentChannel.STAFF
        if application.on_behalf
        else CommitmentChannel.SELF_SERVICE,
        matter=matter,
        template=template_for_matter(matter, day),
        commitment_type=matter.commitment_type,
        institution=application.institution,
        person=application.person,
        subject_name=name,
        subject_category=category,
        subject_code=subject_code,
        accepting_organisation=body,
        reason=f"信用修复申请 {application.number}",
        signed_on=day,
        signed_at=application.created_at,
        publication_type=matter.publication_type,
        signed_text=text,
        signed_text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        # Under supervision while the repair stands; the matter orders no scheduled check.
        supervision_state=CommitmentSupervisionState.SUPERVISING,
        fulfilment=CommitmentFulfilment.UNDECIDED,
        repair_application=application,
        signed_by=application.filed_by,
        check_planned_on=day,
    )
    letter = letters.RenderedLetter(
        title="", notice=(), letter=(("承诺内容", text), ("违诺责任", matter.breach_measures))
    )
    # Recorded for the deciding body and confirmed by the reviewer who granted the repair
    # (a reviewer does not enter records; the commitment is the subject's, not the reviewer's).
    commitment.credit_record = commitment_record(
        recorder=RECORDER, commitment=commitment, letter=letter, approver=actor
    )
    commitment.save(update_fields=["credit_record"])
    commitment_share(commitment)
    audit_append(
        actor=actor,
        action="commitments.repair_commitment",
        target=commitment,
        before=None,
        reason=f"{application.number} {commitment.code}",
    )
    return commitment


def on_repair_granted(*, application: RepairApplication, actor: User, **_kwargs: Any) -> None:
    """``rights.signals.repair_granted``: the repair commitment takes effect."""
    repair_commitment_record(actor=actor, application=application)
