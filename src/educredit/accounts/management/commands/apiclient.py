"""``educredit apiclient create|revoke|list``: business systems' API keys."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from educredit.accounts import services
from educredit.accounts.models import ApiClient, Organisation

ACTOR = "system:apiclient-command"


def _organisation(ref: str) -> Organisation:
    try:
        return Organisation.objects.get(public_id=uuid.UUID(ref))
    except (ValueError, Organisation.DoesNotExist):
        pass
    matches = list(Organisation.objects.filter(name=ref)[:2])
    if len(matches) != 1:
        raise CommandError(
            f"找不到唯一的机构“{ref}” / No single organisation named or with public id {ref!r}"
        )
    return matches[0]


class Command(BaseCommand):
    help = "管理接口客户端 / Manage API clients (business systems)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a client and print its key once")
        create.add_argument("--org", required=True, help="organisation public id or exact name")
        create.add_argument("--name", required=True)
        create.add_argument("--scopes", required=True, help="comma-separated, e.g. accounts:read")
        create.add_argument("--rate", type=int, default=60, help="requests per minute")
        revoke = sub.add_parser("revoke", help="switch a client's key off")
        revoke.add_argument("prefix", help="the key prefix the list shows")
        sub.add_parser("list", help="list clients")
        sub.add_parser("scopes", help="list the scopes API operations require")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"handle_{options['action']}")(**options)

    def handle_create(self, **options: Any) -> None:
        from educredit.accounts.api_auth import KNOWN_SCOPES
        from educredit.api import api  # noqa: F401  (loads every router, so every scope)

        scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()]
        unknown = sorted(set(scopes) - KNOWN_SCOPES)
        if unknown:
            raise CommandError(
                f"未知权限范围 / Unknown scopes: {', '.join(unknown)}"
                f" (known: {', '.join(sorted(KNOWN_SCOPES))})"
            )
        try:
            client, key = services.api_client_create(
                actor=ACTOR,
                organisation=_organisation(options["org"]),
                name=options["name"],
                scopes=scopes,
                rate_limit_per_minute=options["rate"],
            )
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stderr.write(
            f"已创建接口客户端 {client.name}（{client.organisation.name}，"
            f"前缀 {client.key_prefix}）。密钥只显示这一次 / The key is shown this once:"
        )
        self.stdout.write(key)

    def handle_revoke(self, **options: Any) -> None:
        client = ApiClient.objects.filter(key_prefix=options["prefix"]).first()
        if client is None:
            raise CommandError(f"没有前缀为 {options['prefix']} 的客户端 / No such client")
        services.api_client_revoke(actor=ACTOR, client=client)
        self.stdout.write(f"已停用 / Revoked: {client.name}")

    def handle_list(self, **options: Any) -> None:
        for client in ApiClient.objects.select_related("organisation").order_by("name"):
            state = "active" if client.is_active else "revoked"
            self.stdout.write(
                f"{client.key_prefix}\t{state}\t{client.rate_limit_per_minute}/min\t"
                f"{','.join(client.scopes)}\t{client.name}\t{client.organisation.name}"
            )

    def handle_scopes(self, **options: Any) -> None:
        from educredit.accounts.api_auth import KNOWN_SCOPES
        from educredit.api import api  # noqa: F401

        for scope in sorted(KNOWN_SCOPES):
            self.stdout.write(scope)
