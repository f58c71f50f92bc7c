"""``educredit sanctions seed|export``: the measure list from the command line.

- ``seed``: load the shipped scenarios and version 1 of the measure list when none exists yet
  (audited, idempotent; loads the shipped catalog first if needed) — run once on a new
  installation; ``educredit demo`` runs it too;
- ``export NUMBER FILE.xlsx``: write a version as a workbook;
- ``restrictions recompute``: recompute every subject's restrictions from the records, lists
  and measure list (audited; writes only what changed; the nightly job does the same);
- ``subscribe PREFIX --scenarios a,b [--webhook URL] [--rotate-secret]``: subscribe an API
  client (by its key prefix) to the initiations of some scenarios (ADR 0023); the webhook
  secret is printed once, when made or rotated;
- ``replay CHECK_ID``: a logged check (its public id) beside its replay at its day and data
  version from the restriction history (ADR 0042), both verdicts with their measures, for staff
  and auditors asking "was that answer right for the data of its moment?";
- ``day-events [--date YYYY-MM-DD]``: append the day's 开始执行 / 期满解除 events (today in
  Beijing by default) as the nightly job does; running a day twice appends nothing more.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from educredit.accounts.models import ApiClient
from educredit.sanctions.day_events import day_events_run
from educredit.sanctions.models import ScreeningCheck
from educredit.sanctions.replay import ReplayUnavailableError, replay_check
from educredit.sanctions.selectors import measure_list_version_by_number
from educredit.sanctions.services import measure_list_seed, restrictions_recompute_all
from educredit.sanctions.spreadsheet import export_measure_list
from educredit.sanctions.subscriptions import SubscriptionError, subscription_set

ACTOR = "system:sanctions-command"


class Command(BaseCommand):
    help = "信用激励和惩戒措施清单 / The measure list: load the shipped version, export."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("seed", help="load the shipped version 1 if there is no measure list yet")
        export = sub.add_parser("export", help="write a version as an XLSX workbook")
        export.add_argument("number", type=int)
        export.add_argument("file", type=Path)
        restrictions = sub.add_parser("restrictions", help="subjects' restrictions")
        what = restrictions.add_subparsers(dest="restrictions_action", required=True)
        what.add_parser("recompute", help="recompute every restriction (audited)")
        subscribe = sub.add_parser("subscribe", help="subscribe an API client to initiations")
        subscribe.add_argument("prefix", help="the client's key prefix (educredit apiclient list)")
        subscribe.add_argument("--scenarios", required=True, help="comma-separated codes")
        subscribe.add_argument("--webhook", default="", help="URL to POST signed events to")
        subscribe.add_argument("--rotate-secret", action="store_true")
        replay = sub.add_parser("replay", help="replay a check at its day and data version")
        replay.add_argument("check_id", help="the check's id (the answer's check_id)")
        day_events = sub.add_parser(
            "day-events", help="append the events of the terms starting or lapsing on a day"
        )
        day_events.add_argument(
            "--date", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default today)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seed":
            version = measure_list_seed(actor=ACTOR)
            self.stdout.write(
                f"措施清单第 {version.number} 版（{version.get_status_display()}，"
                f"{version.measures.count()} 项措施）/ measure list version {version.number}"
            )
            return
        if options["action"] == "subscribe":
            self._subscribe(options)
            return
        if options["action"] == "replay":
            self._replay(options["check_id"])
            return
        if options["action"] == "day-events":
            result = day_events_run(day=options["date"])
            self.stdout.write(
                f"{result.day}：开始执行 {result.in_force}，期满解除 {result.lapsed}，"
                f"本次新增 {result.appended} / in force {result.in_force}, lapsed "
                f"{result.lapsed}, appended now {result.appended}"
            )
            return
        if options["action"] == "restrictions":
            counts = restrictions_recompute_all(actor=ACTOR)
            self.stdout.write(
                f"依据 {counts.bases} 项，措施 {counts.rows} 条：新增 {counts.created}，"
                f"变更 {counts.updated}，删除 {counts.deleted} / bases {counts.bases}, "
                f"rows {counts.rows}: created {counts.created}, updated {counts.updated}, "
                f"deleted {counts.deleted}"
            )
            return
        found = measure_list_version_by_number(options["number"])
        if found is None:
            raise CommandError(f"没有第 {options['number']} 版 / no version {options['number']}")
        options["file"].write_bytes(export_measure_list(found))
        self.stdout.write(f"已导出 / exported: {options['file']}")

    def _subscribe(self, options: dict[str, Any]) -> None:
        client = ApiClient.objects.filter(key_prefix=options["prefix"], is_active=True).first()
        if client is None:
            raise CommandError(f"没有前缀为 {options['prefix']} 的有效接口调用方 / no such client")
        try:
            subscription, secret = subscription_set(
                actor=ACTOR,
                client=client,
                scenarios=options["scenarios"].split(","),
                webhook_url=options["webhook"],
                rotate_secret=options["rotate_secret"],
            )
        except SubscriptionError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{client.name}：订阅 {', '.join(subscription.scenarios)} / subscribed"
            + (f"，回调 / webhook {subscription.webhook_url}" if subscription.webhook_url else "")
        )
        if secret is not None:
            self.stdout.write(
                f"签名密钥只显示这一次 / The signing secret is shown this once:\n{secret}"
            )

    def _replay(self, check_id: str) -> None:
        try:
            found = ScreeningCheck.objects.filter(public_id=uuid.UUID(check_id)).first()
        except ValueError:
            found = None
        if found is None:
            raise CommandError(f"没有核查记录 {check_id} / no check {check_id}")
        try:
            replayed = replay_check(found)
        except ReplayUnavailableError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"核查 / check {replayed.check_id}：{replayed.scenario}，核查日期 / as of "
            f"{replayed.as_of}，数据版本 / data version {replayed.data_version}"
        )
        for label, verdict, measures in (
            ("记录的结论 / logged", replayed.logged_verdict, replayed.logged_measures),
            ("复现的结论 / replayed", replayed.verdict, replayed.measures),
        ):
            self.stdout.write(f"{label}: {verdict}")
            for measure in measures:
                basis = f" {measure['basis']}" if measure.get("basis") else ""
                self.stdout.write(
                    f"    {measure['code']} v{measure['version']} {measure['verdict']} "
                    f"{measure['starts_on']} – {measure['ends_on'] or '…'}{basis}"
                )
        if replayed.same:
            self.stdout.write("一致 / same")
        else:
            raise CommandError("复现结论与记录不一致 / the replay differs from the logged answer")
