"""``educredit bootstrap``: create the provincial department and its first administrator."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from educredit.accounts import services


class Command(BaseCommand):
    help = (
        "初始化：创建省教育厅及其第一位管理员（仅在尚无组织机构时可用）。"
        " / Create the root organisation and its first administrator."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", default="河南省教育厅", help="省级机构名称")
        parser.add_argument("--region-code", default="410000")
        parser.add_argument("--username", required=True)
        parser.add_argument("--full-name", default="系统管理员")
        parser.add_argument(
            "--password-env",
            default="EDUCREDIT_BOOTSTRAP_PASSWORD",
            help="environment variable holding the password (else it is asked for)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get(options["password_env"]) or getpass.getpass("密码 / Password: ")
        try:
            with transaction.atomic():  # both or neither, so a failed run can be retried
                province = services.organisation_bootstrap(
                    name=options["name"], region_code=options["region_code"]
                )
                admin = services.user_bootstrap_admin(
                    organisation=province,
                    username=options["username"],
                    full_name=options["full_name"],
                    password=password,
                )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"已创建 {province.name} ({province.public_id}) 与管理员 {admin.username}。"
            " 首次登录时需绑定动态验证码。 / Created; the admin enrols TOTP at first sign-in."
        )
