"""Identity resolution, renames, people's protected numbers, affiliations, key rotation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import translation

from educredit.accounts.models import Organisation
from educredit.audit.models import AuditEntry
from educredit.core.crypto import decrypt_text, token_key_id
from educredit.subjects import services
from educredit.subjects.choices import (
    AffiliationRole,
    DocumentType,
    Gender,
    InstitutionKind,
    NameDiscrepancyStatus,
)
from educredit.subjects.models import Affiliation, FormerName, Institution, NameDiscrepancy, Person
from educredit.subjects.tests import factories
from educredit.subjects.tests.conftest import TEACHER_NUMBER

pytestmark = pytest.mark.django_db


def _register(
    actor: Any, supervisor: Organisation, name: str, **kwargs: Any
) -> services.Registration[Institution]:
    kwargs.setdefault("uscc", factories.uscc(7))
    return services.institution_register(
        actor=actor,
        name=name,
        kind=InstitutionKind.PRIMARY_SCHOOL,
        region_code="410102",
        supervisor=supervisor,
        **kwargs,
    )


# --- institutions -------------------------------------------------------------------------


def test_same_uscc_twice_gives_one_institution_and_flags_the_other_name(county, county_clerk):
    first = _register(county_clerk, county, "中原区第七小学")
    again = _register(
        county_clerk, county, "中原区第七小学（西校区）", uscc=f" {factories.uscc(7).lower()} "
    )

    assert first.created and not again.created
    assert again.subject.pk == first.subject.pk
    assert Institution.objects.count() == 1
    again.subject.refresh_from_db()
    assert again.subject.name == "中原区第七小学"  # never overwritten
    flag = NameDiscrepancy.objects.get()
    assert (flag.recorded_name, flag.submitted_name) == (
        "中原区第七小学",
        "中原区第七小学（西校区）",
    )
    assert flag.status == NameDiscrepancyStatus.OPEN and flag.reported_by == county_clerk


def test_the_same_differing_name_is_flagged_once_and_the_same_name_not_at_all(county):
    _register("system:test", county, "甲校")
    _register("system:test", county, "甲校")
    _register("system:test", county, "乙校")
    _register("system:test", county, "乙校")
    assert list(NameDiscrepancy.objects.values_list("submitted_name", flat=True)) == ["乙校"]


def test_moe_code_then_uscc_completes_one_institution(county):
    first = _register("system:test", county, "中原区第七小学", uscc=None, moe_code="4141010001")
    again = _register("system:test", county, "中原区第七小学", moe_code="4141010001")
    assert again.subject.pk == first.subject.pk
    again.subject.refresh_from_db()
    assert again.subject.uscc == factories.uscc(7)
    assert AuditEntry.objects.filter(action="institution.identifier_add").count() == 1


def test_identifiers_of_two_institutions_are_refused_together(county):
    _register("system:test", county, "甲校", uscc=factories.uscc(1))
    _register("system:test", county, "乙校", uscc=None, moe_code="4141010002")
    with pytest.raises(services.SubjectError) as error:
        _register("system:test", county, "甲校", uscc=factories.uscc(1), moe_code="4141010002")
    assert error.value.field == "moe_code"


def test_invalid_uscc_is_refused_with_a_reason_in_the_reader_language(county):
    code = factories.uscc(7)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(services.SubjectError) as error:
        _register("system:test", county, "甲校", uscc=wrong)
    assert error.value.field == "uscc"
    message = error.value.message
    assert "校验码" in str(message) and " / " not in str(message)
    with translation.override("en"):
        assert str(message).startswith("check character should be")
    assert not Institution.objects.exists()


def test_registering_is_audited(county, county_clerk):
    institution = _register(county_clerk, county, "中原区第七小学").subject
    entry = AuditEntry.objects.get(action="institution.register")
    assert entry.actor == county_clerk
    assert entry.target_id == str(institution.pk)


def test_outsider_cannot_register_under_another_county(county, outsider):
    with pytest.raises(PermissionDenied):
        _register(outsider, county, "中原区第七小学")


def test_outsider_registering_a_known_code_of_another_county_is_refused(
    county, other_county, outsider
):
    _register("system:test", county, "中原区第七小学")
    with pytest.raises(services.SubjectError):
        _register(outsider, other_county, "中原区第七小学")
    assert Institution.objects.count() == 1


def test_viewer_cannot_register(county, county_viewer):
    with pytest.raises(PermissionDenied):
        _register(county_viewer, county, "中原区第七小学")


def test_rename_keeps_the_old_name_with_dates(county_institution, county_clerk):
    services.institution_rename(
        actor=county_clerk,
        institution=county_institution,
        new_name="中原区实验小学",
        effective_on=dt.date(2020, 9, 1),
    )
    services.institution_rename(
        actor=county_clerk,
        institution=county_institution,
        new_name="中原区实验学校",
        effective_on=dt.date(2024, 3, 1),
    )
    county_institution.refresh_from_db()
    assert county_institution.name == "中原区实验学校"
    formers = list(
        FormerName.objects.order_by("used_until").values_list("name", "used_from", "used_until")
    )
    assert formers == [
        ("中原区第一小学", None, dt.date(2020, 8, 31)),
        ("中原区实验小学", dt.date(2020, 9, 1), dt.date(2024, 2, 29)),
    ]
    # A list that still uses an old name is not a discrepancy.
    services.institution_register(
        actor=county_clerk,
        name="中原区第一小学",
        kind=InstitutionKind.PRIMARY_SCHOOL,
        region_code="410102",
        supervisor=county_institution.supervisor,
        uscc=county_institution.uscc,
    )
    assert not NameDiscrepancy.objects.exists()


def test_rename_before_the_previous_one_is_refused(county_institution):
    services.institution_rename(
        actor="system:test",
        institution=county_institution,
        new_name="新名",
        effective_on=dt.date(2024, 1, 1),
    )
    with pytest.raises(services.SubjectError):
        services.institution_rename(
            actor="system:test",
            institution=county_institution,
            new_name="更新名",
            effective_on=dt.date(2023, 1, 1),
        )


def test_update_changes_particulars_and_is_audited(county_institution, county_clerk):
    services.institution_update(
        actor=county_clerk,
        institution=county_institution,
        legal_representative="王校长",
        region_code="410103",
    )
    county_institution.refresh_from_db()
    assert (county_institution.legal_representative, county_institution.region_code) == (
        "王校长",
        "410103",
    )
    entry = AuditEntry.objects.filter(action="institution.update").get()
    assert set(entry.changed_fields) == {"legal_representative", "region_code"}


def test_accepting_a_discrepancy_renames_the_institution(county_institution, county_clerk):
    flag = _register(
        county_clerk, county_institution.supervisor, "中原区实验小学", uscc=county_institution.uscc
    ).discrepancy
    assert flag is not None
    services.name_discrepancy_resolve(
        actor=county_clerk,
        discrepancy=flag,
        accept=True,
        note="经核实已更名",
        effective_on=dt.date(2025, 9, 1),
    )
    county_institution.refresh_from_db()
    flag.refresh_from_db()
    assert county_institution.name == "中原区实验小学"
    assert county_institution.former_names.get().name == "中原区第一小学"
    assert flag.status == NameDiscrepancyStatus.ACCEPTED


# --- people -------------------------------------------------------------------------------


def test_resident_id_gives_gender_and_birth_date(county_institution):
    man = factories.make_person(institution=county_institution, name="张伟", number=TEACHER_NUMBER)
    woman = factories.make_person(
        institution=county_institution,
        name="王芳",
        number=factories.resident_id(124, born="19920229"),
    )
    assert (man.gender, man.birth_date) == (Gender.MALE, dt.date(1985, 3, 15))
    assert (woman.gender, woman.birth_date) == (Gender.FEMALE, dt.date(1992, 2, 29))


def test_passport_has_no_derived_fields(county_institution):
    person = factories.make_person(
        institution=county_institution,
        name="John Smith",
        number="E12345678",
        document_type=DocumentType.PASSPORT,
    )
    assert (person.gender, person.birth_date) == (Gender.UNKNOWN, None)
    assert person.id_number_masked != "E12345678"


def test_number_is_encrypted_at_rest_and_masked(teacher):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM subjects_person WHERE id = %s", [teacher.pk])
        row = cursor.fetchone()
    assert not any(TEACHER_NUMBER in str(value) for value in row)
    assert not any(TEACHER_NUMBER[6:14] + TEACHER_NUMBER[14:] in str(value) for value in row)
    assert teacher.id_number_masked == "410102********1232"
    assert decrypt_text(teacher.id_number_cipher) == TEACHER_NUMBER
    assert TEACHER_NUMBER not in str(
        AuditEntry.objects.filter(action="person.register").values().get()
    )


def test_same_number_in_another_spelling_is_the_same_person(teacher):
    again = services.person_register(
        actor="system:test",
        document_type=DocumentType.RESIDENT_ID,
        id_number=" " + TEACHER_NUMBER[:9] + " " + TEACHER_NUMBER[9:],
        name="张 伟",
    )
    assert not again.created and again.subject.pk == teacher.pk
    assert Person.objects.count() == 1
    assert NameDiscrepancy.objects.get().submitted_name == "张 伟"


def test_invalid_resident_id_is_refused_with_reason(county_clerk):
    wrong = TEACHER_NUMBER[:-1] + ("X" if TEACHER_NUMBER[-1] != "X" else "0")
    with pytest.raises(services.SubjectError) as error:
        services.person_register(
            actor=county_clerk, document_type=DocumentType.RESIDENT_ID, id_number=wrong, name="张伟"
        )
    assert error.value.field == "id_number"
    message = error.value.message
    assert "校验码" in str(message)
    with translation.override("en"):
        assert "check" in str(message)
    assert not Person.objects.exists()


def test_viewer_cannot_register_a_person(county_viewer):
    with pytest.raises(PermissionDenied):
        services.person_register(
            actor=county_viewer,
            document_type=DocumentType.RESIDENT_ID,
            id_number=TEACHER_NUMBER,
            name="张伟",
        )


def test_reencrypt_moves_rows_to_the_current_key_without_changing_digests(settings, teacher):
    before = teacher.audit_snapshot()
    old_token = teacher.id_number_cipher
    settings.EDUCREDIT_FIELD_KEYS = {**settings.EDUCREDIT_FIELD_KEYS, "k-rotated": b"\x07" * 32}
    settings.EDUCREDIT_FIELD_KEY_CURRENT = "k-rotated"

    assert services.person_reencrypt_all(actor="system:test") == 1
    teacher.refresh_from_db()
    assert token_key_id(teacher.id_number_cipher) == "k-rotated" != token_key_id(old_token)
    assert decrypt_text(teacher.id_number_cipher) == TEACHER_NUMBER
    assert teacher.audit_snapshot() == before
    assert services.person_reencrypt_all(actor="system:test") == 0


def test_reencrypt_command(settings, teacher):
    from django.core.management import call_command

    settings.EDUCREDIT_FIELD_KEYS = {**settings.EDUCREDIT_FIELD_KEYS, "k2": b"\x09" * 32}
    settings.EDUCREDIT_FIELD_KEY_CURRENT = "k2"
    call_command("subjects", "reencrypt")
    teacher.refresh_from_db()
    assert teacher.id_number_cipher.startswith("k2:")


# --- affiliations and jurisdiction --------------------------------------------------------


def test_open_affiliation_is_not_duplicated_and_can_be_ended(
    teacher, county_institution, county_clerk
):
    again = services.affiliation_add(
        actor=county_clerk,
        person=teacher,
        institution=county_institution,
        role=AffiliationRole.TEACHER,
    )
    assert Affiliation.objects.count() == 1
    services.affiliation_end(actor=county_clerk, affiliation=again, ended_on=dt.date(2025, 7, 1))
    assert Affiliation.objects.get().ended_on == dt.date(2025, 7, 1)


def test_outsider_cannot_add_affiliation_in_another_county(teacher, county_institution, outsider):
    with pytest.raises(PermissionDenied):
        services.affiliation_add(
            actor=outsider,
            person=teacher,
            institution=county_institution,
            role=AffiliationRole.STAFF,
        )


def test_visibility_follows_the_organisation_tree(
    county_institution,
    other_institution,
    teacher,
    other_teacher,
    county_clerk,
    outsider,
    city_reviewer,
):
    assert list(Institution.objects.visible_to(county_clerk)) == [county_institution]
    assert list(Institution.objects.visible_to(outsider)) == [other_institution]
    assert set(Institution.objects.visible_to(city_reviewer)) == {
        county_institution,
        other_institution,
    }
    assert list(Person.objects.visible_to(county_clerk)) == [teacher]
    assert list(Person.objects.visible_to(outsider)) == [other_teacher]


def test_institution_with_its_own_account_is_visible_to_its_users(
    county, county_school, school_clerk, county_admin
):
    institution = factories.make_institution(supervisor=county, name="中原区第一小学", serial=9)
    assert not Institution.objects.visible_to(school_clerk).exists()
    services.institution_update(
        actor=county_admin, institution=institution, organisation=county_school
    )
    assert list(Institution.objects.visible_to(school_clerk)) == [institution]
