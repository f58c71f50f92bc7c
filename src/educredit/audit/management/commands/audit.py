"""``educredit audit verify | seal | prove N | public-key``: the audit log from the shell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from educredit.audit.checkpoint import public_key_bytes, verifier_key
from educredit.audit.selectors import ProofUnavailableError, entry_inclusion_proof
from educredit.audit.services import AuditIntegrityError, tree_head_seal
from educredit.audit.verification import KIND_NAMES, VerificationResult, verify_audit_log


class Command(BaseCommand):
    help = "审计日志：校验、签名树头、包含证明、公钥 / audit log: verify, seal, prove, public-key"
    # An integrity check must run even when an unrelated part of the project fails its checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        verify = actions.add_parser(
            "verify", help="校验整条日志与所有被审计的数据行 / check the log and every audited row"
        )
        verify.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            type=Path,
            help="另行保存的检查点文件 / a checkpoint saved outside the database (repeatable)",
        )
        verify.add_argument(
            "--skip-rows", action="store_true", help="不重算数据行 / do not re-digest rows"
        )
        actions.add_parser("seal", help="签发新的树头 / sign a tree head over all entries")
        prove = actions.add_parser("prove", help="条目 N 的包含证明 / inclusion proof of entry N")
        prove.add_argument("seq", type=int)
        prove.add_argument(
            "--seal", action="store_true", help="先签发树头 / seal a tree head first if needed"
        )
        key = actions.add_parser("public-key", help="验证签名用的公钥 / the verifier key")
        key.add_argument(
            "--format", choices=["vkey", "raw", "pem"], default="vkey", dest="key_format"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "verify":
            texts = [path.read_text(encoding="utf-8") for path in options["checkpoint"]]
            result = verify_audit_log(checkpoints=texts, check_rows=not options["skip_rows"])
            self._print_result(result)
            if not result.ok:
                raise CommandError("审计日志校验失败 / audit log verification FAILED", returncode=1)
        elif action == "seal":
            try:
                head = tree_head_seal(actor="system:cli")
            except AuditIntegrityError as exc:
                raise CommandError(
                    f"拒绝签发：{exc}；请运行 educredit audit verify / refused to seal: {exc}"
                ) from exc
            self.stdout.write(head.checkpoint, ending="")
        elif action == "prove":
            if options["seal"]:
                tree_head_seal(actor="system:cli")
            try:
                proof = entry_inclusion_proof(options["seq"])
            except ProofUnavailableError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(json.dumps(proof, ensure_ascii=False, indent=2))
        elif action == "public-key":
            self.stdout.write(self._public_key(options["key_format"]))

    @staticmethod
    def _public_key(key_format: str) -> str:
        if key_format == "raw":
            import base64

            return base64.b64encode(public_key_bytes()).decode("ascii")
        if key_format == "pem":
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
            from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

            key = Ed25519PublicKey.from_public_bytes(public_key_bytes())
            return (
                key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode().strip()
            )
        return verifier_key()

    def _print_result(self, result: VerificationResult) -> None:
        write = self.stdout.write
        write("审计日志校验 / Audit log verification")
        write(f"  条目 entries: {result.entries}")
        write(f"  签名树头 signed tree heads: {result.tree_heads}")
        if result.checkpoints:
            write(f"  外部检查点 outside checkpoints: {result.checkpoints}")
        write(f"  批量成员 bulk members: {result.bulk_members}")
        write(f"  数据行 rows: {result.rows} ({', '.join(result.models)})")
        first = result.first_entry_problem
        if first is not None:
            zh, en = KIND_NAMES[first.kind]
            write(
                self.style.ERROR(
                    f"第一个被篡改的条目 / first tampered entry: #{first.seq} {zh} / {en} "
                    f"— {first.detail_zh} / {first.detail_en}"
                )
            )
            for problem in sorted(result.entry_problems, key=lambda p: p.seq)[1:50]:
                zh, en = KIND_NAMES[problem.kind]
                write(f"  #{problem.seq} {zh} / {en} — {problem.detail_zh} / {problem.detail_en}")
        for other in result.problems:
            write(self.style.ERROR(f"{other.message_zh} / {other.message_en}"))
        if result.row_problem_count:
            write(
                self.style.ERROR(
                    f"绕过服务被改动的数据行 / rows changed behind the services' back: "
                    f"{result.row_problem_count}"
                )
            )
            for row in result.row_problems:
                zh, en = KIND_NAMES[row.kind]
                write(f"  {row.model} pk={row.pk}: {zh} / {en}")
            if result.row_problem_count > len(result.row_problems):
                write(f"  … {result.row_problem_count - len(result.row_problems)} more")
        if result.ok:
            write(self.style.SUCCESS("结果：通过 / result: OK"))
        else:
            write(self.style.ERROR("结果：失败 / result: FAILED"))
