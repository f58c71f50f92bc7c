"""``educredit demo``: one login per role and level, and a second run changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from educredit.accounts.models import Organisation, User
from educredit.audit.models import AuditEntry, TreeHead
from educredit.audit.verification import verify_audit_log
from educredit.subjects.models import Institution, Person
from educredit.synth.demo import DEMO_PASSWORD
from educredit.synth.models import ProvinceLoad
from educredit.testing.shared_data import shared_data

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
    assert clerk.totp_confirmed  # every staff role enrols (ADR 0031)
    # The real list of Henan's universities is imported, and the university login is 郑州大学's.
    assert Institution.objects.filter(moe_code__isnull=False).count() == 134
    university_clerk = User.objects.get(username="university_clerk")
    university = Institution.objects.get(organisation=university_clerk.organisation)
    assert university.name == "郑州大学"
    assert list(Institution.objects.visible_to(university_clerk)) == [university]


@dataclass(frozen=True)
class Demo:
    """What one ``educredit demo`` run left: its directory and what it printed."""

    directory: Path
    output: str


@pytest.fixture(scope="class")
def demo_once(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Demo]:
    """One demo run (without TOTP, as these tests' settings have it) for the tests of the
    class, which read what it made; each test's own writes roll back before the next
    (``testing.shared_data``)."""

    def make() -> Demo:
        directory = tmp_path_factory.mktemp("demo")
        return Demo(directory=directory, output=run_demo(directory))

    yield from shared_data(django_db_blocker, make)


class TestOneDemoRun:
    """What a first run of the demo leaves, read by each test from the same run."""

    def test_demo_school_clerk_sees_only_their_school(self, demo_once: Demo) -> None:
        clerk = User.objects.get(username="school_clerk")
        county = User.objects.get(username="zhongyuan_clerk")
        school = Institution.objects.get(organisation=clerk.organisation)
        assert school.kind == "primary" and school.region_code == "410102"
        assert list(Institution.objects.visible_to(clerk)) == [school]
        assert Person.objects.visible_to(clerk).exists()
        county_sees = Institution.objects.visible_to(county)
        assert school in county_sees
        assert {i.region_code for i in county_sees} == {"410102"}

    def test_demo_leaves_every_entry_provable(self, demo_once: Demo) -> None:
        head = TreeHead.objects.order_by("-size").first()
        assert head is not None and head.size == AuditEntry.objects.count()
        proof = StringIO()
        from educredit.audit.models import SequencedLeaf

        first = SequencedLeaf.objects.get(seq=1).entry_id
        call_command("audit", "prove", str(first), stdout=proof)
        assert '"leaf_index": 0' in proof.getvalue()
        # Every audited row the demo wrote (approvals enqueue 双公示 reports too) is explained.
        verification = verify_audit_log()
        assert verification.ok, (verification.problems[:3], verification.row_problems[:3])

    def test_demo_carries_records_of_every_catalog_item(self, demo_once: Demo) -> None:
        from educredit.catalog.selectors import catalog_items
        from educredit.records.models import CreditListEntry, CreditRecord

        items = list(catalog_items())
        assert items
        missing = [
            item.code for item in items if not CreditRecord.objects.filter(catalog_item=item)
        ]
        assert missing == []
        # Every list has an entry to explore, the 科研诚信严重失信行为数据库 included.
        assert {entry.kind for entry in CreditListEntry.objects.all()} == {
            "red",
            "serious",
            "focus",
            "research",
        }

    def test_demo_institutions_can_be_found_on_the_portal(self, demo_once: Demo, client) -> None:
        school = Institution.objects.filter(name__contains="中原区").order_by("pk").first()
        assert school is not None
        response = client.get("/query/", {"q": school.name})
        assert school.name in response.content.decode()

    def test_demo_universities_are_found_by_their_short_names(
        self, demo_once: Demo, client
    ) -> None:
        html = client.get("/query/", {"q": "郑大"}).content.decode()
        assert ">郑州大学</a>" in html
        assert ">郑州轻工业大学</a>" in client.get("/query/", {"q": "郑轻"}).content.decode()

    def test_demo_offers_a_training_institution_to_try_a_penalty_on(
        self, demo_once: Demo, client
    ) -> None:
        """Issue 3's flow can be tried in the demo: 中原区 supervises a training institution that
        the county clerk can enter a penalty on and the Zhengzhou reviewer can approve, and the
        closing summary says so."""
        from educredit.audit.selectors import audit_entries_for
        from educredit.catalog.selectors import catalog_items
        from educredit.core.clock import today
        from educredit.core.identifiers import validate_uscc
        from educredit.records import services as records_services
        from educredit.records.choices import CreditRecordStatus
        from educredit.synth.demo import DEMO_TRAINING_NAME, DEMO_TRAINING_USCC

        first = demo_once.output
        clerk = User.objects.get(username="zhongyuan_clerk")
        reviewer = User.objects.get(username="zhengzhou_reviewer")
        training = Institution.objects.visible_to(clerk).get(kind="training")
        assert training.name == DEMO_TRAINING_NAME
        assert training.uscc == DEMO_TRAINING_USCC and training.uscc.startswith("91")
        validate_uscc(training.uscc)
        assert training.supervisor == clerk.organisation
        assert Institution.objects.visible_to(reviewer).filter(pk=training.pk).exists()
        assert [e.action for e in audit_entries_for(training)] == ["institution.register"]
        summary = first.split("试一试 / try this:", 1)[1]
        for words in ("zhongyuan_clerk", DEMO_TRAINING_NAME, "zhengzhou_reviewer", "门户"):
            assert words in summary

        second = run_demo(demo_once.directory)
        assert Institution.objects.filter(uscc=DEMO_TRAINING_USCC).count() == 1
        assert len(audit_entries_for(training)) == 1
        assert DEMO_TRAINING_NAME in second.split("试一试 / try this:", 1)[1]

        # What the summary suggests works: entered by the clerk, approved by the reviewer, public.
        penalty = next(item for item in catalog_items() if item.code == "JY-CF-02")
        record = records_services.credit_record_create(
            actor=clerk,
            catalog_item=penalty,
            institution=training,
            title="超范围开展学科类培训",
            issuing_body=clerk.organisation.name,
            decision_date=today(),
            payload={
                "violation_type": "超范围培训",
                "violation_facts": "开展学科类培训",
                "penalty_basis": "《校外培训行政处罚暂行办法》",
                "penalty_category": "警告",
                "penalty_content": "警告",
                "valid_until": today().isoformat(),
            },
        )
        record = records_services.credit_record_submit(actor=clerk, record=record)
        record = records_services.credit_record_approve(actor=reviewer, record=record)
        assert record.status == CreditRecordStatus.EFFECTIVE
        assert DEMO_TRAINING_NAME in client.get("/query/", {"q": training.uscc}).content.decode()
        response = client.get(f"/institutions/{training.public_id}/")
        assert "超范围开展学科类培训" in response.content.decode()

    def test_demo_subjects_sign_in_to_self_service(self, demo_once: Demo, client) -> None:
        """Issue 6's walk can be tried: the training institution and a teacher sign in to
        self-service with the demo password, see their own records, and the institution's
        penalty is already past its minimum disclosure period (so it can be repaired)."""
        from educredit.core.clock import today
        from educredit.records.models import CreditRecord
        from educredit.synth.demo_rights import PENALTY_NUMBER, TEACHER_LOGIN, TRAINING_LOGIN

        out = demo_once.output
        assert TRAINING_LOGIN in out and TEACHER_LOGIN in out
        penalty = CreditRecord.objects.get(decision_number=PENALTY_NUMBER)
        assert penalty.status == "effective"
        assert penalty.repair_allowed_from is not None and penalty.repair_allowed_from <= today()
        for username in (TRAINING_LOGIN, TEACHER_LOGIN):
            signed = client.post(
                "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
            )
            assert signed.status_code == 302 and signed["Location"] == "/self/"
            home = client.get("/self/")
            assert home.status_code == 200
            assert "data-ec-record" in home.content.decode()
            client.logout()
