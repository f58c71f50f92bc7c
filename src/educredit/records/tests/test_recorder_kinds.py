"""Who records what (ADR 0037): the catalog names the organisation kinds that may record an
item, and the service, the API, the imports and the entry forms all hold to it — a school
keeps its teachers' records but records no administrative penalty."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from educredit.accounts.choices import UserRole
from educredit.audit.models import AuditEntry
from educredit.catalog.choices import InfoCategory, SubjectType
from educredit.records import services
from educredit.records.imports import records_import_upload
from educredit.records.models import CreditRecord
from educredit.records.tests.factories import make_catalog_item, make_record
from educredit.subjects.tests.factories import make_institution, uscc
from educredit.testing.factories import make_api_client, make_user

pytestmark = pytest.mark.django_db

BUREAUS = ["province", "city", "county"]


@pytest.fixture
def penalty_item() -> Any:
    """An administrative penalty: bureaus record it, schools never."""
    return make_catalog_item(recorder_kinds=BUREAUS)


@pytest.fixture
def ethics_item() -> Any:
    """A teacher-ethics finding, which a school records about its own teachers."""
    return make_catalog_item(
        name="师德考核结果信息",
        category=InfoCategory.ETHICS,
        subject_type=SubjectType.PERSON,
        recorder_kinds=[*BUREAUS, "school"],
        field_schema=[],
    )


def test_a_school_records_its_own_findings_but_no_penalty(
    school_clerk: Any, county_school: Any, penalty_item: Any
) -> None:
    institution = make_institution(supervisor=county_school, name="一小本校", serial=72)
    entries = AuditEntry.objects.count()
    with pytest.raises(services.RecordError) as refused:
        make_record(actor=school_clerk, catalog_item=penalty_item, institution=institution)
    message = refused.value.errors["catalog_item"]
    assert "中小学" in message and "县教育局" in message
    assert CreditRecord.objects.count() == 0 and AuditEntry.objects.count() == entries
    # The same school records what the catalog gives it (here: an item open to every kind).
    record = make_record(
        actor=school_clerk, catalog_item=make_catalog_item(), institution=institution
    )
    assert record.organisation == county_school


def test_a_county_clerk_records_the_penalty(county_clerk: Any, penalty_item: Any) -> None:
    record = make_record(actor=county_clerk, catalog_item=penalty_item)
    assert record.organisation == county_clerk.organisation


def test_the_api_answers_422_with_the_reason(county_school: Any, penalty_item: Any) -> None:
    _client, key = make_api_client(
        organisation=county_school, name="一小系统", scopes=["records:write", "records:read"]
    )
    institution = make_institution(supervisor=county_school, name="一小分校", serial=73)
    response = Client().post(
        "/api/records/",
        {
            "catalog_item": str(penalty_item.public_id),
            "title": "擅自收费",
            "decision_number": "一小〔2026〕1号",
            "issuing_body": "中原区第一小学",
            "issuing_body_uscc": uscc(9, "410102"),
            "decision_date": "2026-03-01",
            "institution_uscc": institution.uscc,
            "payload": {"penalty_content": "警告"},
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 422, response.content
    assert "catalog_item" in response.json()["errors"]
    assert CreditRecord.objects.count() == 0


def test_an_import_of_such_an_item_is_refused_whole(
    school_clerk: Any, county_school: Any, penalty_item: Any
) -> None:
    institution = make_institution(supervisor=county_school, name="一小三校", serial=74)
    csv = (
        "事由,认定单位,决定日期,主体统一社会信用代码,处罚内容\n"
        f"擅自收费,中原区第一小学,2026-03-01,{institution.uscc},警告\n"
    ).encode()
    upload = SimpleUploadedFile("penalties.csv", csv, content_type="text/csv")
    result = records_import_upload(actor=school_clerk, item=penalty_item, upload=upload)
    assert result.created == 0 and result.errors
    assert result.errors[0].row == 0 and "不能录入" in result.errors[0].reason
    assert CreditRecord.objects.count() == 0


def test_entry_and_import_forms_list_only_recordable_items(
    client: Any, school_clerk: Any, county_clerk: Any, penalty_item: Any, ethics_item: Any
) -> None:
    penalty_item.version.status = "published"
    penalty_item.version.save(update_fields=["status"])
    for url in ("/records/new/", "/records/import/"):
        client.force_login(school_clerk)
        page = client.get(url).content.decode()
        assert str(ethics_item.public_id) in page and str(penalty_item.public_id) not in page
        client.force_login(county_clerk)
        assert str(penalty_item.public_id) in client.get(url).content.decode()
    # Asking for the penalty item by hand gets the form's refusal, not its fields.
    client.force_login(school_clerk)
    page = client.get(f"/records/new/?item={penalty_item.public_id}").content.decode()
    assert "处罚内容" not in page


def test_a_school_lists_nobody(school_clerk: Any, county_clerk: Any, city_reviewer: Any) -> None:
    """Listing (认定名单) is a bureau's decision: the service refuses a school's clerk."""
    from django.core.exceptions import PermissionDenied

    from educredit.records import lists
    from educredit.records.choices import CreditListKind

    school_admin = make_user(
        organisation=school_clerk.organisation, username="yx.admin", roles=[UserRole.ADMIN]
    )
    record = make_record(actor=school_admin, status="effective", reviewer=city_reviewer)
    assert record.institution is not None
    with pytest.raises(PermissionDenied, match="无权认定信用名单"):
        lists.list_entry_propose(
            actor=school_admin,
            kind=CreditListKind.FOCUS,
            subject=record.institution,
            basis_records=[record],
            reason="演示",
            legal_basis="《河南省社会信用条例》",
            measures="重点监管",
            exit_conditions="整改",
        )
