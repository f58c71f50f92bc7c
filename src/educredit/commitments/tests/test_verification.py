"""Checks of commitments (核查任务): a task per commitment where the matter checks in full, a
reproducible sampling draw where it samples, the task closed by the fulfilment decision, and
overdue tasks on the to-do list and the task page."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from educredit.audit.models import AuditEntry
from educredit.audit.verification import verify_audit_log
from educredit.commitments.checks import draws
from educredit.commitments.checks.fulfilment import commitment_fulfilment_decide
from educredit.commitments.checks.verification import check_due_on, verification_plan_run
from educredit.commitments.choices import CommitmentFulfilment, VerificationTaskStatus
from educredit.commitments.figures import commitment_figures
from educredit.commitments.models import CheckDraw, Commitment, VerificationTask
from educredit.commitments.selectors import commitments_visible_to, matter_in_force
from educredit.commitments.services import commitment_sign
from educredit.commitments.tests.conftest import PDF
from educredit.core import clock
from educredit.subjects.tests.factories import make_person, resident_id

pytestmark = pytest.mark.django_db


def _sign(actor: Any, code: str, **subject: Any) -> Commitment:
    matter = matter_in_force(code)
    assert matter is not None
    scan = io.BytesIO(PDF)
    scan.name = "承诺书.pdf"
    return commitment_sign(
        actor=actor, matter=matter, reason="申报", scan=scan, **subject
    ).commitment


def test_a_matter_checked_in_full_gives_each_accepted_commitment_a_task_due_on_its_day(
    shipped: Any, approver: Any, school: Any
) -> None:
    made = _sign(approver, "CN-MB-01", institution=school)  # 实地调查, in full, 20 working days
    task = VerificationTask.objects.get(commitment=made)
    made.refresh_from_db()
    assert made.check_planned_on == clock.today()
    assert task.method == "实地调查" and task.status == VerificationTaskStatus.OPEN
    assert task.due_on == check_due_on(made) > made.signed_on
    assert task.organisation == made.accepting_organisation and task.draw is None
    assert verification_plan_run(today=task.due_on) == {"tasks": 0, "draws": 0}  # once


def test_the_daily_plan_catches_up_a_commitment_accepted_without_its_task(
    shipped: Any, approver: Any, school: Any, monkeypatch: Any
) -> None:
    from educredit.commitments import services

    # Accepted while planning did not run (before this feature, say): the daily plan gives it
    # its task, audited, on the day it runs.
    monkeypatch.setattr(services, "verification_plan_commitment", lambda commitment: None)
    made = _sign(approver, "CN-TJ-01", institution=school)
    monkeypatch.undo()
    assert not VerificationTask.objects.filter(commitment=made).exists()
    assert verification_plan_run() == {"tasks": 1, "draws": 0}
    task = VerificationTask.objects.get(commitment=made)
    assert task.due_on == check_due_on(made) and task.method == "书面核查"
    audit = verify_audit_log()
    assert audit.ok, (audit.problems[:3], audit.row_problems[:3])


def test_an_exempt_matter_gets_no_task(shipped: Any, approver: Any, school: Any) -> None:
    made = _sign(approver, "CN-XF-01", institution=school)
    assert not VerificationTask.objects.filter(commitment=made).exists()
    assert verification_plan_run() == {"tasks": 0, "draws": 0}


def test_a_sampled_matter_is_drawn_once_reproducibly_and_only_the_drawn_get_tasks(
    shipped: Any, approver: Any, school: Any
) -> None:
    teachers = [
        make_person(institution=school, name=f"教师{n}", number=resident_id(40 + n))
        for n in range(12)
    ]
    made = [_sign(approver, "CN-ZC-01", person=teacher) for teacher in teachers]  # 20 %
    assert not VerificationTask.objects.exists()  # waiting for the draw
    counts = verification_plan_run()
    assert counts == {"tasks": 3, "draws": 1}  # 20 % of 12, rounded up
    draw = CheckDraw.objects.get()
    assert draw.pool == sorted(str(c.code) for c in made) and draw.sample_rate == 20
    assert draw.pool_sha256 == draws.pool_digest(draw.pool)
    assert draws.draw(draw.seed, draw.pool, draw.sample_rate) == draw.selected
    tasks = VerificationTask.objects.filter(draw=draw)
    assert sorted(str(t.commitment.code) for t in tasks) == sorted(draw.selected)
    assert all(t.method == "书面核查" for t in tasks)
    assert Commitment.objects.filter(check_planned_on__isnull=True).count() == 0
    logged = AuditEntry.objects.get(action="commitments.check_draw")
    assert draw.seed in logged.reason and draw.pool_sha256 in logged.reason
    assert verification_plan_run() == {"tasks": 0, "draws": 0}  # the pool is not drawn twice
    # After the due day only the drawn count as overdue: the others were never to be checked.
    late = max(t.due_on for t in tasks) + dt.timedelta(days=1)
    (row,) = commitment_figures(commitments_visible_to(approver), today=late)
    assert (row.signed, row.overdue) == (12, 3)
    audit = verify_audit_log()  # every planned row and task has its entry
    assert audit.ok, (audit.problems[:3], audit.row_problems[:3])


def test_the_draw_page_redoes_the_draw_and_outsiders_get_404(
    shipped: Any, approver: Any, school: Any, city: Any
) -> None:
    for n in range(3):
        teacher = make_person(institution=school, name=f"教师{n}", number=resident_id(60 + n))
        _sign(approver, "CN-ZC-01", person=teacher)
    verification_plan_run()
    draw = CheckDraw.objects.get()
    client = Client()
    client.force_login(approver)
    page = client.get(f"/commitments/checks/draws/{draw.public_id}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert draw.seed in html and "按种子和名单重新抽取，结果相同" in html
    assert draw.selected[0] in html
    from educredit.testing import factories

    sibling = factories.make_organisation(parent=city, name="另一区教育局", kind="county")
    outsider = factories.make_user(organisation=sibling, username="other.county", roles=["clerk"])
    client.force_login(outsider)
    assert client.get(f"/commitments/checks/draws/{draw.public_id}/").status_code == 404


def test_deciding_the_fulfilment_closes_the_task_with_the_findings(
    shipped: Any, approver: Any, school: Any
) -> None:
    made = _sign(approver, "CN-TJ-01", institution=school)
    commitment_fulfilment_decide(
        actor=approver,
        commitment=made,
        result=CommitmentFulfilment.FULFILLED,
        findings="书面核查：统计台账与上报数据一致",
    )
    task = VerificationTask.objects.get(commitment=made)
    assert task.status == VerificationTaskStatus.DONE
    assert task.findings == "书面核查：统计台账与上报数据一致"
    assert task.done_by == approver.full_name and task.done_on == clock.today()
    audit = verify_audit_log()
    assert audit.ok, (audit.problems[:3], audit.row_problems[:3])


def test_an_overdue_task_is_on_the_to_do_list_and_the_task_page(
    shipped: Any, approver: Any, school: Any
) -> None:
    made = _sign(approver, "CN-MB-01", institution=school)
    client = Client()
    client.force_login(approver)
    home = client.get("/workspace/").content.decode()
    assert "项承诺核查任务已超过核查期限" not in home  # due in 20 working days
    # The due day passes with the task still open.
    yesterday = clock.today() - dt.timedelta(days=1)
    VerificationTask.objects.filter(commitment=made).update(due_on=yesterday)
    home = client.get("/workspace/").content.decode()
    assert "项承诺核查任务已超过核查期限" in home and "/commitments/checks/?state=overdue" in home
    page = client.get("/commitments/checks/?state=overdue").content.decode()
    assert str(made.code) in page and "已逾期" in page
    assert str(made.code) not in client.get("/commitments/checks/?state=done").content.decode()
    export = client.get("/commitments/checks/?state=overdue&export=xlsx")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_command_plans_the_checks_for_a_day(shipped: Any, approver: Any, school: Any) -> None:
    teacher = make_person(institution=school, name="赵老师", number=resident_id(70))
    _sign(approver, "CN-ZC-01", person=teacher)
    out = io.StringIO()
    call_command("commitments", "plan-checks", "--date", clock.today().isoformat(), stdout=out)
    assert "抽查 1 次" in out.getvalue() and "1 draws" in out.getvalue()


@settings(max_examples=60, deadline=None)
@given(
    seed=st.text(alphabet="0123456789abcdef", min_size=32, max_size=32),
    pool=st.sets(st.text(alphabet="0123456789", min_size=20, max_size=20), max_size=40),
    rate=st.integers(min_value=1, max_value=100),
)
def test_a_draw_is_a_function_of_its_seed_pool_and_rate(
    seed: str, pool: set[str], rate: int
) -> None:
    drawn = draws.draw(seed, list(pool), rate)
    assert drawn == draws.draw(seed, sorted(pool, reverse=True), rate)  # order does not matter
    assert len(drawn) == len(set(drawn)) == draws.sample_size(len(pool), rate)
    assert set(drawn) <= pool
    if pool:
        assert len(drawn) >= 1 and len(drawn) * 100 >= len(pool) * rate
        assert (len(drawn) - 1) * 100 < len(pool) * rate
