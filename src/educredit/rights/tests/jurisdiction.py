"""Objects of the rights app for the jurisdiction walk (``testing/jurisdiction.py``)."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from educredit.accounts.models import Organisation
from educredit.core import clock
from educredit.testing.jurisdiction import JURISDICTION_FIXTURES


def _effective_record_in(county: Organisation, purpose: str) -> tuple[Any, Any]:
    """A clerk of ``county`` and an effective record they entered (a reviewer approved it)."""
    from educredit.records.choices import CreditRecordStatus
    from educredit.records.tests.factories import make_record, make_reviewer
    from educredit.testing.factories import make_user

    clerk = make_user(organisation=county, username=f"walk.{purpose}.{county.pk}", roles=["clerk"])
    record = make_record(
        actor=clerk,
        reviewer=make_reviewer(organisation=county),
        status=CreditRecordStatus.EFFECTIVE,
    )
    return clerk, record


def _repair_in(county: Organisation) -> Any:
    """A repair application reviewed by ``county`` (its record is a county penalty)."""
    from educredit.rights.models import RepairApplication

    clerk, record = _effective_record_in(county, "repair")
    today = clock.today()
    application = RepairApplication.objects.create(
        number=f"XFWALK{county.pk}",
        record=record,
        institution=record.institution,
        filed_by=clerk,
        on_behalf=True,
        reviewing_organisation=county,
        statement="巡检",
        commitment_text="巡检",
        submitted_on=today,
        due_on=today,
        created_at=clock.now(),
    )
    return application.public_id


def _attachment_in(county: Organisation) -> Any:
    """A file of the repair application (or objection) the walk made for ``county`` just before
    (the routes name the application first, so it exists)."""
    from educredit.rights.models import Attachment, RepairApplication

    owner: dict[str, Any] = {}
    application = (
        RepairApplication.objects.filter(reviewing_organisation=county).order_by("-pk").first()
    )
    if application is not None:
        owner["repair"] = application
    else:
        from educredit.rights.models import Objection

        owner["objection"] = (
            Objection.objects.filter(record__organisation=county).order_by("-pk").first()
        )
    attachment = Attachment(
        material="proof_of_fulfilment",
        original_name="walk.pdf",
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
        uploaded_by=(owner.get("repair") or owner["objection"]).filed_by,
        uploaded_at=clock.now(),
        **owner,
    )
    # One fixed name, overwritten by each walk, so walks leave no files behind them.
    attachment.file.save("walk.pdf", ContentFile(b"%PDF-walk"), save=False)
    attachment.save()
    return attachment.public_id


JURISDICTION_FIXTURES["repair_id"] = _repair_in
JURISDICTION_FIXTURES["attachment_id"] = _attachment_in


def _objection_in(county: Organisation) -> Any:
    """An objection, filed on the subject's behalf, to an effective record of ``county``."""
    from educredit.rights.models import Objection

    clerk, record = _effective_record_in(county, "objection")
    today = clock.today()
    objection = Objection.objects.create(
        number=f"YYWALK{county.pk}",
        record=record,
        institution=record.institution,
        filed_by=clerk,
        on_behalf=True,
        reasons="巡检",
        received_on=today,
        due_on=today,
        created_at=clock.now(),
    )
    return objection.public_id


JURISDICTION_FIXTURES["objection_id"] = _objection_in
