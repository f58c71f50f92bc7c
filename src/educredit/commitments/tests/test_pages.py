"""The commitments' pages through the test client: the staff list scoped by jurisdiction and
its export, the detail with the text as signed, acceptance and the fulfilment decision by
POST, self-service signing and declining, and the English pages."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from educredit.accounts.selectors import organisation_ancestors
from educredit.commitments.choices import (
    CommitmentChannel,
    CommitmentDecision,
    CommitmentFulfilment,
    CommitmentSupervisionState,
)
from educredit.commitments.models import Commitment
from educredit.commitments.selectors import (
    matter_in_force,
    matters_in_force,
)
from educredit.commitments.services import commitment_sign
from educredit.commitments.tests.shown import shown_letter
from educredit.rights.tests.factories import make_subject_user
from educredit.testing.one_language import han_leaks, visible_text

pytestmark = pytest.mark.django_db


def signed_in(user: Any, language: str = "zh-hans") -> Client:
    client = Client()
    client.force_login(user)
    if language == "en":
        client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def staff_signed(shipped: Any, approver: Any, school: Any, scan: Any) -> Commitment:
    """A commitment the county's staff entered from the school's paper letter."""
    matter = matter_in_force("CN-MB-02")
    assert matter is not None
    return commitment_sign(actor=approver, matter=matter, institution=school, scan=scan).commitment


@pytest.fixture
def school_user(school: Any, approver: Any) -> Any:
    return make_subject_user(actor=approver, institution=school)


def _self_signed(school: Any, body: Any, school_user: Any) -> Commitment:
    matter, letter = shown_letter(school, body)
    return commitment_sign(
        actor=school_user,
        matter=matter,
        institution=school,
        accepting_organisation=body,
        channel=CommitmentChannel.SELF_SERVICE,
        shown_sha256=letter.sha256,
    ).commitment


def _codes_in_export(client: Client, query: str = "") -> list[str]:
    response = client.get(reverse("commitments:list") + f"?{query}&export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    return [str(row[0]) for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]


def test_the_list_shows_the_jurisdictions_commitments_and_exports_the_filter(
    staff_signed: Any, county_clerk: Any, city_reviewer: Any, outsider: Any
) -> None:
    for user in (county_clerk, city_reviewer):
        page = signed_in(user).get(reverse("commitments:list"))
        assert page.status_code == 200
        assert staff_signed.code in page.content.decode()
        assert reverse("commitments:detail", args=[staff_signed.public_id]) in (
            page.content.decode()
        )
    assert _codes_in_export(signed_in(county_clerk)) == [staff_signed.code]

    stranger = signed_in(outsider)
    assert staff_signed.code not in stranger.get(reverse("commitments:list")).content.decode()
    assert _codes_in_export(stranger) == []
    detail = reverse("commitments:detail", args=[staff_signed.public_id])
    assert stranger.get(detail).status_code == 404


def test_the_list_filters_by_state_and_matter(
    staff_signed: Any, body: Any, school: Any, school_user: Any, county_clerk: Any
) -> None:
    pending = _self_signed(school, body, school_user)
    client = signed_in(county_clerk)
    assert _codes_in_export(client, "state=pending") == [pending.code]
    assert _codes_in_export(client, "state=supervising") == [staff_signed.code]
    assert _codes_in_export(client, "state=breached") == []
    assert set(_codes_in_export(client, "matter=CN-MB-02")) == {pending.code, staff_signed.code}
    assert _codes_in_export(client, "matter=CN-MB-01") == []
    page = client.get(reverse("commitments:list") + "?state=pending").content.decode()
    assert pending.code and staff_signed.code
    assert pending.code in page
    assert staff_signed.code not in page


def test_the_detail_shows_the_text_exactly_as_signed(staff_signed: Any, county_clerk: Any) -> None:
    page = signed_in(county_clerk).get(reverse("commitments:detail", args=[staff_signed.public_id]))
    html = page.content.decode()
    assert escape(staff_signed.signed_text) in html
    assert staff_signed.signed_text_sha256 in html
    assert "监管中" in html
    assert "未认定" in html
    assert "认定履行" in html  # the accepting body's clerk may decide


def test_the_scanned_letter_downloads_from_the_detail_within_the_jurisdiction(
    staff_signed: Any, county_clerk: Any, outsider: Any, settings: Any, tmp_path: Any
) -> None:
    from educredit.commitments.tests.conftest import PDF
    from educredit.subjects.models import SubjectQueryLog

    detail = signed_in(county_clerk).get(
        reverse("commitments:detail", args=[staff_signed.public_id])
    )
    url = reverse("commitments:scan", args=[staff_signed.public_id])
    assert url in detail.content.decode() and staff_signed.scan_sha256 in detail.content.decode()
    response = signed_in(county_clerk).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert SubjectQueryLog.objects.filter(route="commitments:scan").count() == 1
    assert signed_in(outsider).get(url).status_code == 404


def test_the_body_accepts_a_self_service_commitment_by_post(
    shipped: Any, body: Any, school: Any, school_user: Any, approver: Any, city_reviewer: Any
) -> None:
    pending = _self_signed(school, body, school_user)
    detail = reverse("commitments:detail", args=[pending.public_id])
    client = signed_in(approver)
    html = client.get(detail).content.decode()
    assert "待受理" in html
    assert reverse("commitments:accept", args=[pending.public_id]) in html
    response = client.post(reverse("commitments:accept", args=[pending.public_id]))
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.credit_record_id is not None
    assert "待受理" not in client.get(detail).content.decode()


def test_a_decision_without_its_content_is_refused_and_the_form_keeps_the_input(
    staff_signed: Any, county_clerk: Any
) -> None:
    client = signed_in(county_clerk)
    decide = reverse("commitments:decide", args=[staff_signed.public_id])
    refused = client.post(
        decide, {"result": CommitmentFulfilment.PARTIAL, "liability_pursued": "约谈并限期整改"}
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "约谈并限期整改" in html
    assert "未履行的承诺内容" in html and "invalid-feedback" in html
    staff_signed.refresh_from_db()
    assert staff_signed.fulfilment == CommitmentFulfilment.UNDECIDED

    done = client.post(
        decide,
        {
            "result": CommitmentFulfilment.PARTIAL,
            "unperformed_content": "未按期提交年度报告",
            "liability_pursued": "约谈并限期整改",
        },
    )
    assert done.status_code == 302
    staff_signed.refresh_from_db()
    assert staff_signed.fulfilment == CommitmentFulfilment.PARTIAL
    assert staff_signed.supervision_state == CommitmentSupervisionState.COMPLETED
    assert staff_signed.unperformed_content == "未按期提交年度报告"
    assert _codes_in_export(client, "state=breached") == [staff_signed.code]


def test_only_the_accepting_body_decides_and_outsiders_get_404(
    staff_signed: Any, city_reviewer: Any, outsider: Any
) -> None:
    decide = reverse("commitments:decide", args=[staff_signed.public_id])
    above = signed_in(city_reviewer).post(decide, {"result": CommitmentFulfilment.FULFILLED})
    assert above.status_code == 400
    assert signed_in(outsider).post(decide, {"result": "全部履行"}).status_code == 404
    staff_signed.refresh_from_db()
    assert staff_signed.fulfilment == CommitmentFulfilment.UNDECIDED


def test_a_subject_signs_in_self_service_and_sees_it_pending(
    shipped: Any, body: Any, school: Any, school_user: Any
) -> None:
    client = signed_in(school_user)
    home = client.get(reverse("self_service:home")).content.decode()
    assert reverse("self_service:commitment_list") in home  # the self-service menu links it
    new = reverse("self_service:commitment_create")
    page = client.get(new + "?matter=CN-MB-02")
    assert page.status_code == 200
    letter = page.context["letter"]
    assert letter is not None
    assert escape(letter.text) in page.content.decode()
    accepting = str(body.public_id)
    assert accepting in [
        value for value, _label in page.context["start"].fields["accepting"].choices
    ]

    stale = client.post(
        new,
        {"action": "sign", "matter": "CN-MB-02", "accepting": accepting, "shown_sha256": "0" * 64},
    )
    assert stale.status_code == 400
    assert not Commitment.objects.filter(institution=school).exists()

    signed = client.post(
        new,
        {
            "action": "sign",
            "matter": "CN-MB-02",
            "accepting": accepting,
            "shown_sha256": letter.sha256,
            "reason": "变更办学地址至中原路 8 号",
        },
    )
    assert signed.status_code == 302
    made = Commitment.objects.get(institution=school)
    assert made.channel == CommitmentChannel.SELF_SERVICE
    assert made.reason == "变更办学地址至中原路 8 号"  # what the school is applying for
    assert made.signed_text == letter.text
    assert made.accepting_organisation == body
    detail = client.get(signed["Location"]).content.decode()
    assert escape(letter.text) in detail
    assert "待受理" in detail
    assert made.code
    assert made.code in client.get(reverse("self_service:commitment_list")).content.decode()


def test_a_subject_declines_with_a_note_of_the_proofs(
    shipped: Any, body: Any, school: Any, school_user: Any
) -> None:
    client = signed_in(school_user)
    new = reverse("self_service:commitment_create")
    form = {"action": "decline", "matter": "CN-MB-02", "accepting": str(body.public_id)}
    empty = client.post(new, {**form, "proofs_note": ""})
    assert empty.status_code == 400
    assert not Commitment.objects.filter(institution=school).exists()
    response = client.post(new, {**form, "proofs_note": "办学许可证复印件一份"})
    assert response.status_code == 302
    declined = Commitment.objects.get(institution=school)
    assert declined.decision == CommitmentDecision.DECLINED
    assert declined.proofs_note == "办学许可证复印件一份"
    assert declined.code is None


def test_another_subject_never_sees_the_commitment(
    shipped: Any, body: Any, school: Any, school_user: Any, approver: Any, teacher: Any
) -> None:
    made = _self_signed(school, body, school_user)
    other = signed_in(make_subject_user(actor=approver, person=teacher))
    url = reverse("self_service:commitment_detail", args=[made.public_id])
    assert other.get(url).status_code == 404
    assert made.code
    assert made.code not in other.get(reverse("self_service:commitment_list")).content.decode()


def test_the_english_pages_show_no_chinese_but_data(
    staff_signed: Any, county_clerk: Any, school_user: Any, body: Any
) -> None:
    data = [
        staff_signed.subject_name,
        staff_signed.matter.name,
        staff_signed.accepting_organisation.name,
        county_clerk.organisation.name,
        county_clerk.full_name,
        body.name,
        *[above.name for above in organisation_ancestors(body)],  # the bodies a subject may pick
        *[f"{m.code} {m.name}" for m in matters_in_force()],  # the filter's and form's choices
    ]
    client = signed_in(county_clerk, "en")
    for url in (
        reverse("commitments:list"),
        reverse("commitments:detail", args=[staff_signed.public_id]),
    ):
        text = visible_text(client.get(url).content.decode())
        assert han_leaks(text, data) == [], (url, han_leaks(text, data))
    subject = signed_in(school_user, "en")
    for url in (
        reverse("self_service:commitment_list"),
        reverse("self_service:commitment_create") + "?matter=CN-MB-02",
    ):
        text = visible_text(subject.get(url).content.decode())
        assert han_leaks(text, data) == [], (url, han_leaks(text, data))


def test_the_list_costs_the_same_queries_for_one_commitment_or_several(
    staff_signed: Any, approver: Any, school: Any, county_clerk: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from educredit.commitments.tests.conftest import PDF

    client = signed_in(county_clerk)
    client.get(reverse("commitments:list"))  # warm the session and the caches
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("commitments:list"))
    matter = matter_in_force("CN-MB-02")
    assert matter is not None
    for n in range(3):
        handle = io.BytesIO(PDF)
        handle.name = f"letter{n}.pdf"
        commitment_sign(actor=approver, matter=matter, institution=school, scan=handle)
    with CaptureQueriesContext(connection) as four:
        page = client.get(reverse("commitments:list"))
    assert page.content.decode().count("data-ec-commitment=") == 4
    assert len(four.captured_queries) <= len(one.captured_queries)
