"""``educredit synth --scale S --out DIR [--seed N]``: write a synthetic Henan as CSV files."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from educredit.synth.generator import province_generate


class Command(BaseCommand):
    help = "生成合成的河南省教育数据（CSV） / Generate a synthetic Henan province as CSV files"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=float, required=True, help="1.0 ≈ 50 000 institutions, 27 M people"
        )
        parser.add_argument("--out", type=Path, required=True, help="output directory")
        parser.add_argument("--seed", type=int, default=2026, help="same seed, same files")
        parser.add_argument(
            "--people-factor",
            type=float,
            default=1.0,
            help="multiply every institution's staff and enrolment (1.0 = realistic sizes)",
        )
        parser.add_argument(
            "--ensure-county",
            action="append",
            default=[],
            metavar="CODE",
            help="county code that gets at least a kindergarten, a primary and a secondary "
            "school whatever the scale (repeatable)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        verbose = options["verbosity"] > 1

        def progress(table: str, rows: int) -> None:
            if verbose:
                self.stdout.write(f"  {table}: {rows:,}")

        try:
            result = province_generate(
                directory=options["out"],
                scale=options["scale"],
                seed=options["seed"],
                ensure_counties=options["ensure_county"],
                people_factor=options["people_factor"],
                progress=progress,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        counts = ", ".join(f"{name} {value:,}" for name, value in result.counts.items())
        self.stdout.write(
            f"已生成 / generated {result.directory} (dataset {result.dataset_id}) in "
            f"{time.monotonic() - started:.1f} s: {counts}"
        )
