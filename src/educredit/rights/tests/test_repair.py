"""Credit repair (信用修复, ADR 0028): eligibility, the application's steps, who may review,
the breach of a repair commitment, and the pages (with their query log and material access)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from educredit.accounts.choices import UserRole
from educredit.audit.models import AuditEntry
from educredit.catalog.selectors import catalog_item_by_code
from educredit.core import clock
from educredit.disclosure.models import Decision
from educredit.exchange.models import OutboxItem
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.demo_data import demo_payload
from educredit.records.models import CreditRecord
from educredit.records.tests.factories import make_record
from educredit.records.windows import add_months
from educredit.rights import repair
from educredit.rights.choices import RepairStatus
from educredit.rights.models import RepairApplication
from educredit.rights.tests.factories import County, make_county, make_subject_user, signed_in
from educredit.sanctions.tests.factories import shipped_measure_list
from educredit.subjects.models import Institution, SubjectQueryLog
from educredit.testing.factories import make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% proof of payment\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def county(db: Any) -> County:
    """A county with the shipped catalog and measure list (the 双公示 penalty item, JY-CF-02)."""
    shipped_measure_list()
    return make_county()


def penalty(county: County, institution: Institution, *, days_ago: int = 150) -> CreditRecord:
    """An effective 一般失信 penalty (JY-CF-02) on ``institution``, decided ``days_ago``."""
    decided = clock.today() - datetime.timedelta(days=days_ago)
    item = catalog_item_by_code("JY-CF-02", decided)
    assert item is not None
    return make_record(
        actor=county.clerk,
        reviewer=county.reviewer,
        catalog_item=item,
        institution=institution,
        title="超出核准范围开展学科类培训",
        issuing_body=county.county.name,
        decision_date=decided,
        payload=demo_payload(item, decided, institution),
        status=S.EFFECTIVE,
    )


def proof(name: str = "缴款收据.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def apply(actor: Any, record: CreditRecord, **extra: Any) -> RepairApplication:
    arguments: dict[str, Any] = {
        "statement": "已缴清罚款，停止违规培训并完成整改",
        "commitment_accepted": True,
        "materials": [(repair.Material.PROOF, proof())],
        **extra,
    }
    return repair.repair_apply(actor=actor, record=record, **arguments)


@pytest.fixture
def training(county: County) -> Institution:
    return county.school


@pytest.fixture
def officer(county: County, training: Institution) -> Any:
    """The training institution's self-service account (its credit officer signs in)."""
    return make_subject_user(actor=county.clerk, institution=training)


# --- eligibility ----------------------------------------------------------------------------


def test_before_the_minimum_window_the_date_it_opens_is_given(
    county: County, training: Institution
) -> None:
    record = penalty(county, training, days_ago=10)
    assert record.repair_allowed_from is not None and record.repair_allowed_from > clock.today()
    result = repair.repair_eligibility(record)
    assert not result.eligible
    window = next(c for c in result.conditions if c.key == "window")
    assert not window.met and window.met_from == record.repair_allowed_from
    assert record.repair_allowed_from.isoformat() in window.text
    assert result.eligible_from == record.repair_allowed_from


def test_after_the_minimum_window_every_condition_is_met(
    county: County, training: Institution
) -> None:
    result = repair.repair_eligibility(penalty(county, training))
    assert result.eligible, result.reasons
    obligations = next(c for c in result.conditions if c.key == "obligations")
    assert obligations.declared


def test_repeated_offences_bar_repair_until_the_older_leave_the_look_back(
    county: County, training: Institution
) -> None:
    record = penalty(county, training)
    penalty(county, training, days_ago=200)
    assert repair.repair_eligibility(record).eligible
    third = penalty(county, training, days_ago=300)
    result = repair.repair_eligibility(record)
    bar = next(c for c in result.conditions if c.key == "repeat")
    assert not bar.met
    assert bar.met_from is not None and bar.met_from > clock.today()
    # The limit-th most recent other record (300 days old) decides when the bar lifts.
    assert bar.met_from == add_months(third.decision_date, 36) + datetime.timedelta(days=1)


def test_repeated_offence_bar_is_a_setting(
    county: County, training: Institution, settings: Any
) -> None:
    record = penalty(county, training)
    penalty(county, training, days_ago=200)
    settings.EDUCREDIT_REPAIR_REPEAT_LIMIT = 1
    assert not repair.repair_eligibility(record).eligible


