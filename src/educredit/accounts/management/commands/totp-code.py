# ruff: noqa: N999  (the command's name has a hyphen: ``educredit totp-code``)
"""``educredit totp-code <username>``: the current TOTP code of a DEMO user, for demos only."""

from __future__ import annotations

from typing import Any

import pyotp
from django.core.management.base import BaseCommand, CommandError, CommandParser

from educredit.accounts.models import User


class Command(BaseCommand):
    help = (
        "打印演示账号当前的动态验证码（仅限演示账号）。"
        " / Print the current TOTP code of a demo account (demo accounts only)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        # The same answer for a missing user and a real one: the command reveals nothing
        # about accounts that are not demo accounts.
        if user is None or not user.is_demo:
            raise CommandError(
                "只能为演示账号生成验证码 / Codes are only printed for demo accounts"
            )
        if not user.totp_secret or not user.totp_confirmed:
            raise CommandError("该演示账号未预置动态验证码 / This demo account has no TOTP secret")
        self.stdout.write(pyotp.TOTP(user.totp_secret).now())
