"""``educredit restore IN_FILE [--database-url URL] [--force]``: restore and verify (ADR 0032).

Restores a backup archive into the configured database (or ``--database-url``), which must be
empty unless ``--force``, then recomputes the audit log there and compares it with the
archive's manifest. Exits non-zero, saying what differs, when anything does not match.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from educredit.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "从备份归档恢复数据库并校验审计日志（需要同一密钥文件）/ restore a backup archive and "
        "verify the audit log (needs the same key file)"
    )
    # The target may be an empty database, on which the project's checks cannot run yet.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("in_file", type=Path, help="备份归档 / backup archive")
        parser.add_argument(
            "--database-url",
            default=None,
            help="目标数据库（默认：配置的数据库）/ target database (default: the configured one)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="覆盖非空的目标数据库 / overwrite a target database that is not empty",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        quiet = options["verbosity"] == 0

        def progress(line: str) -> None:
            if not quiet:
                self.stdout.write(f"[{time.monotonic() - started:6.1f} s] {line}")

        try:
            report = backup_restore(
                archive=options["in_file"],
                database_url=options["database_url"],
                force=options["force"],
                progress=progress,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = report.manifest
        head = manifest["audit_head"]
        write = self.stdout.write
        write(f"恢复到 / restored into {report.target}")
        write(
            f"  备份时间 / backup made {manifest['created_at']}; 审计日志头 / audit head "
            f"#{head['seq']}, 签名树头 / tree head {head['tree_size']}"
        )
        write(
            f"  审计校验 / audit verify: 条目 entries {report.entries:,}, 签名树头 tree heads "
            f"{report.tree_heads:,}, 数据行 rows {report.rows:,}"
        )
        write(
            f"  耗时 / timings: restore {report.restore_seconds:.1f} s, "
            f"verify {report.verify_seconds:.1f} s"
        )
        if report.pending_migrations:
            write(
                self.style.WARNING(
                    "备份早于当前代码，尚有迁移未应用（只校验了审计链，未重算数据行）："
                    f"{', '.join(report.pending_migrations)}；请运行 educredit migrate，再运行 "
                    "educredit audit verify。\nThe backup predates this code: migrations "
                    "are pending (the chain was verified, rows were not re-digested): run "
                    "educredit migrate, then educredit audit verify."
                )
            )
        if not report.ok:
            for line in report.differences:
                write(self.style.ERROR(f"  {line}"))
            raise CommandError(
                "恢复后的数据库未通过校验，请勿使用 / the restored database FAILED verification: "
                "do not use it",
                returncode=1,
            )
        write(self.style.SUCCESS("结果：恢复并校验通过 / result: restored and verified OK"))
