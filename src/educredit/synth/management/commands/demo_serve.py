"""``educredit demo_serve [ADDRESS]``: the demo site with what runs beside it in production.

``make demo`` ends here. Beside Django's development server it starts, as child processes of
this one (stopped with it):

- the background-task worker (``db_worker``): spreadsheet imports and the periodic jobs run
  there;
- the scheduler (``scheduler``), which enqueues the periodic jobs declared in
  ``educredit.core.schedule``: the outbox send every 15 seconds (posting to the simulator), the
  platform pull and the disclosure-window job daily — and, on its first start, the daily jobs'
  latest slot at once (ADR 0019);
- the provincial platform simulator on 127.0.0.1:8765 (a stand-in for 信用河南);
- the audit log's sequencer (``audit sequence --loop``), which gives the entries every write
  queues their place in the log within seconds (ADR 0044).

So an import, a review and the report to the platform can all be tried from the browser.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

SIMULATOR_PORT = 8765


class Command(BaseCommand):
    help = "运行演示站点及后台任务、省平台模拟器 / Run the demo site with its workers and simulator"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("address", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        simulator = f"http://127.0.0.1:{SIMULATOR_PORT}/api/v1"
        env = {
            **os.environ,
            "EDUCREDIT_EXCHANGE_URL": os.environ.get(
                "EDUCREDIT_EXCHANGE_URL", simulator + "/batches"
            ),
            "EDUCREDIT_EXCHANGE_INBOUND_URL": os.environ.get(
                "EDUCREDIT_EXCHANGE_INBOUND_URL", simulator
            ),
        }
        os.environ.update(env)
        command = [sys.executable, "-m", "educredit.cli"]
        companions = [
            ["db_worker"],
            ["simulator", "--port", str(SIMULATOR_PORT)],
            ["scheduler"],
            ["audit", "sequence", "--loop"],
        ]
        children = [
            subprocess.Popen([*command, *args_], env=env)  # noqa: S603 (our own commands)
            for args_ in companions
        ]
        self.stdout.write(
            f"后台任务、定时任务调度、审计排序器和省平台模拟器（{simulator}）已启动 / "
            "task worker, scheduler, audit sequencer and platform simulator started"
        )
        # SIGTERM (a supervisor, `kill`) stops the companions too, as Ctrl-C does; by default it
        # would end this process alone and leave them running.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        try:
            # No autoreloader: it would run this command twice, and the companions with it.
            call_command("runserver", options["address"], use_reloader=False)
        finally:
            for child in children:
                child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
