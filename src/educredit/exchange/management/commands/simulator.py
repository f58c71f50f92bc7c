"""``educredit simulator [--host H] [--port 8765] [--inbound FILE.json]``: the provincial
platform simulator in the foreground (see ``educredit.exchange.simulator``).

``--inbound`` loads ``{"evaluations": [...], "dishonesty": [...]}`` for the inbound endpoints.
Take it down for a while with ``POST /control {"down_for": 60}``, slow it with ``{"delay": 5}``,
make it fail with ``{"fail": 503}`` (``{"fail": null}`` to stop).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from educredit.exchange.simulator import PlatformSimulator


class Command(BaseCommand):
    help = "省平台模拟器 / Provincial platform simulator (HTTP, JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--inbound", help="JSON file with evaluations and dishonesty lists")

    def handle(self, *args: Any, **options: Any) -> None:
        sim = PlatformSimulator(options["host"], options["port"])
        if options["inbound"]:
            try:
                data = json.loads(Path(options["inbound"]).read_text(encoding="utf-8"))
                sim.set_inbound(
                    evaluations=data.get("evaluations"), dishonesty=data.get("dishonesty")
                )
            except (OSError, ValueError, AttributeError) as exc:
                raise CommandError(
                    f"无法读取 {options['inbound']} / cannot read it: {exc}"
                ) from exc
        sim.start()
        self.stdout.write(
            f"platform simulator on {sim.url} (batches: {sim.batch_url}); Ctrl-C stops"
        )
        sim.serve_forever()
