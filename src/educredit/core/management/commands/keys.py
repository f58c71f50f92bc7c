"""``educredit keys rotate|status``: manage the field-encryption keys in the local key file.

Rotation adds a fresh AES-256 key, makes it the one new values are encrypted with, and keeps
every older key so existing ciphertexts stay readable. Key material is never printed.
"""

from __future__ import annotations

import base64
import re
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from educredit.keys import read_key_material, write_key_file

KEY_ID = re.compile(r"^k(\d+)$")


def next_key_id(existing: dict[str, Any]) -> str:
    """``k<n+1>`` after the highest ``k<n>`` in use (ids are never reused)."""
    numbers = [int(m.group(1)) for key_id in existing if (m := KEY_ID.match(key_id))]
    return f"k{max(numbers, default=0) + 1}"


class Command(BaseCommand):
    help = "管理字段加密密钥 / Manage the field-encryption keys (rotate, status)"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser(
            "rotate", help="添加新密钥并设为当前 / add a new key and make it current"
        )
        actions.add_parser("status", help="列出密钥编号 / list key ids (never the keys)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(settings.KEY_FILE)
        if options["action"] == "status":
            self._status(path)
        else:
            self._rotate(path)

    def _field_keys(self, material: dict[str, object], path: Path) -> dict[str, Any]:
        field_keys = material.get("field_keys")
        if not isinstance(field_keys, dict) or not field_keys:
            raise CommandError(f"{path}: 密钥文件缺少 field_keys / the key file has no field_keys")
        return dict(field_keys)

    def _status(self, path: Path) -> None:
        material = read_key_material(path)
        field_keys = self._field_keys(material, path)
        current = material.get("field_key_current")
        self.stdout.write(f"{path}")
        for key_id in sorted(field_keys, key=lambda k: (len(k), k)):
            marker = "  ← 当前 / current" if key_id == current else ""
            self.stdout.write(f"  {key_id}{marker}")

    def _rotate(self, path: Path) -> None:
        material = read_key_material(path)
        field_keys = self._field_keys(material, path)
        key_id = next_key_id(field_keys)
        field_keys[key_id] = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
        material["field_keys"] = field_keys
        material["field_key_current"] = key_id
        write_key_file(path, material, replace=True)
        self.stdout.write(
            self.style.SUCCESS(
                f"已添加字段加密密钥 {key_id} 并设为当前密钥 / "
                f"Added field key {key_id} and made it current ({path})"
            )
        )
        self.stdout.write(
            "旧密钥已保留，现有密文仍可解密；请重启所有服务进程，然后对旧数据重新加密。\n"
            "Older keys are kept, so existing ciphertexts stay readable; restart every "
            "server process, then re-encrypt old rows."
        )
