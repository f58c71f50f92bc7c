"""``educredit backup OUT_FILE``: the database and its manifest in one archive (ADR 0032).

The key file is not in the archive: back it up separately (a restore needs the same one).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from educredit.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "备份数据库到一个归档文件（不含密钥文件）/ back up the database into one archive "
        "(the key file is not in it)"
    )
    # A backup must run even when an unrelated part of the project fails its checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out_file", type=Path, help="归档文件 / archive to write (.tar)")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        out_file: Path = options["out_file"]
        quiet = options["verbosity"] == 0

        def progress(line: str) -> None:
            if not quiet:
                self.stdout.write(f"[{time.monotonic() - started:6.1f} s] {line}")

        try:
            manifest = backup_create(out_file=out_file, progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        head = manifest["audit_head"]
        self.stdout.write(
            self.style.SUCCESS(
                f"已备份 / backed up to {out_file} ({out_file.stat().st_size / 1e6:,.1f} MB, "
                f"{time.monotonic() - started:,.1f} s)"
            )
        )
        self.stdout.write(
            f"  审计日志头 / audit head: #{head['seq']} {head['chain_hash'][:16]}…, "
            f"签名树头 / tree head {head['tree_size']} {head['root_hash'][:16]}…"
        )
        self.stdout.write(
            "  行数 / rows: "
            + ", ".join(f"{label} {count:,}" for label, count in manifest["row_counts"].items())
        )
        key_ids = ", ".join(manifest["keys"]["field_keys"])
        self.stdout.write(
            self.style.WARNING(
                f"归档不含密钥文件 {settings.KEY_FILE}：请另行备份并妥善保管，"
                f"恢复时必须使用同一密钥文件（字段密钥 {key_ids}）。\n"
                f"The archive does not hold the key file {settings.KEY_FILE}: back it up "
                "separately and keep it safe; a restore needs the same key file (field keys "
                f"{key_ids})."
            )
        )
