"""The shipped matter list: every matter the plan names, each with its basis, on the edition
base; only provincial administrators change it; publishing retires the edition before."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from educredit.audit.models import AuditEntry
from educredit.commitments import data
from educredit.commitments.choices import CommitmentType, MatterCheckMethod
from educredit.commitments.models import Matter, MatterListVersion, TemplateVersion
from educredit.commitments.selectors import matter_in_force, matters_in_force, template_for_matter
from educredit.commitments.services import (
    CommitmentError,
    matter_create,
    matter_list_seed,
    matter_list_version_create,
    matter_list_version_publish,
)
from educredit.editions.models import EditionStatus
from educredit.sanctions.selectors import scenarios

pytestmark = pytest.mark.django_db

# The plan's list (教发规〔2022〕165号 (二)2) and credit repair, each by a word of its name.
PLAN_MATTERS = {
    "考试": "exam_registration",
    "招生": "admissions",
    "项目申报": "research_project",
    "职称": "title_evaluation",
    "学生资助": "student_aid",
    "绩效考核": "promotion",
    "评优评先": "awards_honours",
    "统计": "routine_supervision",
    "民办学校设立": "private_school_approval",
    "民办学校变更": "private_school_approval",
}


def test_the_shipped_list_names_every_matter_of_the_plan_in_its_scenario(shipped: Any) -> None:
    matters = list(matters_in_force())
    for word, scenario in PLAN_MATTERS.items():
        named = [m for m in matters if word in m.name]
        assert named, word
        assert {m.scenario for m in named} == {scenario}, word
    repair = [m for m in matters if m.commitment_type == CommitmentType.CREDIT_REPAIR]
    assert len(repair) == 1


def test_every_shipped_matter_cites_its_basis_and_has_a_template_and_a_known_scenario(
    shipped: Any,
) -> None:
    known = set(scenarios().values_list("code", flat=True))
    for found in matters_in_force():
        assert found.legal_basis.strip(), found.code
        assert template_for_matter(found) is not None, found.code
        assert found.scenario in known or found.commitment_type == CommitmentType.CREDIT_REPAIR
        assert (found.check_method == MatterCheckMethod.ONLINE) == bool(found.online_clause)


def test_the_licence_change_is_an_approval_substitute_checked_online(shipped: Any) -> None:
    change = matter_in_force("CN-MB-02")
    assert change is not None
    assert change.name.startswith("民办学校变更办学许可证")
    assert change.commitment_type == CommitmentType.APPROVAL_SUBSTITUTE
    assert change.online_clause == "licence_must_exist"
    assert change.breach_item_code == "JY-CN-03"


def test_only_the_student_aid_matter_concerns_minors_and_it_is_not_public(shipped: Any) -> None:
    minors = [m for m in matters_in_force() if m.concerns_minors]
    assert [m.code for m in minors] == ["CN-ZZ-01"]
    assert minors[0].publication_type == "不可公开"


def test_seeding_twice_adds_nothing_and_the_first_seed_is_audited(shipped: Any) -> None:
    again = matter_list_seed(actor="system:test")
    assert again.pk == shipped.pk
    assert MatterListVersion.objects.count() == 1
    assert TemplateVersion.objects.count() == 1
    assert Matter.objects.count() == len(data.MATTERS)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"commitments.matter_create", "commitments.matter_list.version_publish"} <= actions


def test_a_county_clerk_cannot_draft_a_matter_list(shipped: Any, county_clerk: Any) -> None:
    with pytest.raises(PermissionDenied):
        matter_list_version_create(
            actor=county_clerk, title="x", effective_from=datetime.date(2027, 1, 1)
        )


def test_a_matter_with_an_unknown_scenario_is_refused(shipped: Any, province_admin: Any) -> None:
    draft = matter_list_version_create(
        actor=province_admin, title="第 2 版", effective_from=datetime.date(2027, 1, 1)
    )
    attributes = {**data.MATTERS[0], "scenario": "no_such_scenario"}
    with pytest.raises(CommitmentError) as refused:
        matter_create(actor=province_admin, version=draft, **attributes)
    assert "scenario" in refused.value.errors
    assert not draft.matters.exists()


def test_publishing_a_new_edition_retires_the_old_one_from_its_date(
    shipped: Any, province_admin: Any
) -> None:
    new_day = datetime.date(2027, 1, 1)
    draft = matter_list_version_create(
        actor=province_admin, title="第 2 版", effective_from=new_day
    )
    matter_create(actor=province_admin, version=draft, **data.MATTERS[0])
    matter_list_version_publish(actor=province_admin, version=draft, effective_from=new_day)
    shipped.refresh_from_db()
    assert shipped.status == EditionStatus.RETIRED
    assert shipped.retired_from == new_day
    assert matter_in_force("CN-KS-01", new_day).version_id == draft.pk  # type: ignore[union-attr]
    assert matter_in_force("CN-MB-02", new_day) is None
    assert matter_in_force("CN-MB-02", new_day - datetime.timedelta(days=1)) is not None


def test_the_seed_command_loads_the_shipped_lists_once(province: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("commitments", "seed", stdout=out)
    call_command("commitments", "seed", stdout=out)
    assert MatterListVersion.objects.count() == 1
    assert matters_in_force().count() == len(data.MATTERS)
    assert f"{len(data.MATTERS)} matters, {len(data.TEMPLATES)} templates" in out.getvalue()


def test_a_matter_whose_online_clause_cannot_be_checked_is_refused(
    shipped: Any, province_admin: Any
) -> None:
    draft = matter_list_version_create(
        actor=province_admin, title="第 2 版", effective_from=datetime.date(2027, 1, 1)
    )
    attributes = {
        **data.MATTERS[0],
        "check_method": "网络核验",
        "online_clause": "deadline_met",
        "online_parameters": {"days_after_signing": 30},  # no items to look for
    }
    with pytest.raises(CommitmentError) as refused:
        matter_create(actor=province_admin, version=draft, **attributes)
    assert "online_parameters" in refused.value.errors
    assert not draft.matters.exists()