# --- applying -------------------------------------------------------------------------------


def test_ineligible_record_is_refused_with_the_reasons(
    county: County, training: Institution, officer: Any
) -> None:
    record = penalty(county, training, days_ago=10)
    with pytest.raises(ValidationError) as exc:
        apply(officer, record)
    assert any(record.repair_allowed_from.isoformat() in m for m in exc.value.messages)  # type: ignore[union-attr]
    assert not RepairApplication.objects.exists()


def test_proof_and_commitment_are_required_and_files_are_checked(
    county: County, training: Institution, officer: Any
) -> None:
    record = penalty(county, training)
    with pytest.raises(ValidationError) as exc:
        apply(officer, record, materials=[], commitment_accepted=False)
    assert set(exc.value.message_dict) == {"materials", "commitment_accepted"}
    with pytest.raises(ValidationError):
        apply(officer, record, materials=[(repair.Material.PROOF, proof("x.exe"))])
    with pytest.raises(ValidationError):  # a PDF name on bytes that are not a PDF
        apply(officer, record, materials=[(repair.Material.PROOF, proof(content=b"MZ\x90"))])
    big = proof(content=PDF + b"0" * settings.EDUCREDIT_DOCUMENT_MAX_BYTES)
    with pytest.raises(ValidationError):
        apply(officer, record, materials=[(repair.Material.PROOF, big)])
    assert not RepairApplication.objects.exists()


def test_application_is_reviewed_by_the_finding_body_and_audited(
    county: County, training: Institution, officer: Any
) -> None:
    record = penalty(county, training)
    other = SimpleUploadedFile("整改照片.png", PNG, content_type="image/png")
    application = apply(
        officer,
        record,
        materials=[(repair.Material.PROOF, proof()), (repair.Material.OTHER, other)],
    )
    assert application.reviewing_organisation == record.organisation == county.county
    assert application.status == RepairStatus.SUBMITTED and not application.on_behalf
    assert application.due_on > application.submitted_on
    assert training.name in application.commitment_text
    assert "最长公示期限" in application.commitment_text
    materials = {a.material: a for a in application.attachments.all()}
    assert set(materials) == {repair.Material.PROOF, repair.Material.OTHER}
    assert materials[repair.Material.PROOF].content_type == "application/pdf"
    assert len(materials[repair.Material.PROOF].sha256) == 64
    assert application.steps.get().notice
    assert AuditEntry.objects.filter(action="rights.repair_apply").count() == 1
    # A second application while one is open is refused.
    with pytest.raises(ValidationError):
        apply(officer, record)


def test_staff_may_apply_on_behalf_within_their_jurisdiction(
    county: County, training: Institution
) -> None:
    record = penalty(county, training)
    elsewhere = make_county(code="410105", name="金水区")
    with pytest.raises(PermissionDenied):
        apply(elsewhere.clerk, record)
    application = apply(county.clerk, record)
    assert application.on_behalf


def test_staff_apply_on_behalf_through_the_page(county: County, training: Institution) -> None:
    record = penalty(county, training)
    url = f"{reverse('rights:repair_create')}?record={record.public_id}"
    elsewhere = make_county(code="410105", name="金水区")
    assert signed_in(elsewhere.clerk).get(url).status_code == 404
    clerk = signed_in(county.clerk)
    form = clerk.get(url)
    assert 'data-ec-eligibility="eligible"' in form.content.decode()
    assert SubjectQueryLog.objects.filter(route="rights:repair_create", institution=training)
    posted = clerk.post(
        url,
        {"statement": "已缴清罚款", "commitment_accepted": "on", "proof": proof()},
    )
    application = RepairApplication.objects.get(record=record)
    assert posted.status_code == 302 and str(application.public_id) in posted["Location"]
    assert application.on_behalf and application.filed_by == county.clerk


def test_only_reviewers_of_the_finding_body_or_above_decide(
    county: County, training: Institution, officer: Any
) -> None:
    record = penalty(county, training)
    application = apply(officer, record)
    elsewhere = make_county(code="410105", name="金水区")
    for outsider in (elsewhere.reviewer, county.clerk):
        with pytest.raises(PermissionDenied):
            repair.repair_accept(actor=outsider, application=application)
    city_reviewer = make_user(
        organisation=county.city, username="city.repair", roles=[UserRole.REVIEWER]
    )
    accepted = repair.repair_accept(actor=city_reviewer, application=application)
    assert accepted.status == RepairStatus.ACCEPTED
    with pytest.raises(PermissionDenied):
        repair.repair_grant(actor=elsewhere.reviewer, application=accepted)
    assert list(repair.repairs_due_for(county.reviewer)) == [accepted]
    assert list(repair.repairs_due_for(elsewhere.reviewer)) == []
    assert list(repair.repairs_due_for(county.clerk)) == []


