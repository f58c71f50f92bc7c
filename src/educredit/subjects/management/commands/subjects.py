"""``educredit subjects import|renames|aliases|reencrypt``: subject data from the command line.

- ``import institutions|people FILE --user USERNAME``: the same import path as the upload
  page, run in the foreground, acting as (and within the jurisdiction of) that user;
- ``renames [FILE]``: give renamed institutions their current names, keeping the old ones
  as former names (default: the list shipped in ``subjects/data/renames-2017-2025.csv``);
- ``aliases [FILE]``: give institutions the short names the public calls them by (简称, by
  MOE school code; default: ``subjects/data/aliases-universities.csv``), adding only the
  missing ones;
- ``reencrypt``: re-encrypt identity numbers under the current field key (key rotation).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from educredit.accounts.models import Organisation, User
from educredit.subjects import services
from educredit.subjects.choices import ImportKind, ImportStatus, InstitutionKind
from educredit.subjects.models import Institution

RENAMES_FILE = Path(__file__).resolve().parents[2] / "data" / "renames-2017-2025.csv"
ALIASES_FILE = Path(__file__).resolve().parents[2] / "data" / "aliases-universities.csv"
ACTOR = "system:subjects-command"


class Command(BaseCommand):
    help = "机构和人员数据 / Subject data: import files, renames, aliases, rotate the field key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a CSV/XLSX file of institutions or people")
        imp.add_argument("kind", choices=ImportKind.values)
        imp.add_argument("file", type=Path)
        imp.add_argument("--user", required=True, help="username of a clerk or admin to act as")
        imp.add_argument(
            "--supervisor", help="organisation (exact name) for bodies outside the platform"
        )
        imp.add_argument(
            "--kind",
            dest="default_kind",
            default=InstitutionKind.UNIVERSITY,
            choices=InstitutionKind.values,
            help="institution type when the file has none",
        )
        renames = sub.add_parser("renames", help="apply a list of institution renames")
        renames.add_argument("file", nargs="?", type=Path, default=RENAMES_FILE)
        aliases = sub.add_parser("aliases", help="add institutions' short names (简称)")
        aliases.add_argument("file", nargs="?", type=Path, default=ALIASES_FILE)
        sub.add_parser("reencrypt", help="re-encrypt identity numbers under the current key")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"handle_{options['action']}")(**options)

    def handle_import(self, **options: Any) -> None:
        try:
            user = User.objects.select_related("organisation").get(username=options["user"])
        except User.DoesNotExist as exc:
            raise CommandError(f"找不到用户 / No user {options['user']!r}") from exc
        supervisor = None
        if options.get("supervisor"):
            supervisor = Organisation.objects.filter(name=options["supervisor"]).first()
            if supervisor is None:
                raise CommandError(f"找不到机构 / No organisation {options['supervisor']!r}")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"找不到文件 / No file {path}")
        try:
            with path.open("rb") as handle:
                run = services.import_run_start(
                    actor=user,
                    kind=options["kind"],
                    upload=File(handle, name=path.name),
                    default_supervisor=supervisor,
                    default_kind=options["default_kind"],
                    enqueue=False,
                )
        except (services.SubjectError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        result = services.import_run_process(run_id=run.pk)
        assert result is not None  # noqa: S101 - just created, nobody else can claim it
        self.stdout.write(
            f"{result.get_status_display()}: {result.ok_rows} 行成功 / ok, "
            f"{result.failed_rows} 行失败 / failed"
        )
        for error in result.row_errors.all()[:50]:
            self.stdout.write(
                f"  第 {error.row_number} 行 / row {error.row_number} "
                f"[{error.column}] {error.reason}"
            )
        if result.status == ImportStatus.FAILED:
            raise CommandError(result.error_message)

    def handle_renames(self, **options: Any) -> None:
        path: Path = options["file"]
        applied = skipped = 0
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                code = row["学校标识码"].strip()
                institution = Institution.objects.filter(moe_code=code).first()
                if institution is None:
                    self.stdout.write(
                        f"跳过 / skipped {code} {row['原名称']}: 未登记 / not registered"
                    )
                    skipped += 1
                    continue
                if institution.name == row["现名称"].strip():
                    skipped += 1
                    continue
                services.institution_rename(
                    actor=ACTOR,
                    institution=institution,
                    new_name=row["现名称"],
                    effective_on=dt.date.fromisoformat(row["更名日期"].strip()),
                    reason=row.get("依据", "").strip(),
                )
                self.stdout.write(f"{row['原名称']} → {row['现名称']}")
                applied += 1
        self.stdout.write(
            f"更名 {applied} 个，跳过 {skipped} 个 / {applied} renamed, {skipped} skipped"
        )

    def handle_aliases(self, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"找不到文件 / No file {path}")
        added = skipped = 0
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                code = row["学校标识码"].strip()
                institution = Institution.objects.filter(moe_code=code).first()
                if institution is None:
                    skipped += 1
                    continue
                for name in row["简称"].replace("，", "、").split("、"):
                    if not name.strip() or institution.aliases.filter(name=name.strip()).exists():
                        continue
                    services.institution_alias_add(
                        actor=ACTOR, institution=institution, name=name, reason=path.name
                    )
                    self.stdout.write(f"{institution.name} ← {name.strip()}")
                    added += 1
        self.stdout.write(
            f"简称 {added} 个，跳过未登记机构 {skipped} 个 / "
            f"{added} aliases added, {skipped} institutions not registered"
        )

    def handle_reencrypt(self, **options: Any) -> None:
        count = services.person_reencrypt_all(actor=ACTOR)
        self.stdout.write(f"重新加密 {count} 条 / {count} re-encrypted")
