"""``educredit commitments seed``: load the shipped commitment matter list and templates
(edition 1 of each, audited, idempotent; loads the shipped catalog and measure list first if
needed) — run once on a new installation; ``educredit demo`` runs it too.

``educredit commitments plan-checks [--date YYYY-MM-DD]``: the daily planning of checks by
hand (the scheduler runs it at 02:15): a task for each commitment accepted under a matter
checked in full, one sampling draw per sampled matter and body.

``educredit commitments check-online [--date YYYY-MM-DD]``: the daily 网络核验 by hand (the
scheduler runs it at 02:30), deciding every 网络核验 task that fell due before the date; it
plans the day's checks first, as the 02:15 job would have."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from educredit.commitments.checks.fulfilment import commitment_online_checks_run
from educredit.commitments.checks.verification import verification_plan_run
from educredit.commitments.selectors import template_edition_of
from educredit.commitments.services import matter_list_seed

ACTOR = "system:commitments-command"


class Command(BaseCommand):
    help = "信用承诺事项清单和承诺书模板 / The commitment matter list and letter templates."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("seed", help="load the shipped edition 1 if there is none yet")
        online = sub.add_parser("check-online", help="run the 网络核验 of the commitments due")
        online.add_argument("--date", help="the day to run it for (YYYY-MM-DD; today)")
        plan = sub.add_parser("plan-checks", help="plan the checks: tasks and sampling draws")
        plan.add_argument("--date", help="the day to run it for (YYYY-MM-DD; today)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] in ("check-online", "plan-checks"):
            today = _day(options.get("date"))
            self._plan(today)
            if options["action"] == "check-online":
                self._check_online(today)
            return
        version = matter_list_seed(actor=ACTOR)
        templates = template_edition_of(version.effective_from)
        count = templates.templates.count() if templates is not None else 0
        self.stdout.write(
            f"信用承诺事项清单第 {version.number} 版（{version.get_status_display()}，"
            f"{version.matters.count()} 项事项；模板 {count} 个）/ matter list edition "
            f"{version.number}: {version.matters.count()} matters, {count} templates"
        )

    def _plan(self, today: dt.date | None) -> None:
        counts = verification_plan_run(today=today)
        tasks, drawn = counts["tasks"], counts["draws"]
        self.stdout.write(
            f"核查安排：新任务 {tasks}，抽查 {drawn} 次"
            f" / check plan: {tasks} new tasks, {drawn} draws"
        )

    def _check_online(self, today: dt.date | None) -> None:
        counts = commitment_online_checks_run(today=today)
        kept, breached, failed = counts["kept"], counts["breached"], counts["failed"]
        self.stdout.write(
            f"网络核验：履行 {kept}，违诺 {breached}，未能认定 {failed}"
            f" / online check: kept {kept}, breached {breached}, not decided {failed}"
        )


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD / not a date: {value}") from exc