def test_grant_repairs_the_record_and_reports_the_change(
    county: County, training: Institution, officer: Any
) -> None:
    record = penalty(county, training)
    decision = Decision.objects.get(record=record)
    assert decision.last_operation == "add"
    application = repair.repair_accept(actor=county.reviewer, application=apply(officer, record))
    repair.repair_grant(actor=county.reviewer, application=application, reason="罚款已缴清")
    record.refresh_from_db()
    assert record.status == S.REPAIRED and record.public_until == clock.today()
    decision.refresh_from_db()
    assert (decision.version, decision.last_operation) == (2, "change")
    change = OutboxItem.objects.filter(source_id=str(decision.pk), operation="change").get()
    last_day = clock.today() - datetime.timedelta(days=1)
    assert change.row["CF_GSJZQ"] == last_day.isoformat()
    application.refresh_from_db()
    assert application.status == RepairStatus.GRANTED and application.decided_by == county.reviewer
    assert [s.action for s in application.steps.all()] == ["apply", "accept", "grant"]


def test_refuse_needs_a_reason_and_withdraw_is_the_applicants(
    county: County, training: Institution, officer: Any
) -> None:
    record = penalty(county, training)
    application = apply(officer, record)
    with pytest.raises(ValidationError):
        repair.repair_refuse(actor=county.reviewer, application=application, reason=" ")
    refused = repair.repair_refuse(
        actor=county.reviewer, application=application, reason="未提交缴款凭证原件"
    )
    assert refused.status == RepairStatus.REFUSED
    assert "未提交缴款凭证原件" in refused.steps.last().notice  # type: ignore[union-attr]
    again = apply(officer, record)
    with pytest.raises(PermissionDenied):
        repair.repair_withdraw(actor=county.reviewer, application=again)
    assert repair.repair_withdraw(actor=officer, application=again).status == (
        RepairStatus.WITHDRAWN
    )


def test_breach_restores_the_longest_window_and_bars_repair(
    county: County, training: Institution, officer: Any
) -> None:
    record = penalty(county, training)
    longest = record.public_until
    assert longest is not None and longest > clock.today()
    application = repair.repair_accept(actor=county.reviewer, application=apply(officer, record))
    repair.repair_grant(actor=county.reviewer, application=application)
    record.refresh_from_db()
    assert record.public_until == clock.today()

    breached = repair.repair_commitment_breach(
        actor=county.reviewer, application=application, reason="再次超范围培训"
    )
    record.refresh_from_db()
    assert record.status == S.EFFECTIVE
    assert record.public_until == longest
    assert breached.status == RepairStatus.BREACHED and breached.breached_at is not None
    decision = Decision.objects.get(record=record)
    assert (decision.version, decision.last_operation) == (3, "change")
    result = repair.repair_eligibility(record)
    assert not next(c for c in result.conditions if c.key == "no_breach").met


# --- pages ----------------------------------------------------------------------------------


def _logged(route: str) -> int:
    return SubjectQueryLog.objects.filter(route=route).count()


def test_self_service_pages_show_eligibility_before_applying(
    county: County, training: Institution, officer: Any
) -> None:
    early = penalty(county, training, days_ago=10)
    ready = penalty(county, training)
    client = signed_in(officer)

    listing = client.get("/self/repairs/")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert early.repair_allowed_from.isoformat() in body  # type: ignore[union-attr]
    assert f"?record={ready.public_id}" in body
    assert _logged("self_service:repair_list") == 1

    page = client.get(f"/self/repairs/new/?record={early.public_id}")
    assert page.status_code == 200
    assert "data-ec-ineligible" in page.content.decode()
    assert early.repair_allowed_from.isoformat() in page.content.decode()  # type: ignore[union-attr]

    page = client.get(f"/self/repairs/new/?record={ready.public_id}")
    assert 'data-ec-eligibility="eligible"' in page.content.decode()
    assert "data-ec-commitment" in page.content.decode()
    assert _logged("self_service:repair_create") == 2

    posted = client.post(
        f"/self/repairs/new/?record={ready.public_id}",
        {"statement": "已整改", "commitment_accepted": "on", "proof": proof()},
    )
    application = RepairApplication.objects.get()
    assert posted.status_code == 302
    assert posted["Location"] == f"/self/repairs/{application.public_id}/"
    detail = client.get(posted["Location"])
    assert application.number in detail.content.decode()
    assert _logged("self_service:repair_detail") == 1

    # Someone else's record is not found.
    stranger = make_subject_user(actor=county.clerk, person=None, institution=_other_school(county))
    assert (
        signed_in(stranger).get(f"/self/repairs/new/?record={ready.public_id}").status_code == 404
    )
    assert signed_in(stranger).get(posted["Location"]).status_code == 404


