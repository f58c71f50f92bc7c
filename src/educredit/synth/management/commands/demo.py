"""``educredit demo --scale S``: a small synthetic province and one demo login per role."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from educredit.synth.demo import DEMO_PASSWORD, demo_prepare


def _width(text: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


class Command(BaseCommand):
    help = "准备演示环境：合成省份数据与演示账号 / Prepare the demo: a small province and logins"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=0.0005)
        parser.add_argument(
            "--out", type=Path, default=None, help="where the CSV files go (default var/demo)"
        )
        parser.add_argument("--people-factor", type=float, default=1.0)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        directory = options["out"] or Path(settings.VAR_DIR) / "demo"
        verbose = options["verbosity"] > 0

        def progress(table: str, done: int, total: int) -> None:
            if verbose and done == total:
                self.stdout.write(f"  {table}: {total:,}")

        report = demo_prepare(
            scale=options["scale"],
            directory=directory,
            people_factor=options["people_factor"],
            progress=progress,
        )
        write = self.stdout.write
        state = "已导入 / loaded" if report.loaded_now else "已存在 / already loaded"
        counts = ", ".join(f"{k} {v:,}" for k, v in report.counts.items())
        write(f"合成省份 / synthetic province {report.dataset_id}: {state} ({counts})")
        for note in report.notes:
            write(f"注意 / note: {note}")
        write("")
        write(f"演示账号（密码均为 / every password is: {DEMO_PASSWORD}）")
        columns = ("用户名 username", "角色 role", "机构 organisation", "可见范围 sees")
        rows = [(x.username, x.role, x.organisation, x.sees) for x in report.logins]
        widths = [max(_width(r[i]) for r in [columns, *rows]) for i in range(len(columns))]
        for row in [columns, tuple("-" * w for w in widths), *rows]:
            line = "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True))
            write(("  " + line).rstrip())
        write("")
        enrolled = [x for x in report.logins if x.totp_secret]
        if enrolled:
            write("动态验证码（TOTP，已预置）/ second factor, pre-enrolled:")
            for login in enrolled:
                write(f"  {login.username}: secret {login.totp_secret}")
            write("  当前验证码 / current code: educredit totp-code <username>")
            write("")
        write("门户 / public portal:     http://127.0.0.1:8000/")
        write("工作台 / staff workspace: http://127.0.0.1:8000/workspace/")
        if report.try_this:
            write("")
            write("试一试 / try this:")
            for line in report.try_this:
                write(f"  {line}")
        write(f"({time.monotonic() - started:.1f} s)")
