"""``educredit demo``: one login per role and level, and a second run changes nothing."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from educredit.accounts.models import Organisation, User
from educredit.audit.models import AuditEntry, TreeHead
from educredit.subjects.models import Institution, Person
from educredit.synth.demo import DEMO_PASSWORD
from educredit.synth.models import ProvinceLoad

pytestmark = pytest.mark.django_db

DEMO_USERS = {
    "province_admin": "province",
    "zhengzhou_reviewer": "city",
    "zhongyuan_clerk": "county",
    "zhongyuan_viewer": "county",
    "university_clerk": "university",
    "school_clerk": "school",
}


def run_demo(out: Path) -> str:
    stdout = StringIO()
    call_command("demo", scale=0.0002, people_factor=0.01, out=out, stdout=stdout)
    return stdout.getvalue()


def test_demo_twice_makes_everything_once(tmp_path: Path, totp_required: None) -> None:
    first = run_demo(tmp_path)
    counts = (
        Organisation.objects.count(),
        User.objects.count(),
        Institution.objects.count(),
        Person.objects.count(),
    )
    second = run_demo(tmp_path)
    assert counts == (
        Organisation.objects.count(),
        User.objects.count(),
        Institution.objects.count(),
        Person.objects.count(),
    )
    assert ProvinceLoad.objects.count() == 1
    for output in (first, second):
        assert DEMO_PASSWORD in output
        assert "educredit totp-code" in output
        assert "http://127.0.0.1:8000/workspace/" in output
        for username in DEMO_USERS:
            assert username in output


def test_demo_logins_sit_at_every_level(tmp_path: Path, totp_required: None) -> None:
    run_demo(tmp_path)
    for username, kind in DEMO_USERS.items():
        user = User.objects.select_related("organisation").get(username=username)
        assert user.is_demo
        assert user.check_password(DEMO_PASSWORD)
        assert user.organisation is not None and user.organisation.kind == kind
    reviewer = User.objects.get(username="zhengzhou_reviewer")
    admin = User.objects.get(username="province_admin")
    assert reviewer.totp_confirmed and admin.totp_confirmed
    clerk = User.objects.get(username="zhongyuan_clerk")
    assert not clerk.totp_confirmed  # clerks sign in with a password only
    # The real list of Henan's universities is imported, and the university login is 郑州大学's.
    assert Institution.objects.filter(moe_code__isnull=False).count() == 134
    university_clerk = User.objects.get(username="university_clerk")
    university = Institution.objects.get(organisation=university_clerk.organisation)
    assert university.name == "郑州大学"
    assert list(Institution.objects.visible_to(university_clerk)) == [university]


def test_demo_school_clerk_sees_only_their_school(tmp_path: Path) -> None:
    run_demo(tmp_path)
    clerk = User.objects.get(username="school_clerk")
    county = User.objects.get(username="zhongyuan_clerk")
    school = Institution.objects.get(organisation=clerk.organisation)
    assert school.kind == "primary" and school.region_code == "410102"
    assert list(Institution.objects.visible_to(clerk)) == [school]
    assert Person.objects.visible_to(clerk).exists()
    county_sees = Institution.objects.visible_to(county)
    assert school in county_sees
    assert {i.region_code for i in county_sees} == {"410102"}


def test_demo_leaves_every_entry_provable(tmp_path: Path) -> None:
    run_demo(tmp_path)
    head = TreeHead.objects.order_by("-size").first()
    assert head is not None and head.size == AuditEntry.objects.count()
    proof = StringIO()
    call_command("audit", "prove", "1", stdout=proof)
    assert '"leaf_index": 0' in proof.getvalue()


def test_demo_carries_records_of_every_catalog_item(tmp_path: Path) -> None:
    from educredit.catalog.selectors import catalog_items
    from educredit.records.models import CreditListEntry, CreditRecord

    run_demo(tmp_path)
    items = list(catalog_items())
    assert items
    missing = [item.code for item in items if not CreditRecord.objects.filter(catalog_item=item)]
    assert missing == []
    assert {entry.kind for entry in CreditListEntry.objects.all()} == {"red", "serious", "focus"}


def test_demo_institutions_can_be_found_on_the_portal(tmp_path: Path, client) -> None:
    run_demo(tmp_path)
    school = Institution.objects.filter(name__contains="中原区").order_by("pk").first()
    assert school is not None
    response = client.get("/query/", {"q": school.name})
    assert school.name in response.content.decode()