def _other_school(county: County) -> Institution:
    from educredit.subjects.tests.factories import make_institution

    return make_institution(supervisor=county.county, name="另一培训学校", serial=880_001)


def test_staff_queue_and_decisions_are_scoped_to_the_reviewing_body(
    county: County, training: Institution, officer: Any
) -> None:
    application = apply(officer, penalty(county, training))
    reviewer = signed_in(county.reviewer)
    queue = reviewer.get("/rights/repairs/")
    assert queue.status_code == 200 and application.number in queue.content.decode()
    assert _logged("rights:repair_queue") == 1

    elsewhere = make_county(code="410105", name="金水区")
    outsider = signed_in(elsewhere.reviewer)
    assert application.number not in outsider.get("/rights/repairs/").content.decode()
    url = f"/rights/repairs/{application.public_id}/"
    assert outsider.get(url).status_code == 404
    assert outsider.post(url + "accept/").status_code == 404
    assert signed_in(county.clerk).post(url + "accept/").status_code == 403

    assert reviewer.get(url).status_code == 200
    assert _logged("rights:repair_staff_detail") == 1
    assert reviewer.post(url + "accept/").status_code == 302
    assert reviewer.post(url + "grant/", {"reason": "材料齐全"}).status_code == 302
    application.refresh_from_db()
    assert application.status == RepairStatus.GRANTED


def test_the_staff_page_names_who_took_each_step(
    county: County, training: Institution, officer: Any
) -> None:
    application = apply(officer, penalty(county, training))
    named = make_user(
        organisation=county.county,
        username="zy.shenhe",
        roles=[UserRole.REVIEWER],
        full_name="中原区审核员",
    )
    repair.repair_accept(actor=named, application=application)
    page = signed_in(named).get(f"/rights/repairs/{application.public_id}/").content.decode()
    assert "中原区审核员" in page and "zy.shenhe" not in page


def test_materials_download_only_through_checked_views(
    county: County, training: Institution, officer: Any
) -> None:
    application = apply(officer, penalty(county, training))
    attachment = application.attachments.get()
    own = signed_in(officer).get(
        f"/self/repairs/{application.public_id}/materials/{attachment.public_id}/"
    )
    assert own.status_code == 200 and b"".join(own.streaming_content) == PDF  # type: ignore[attr-defined]
    staff_url = f"/rights/repairs/{application.public_id}/materials/{attachment.public_id}/"
    staff = signed_in(county.reviewer).get(staff_url)
    assert staff.status_code == 200 and "attachment" in staff["Content-Disposition"]
    assert _logged("rights:repair_material") == 1
    elsewhere = make_county(code="410105", name="金水区")
    assert signed_in(elsewhere.reviewer).get(staff_url).status_code == 404
    stranger = make_subject_user(actor=county.clerk, institution=_other_school(county))
    assert (
        signed_in(stranger)
        .get(f"/self/repairs/{application.public_id}/materials/{attachment.public_id}/")
        .status_code
        == 404
    )
    # Anonymous readers are sent to sign in, and the stored name is not the upload's.
    assert signed_in_anonymous(staff_url) in (302, 403, 404)
    assert attachment.original_name not in attachment.file.name


def signed_in_anonymous(url: str) -> int:
    from django.test import Client

    return Client().get(url).status_code


def test_a_notice_is_written_in_chinese_whatever_the_page_language(
    county: County, training: Institution
) -> None:
    from django.utils import translation

    record = penalty(county, training)
    with translation.override("en"):  # the clerk works in English
        application = apply(county.clerk, record)
    notice = application.steps.get(action="apply").notice
    assert notice.startswith(f"您的信用修复申请（{application.number}）已收到"), notice
