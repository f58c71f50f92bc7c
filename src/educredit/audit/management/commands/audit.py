"""``educredit audit verify | sequence [--loop] | prove ENTRY | prove --consistency A B |
public-key``: the audit log from the shell."""

from __future__ import annotations

import argparse
import json
import signal
import threading
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections

from educredit.audit.checkpoint import public_key_bytes, verifier_key
from educredit.audit.selectors import (
    ProofUnavailableError,
    consistency_proof_between,
    entry_inclusion_proof,
    tree_head_latest,
)
from educredit.audit.sequencer import sequence_pending, sequencer_loop
from educredit.audit.verification import KIND_NAMES, VerificationResult, verify_audit_log
from educredit.core.processes import die_with_parent


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
        sequence = actions.add_parser(
            "sequence",
            help="把待排条目并入日志并签发树头 / integrate queued entries and sign a tree head",
        )
        sequence.add_argument(
            "--loop", action="store_true", help="持续运行（排序器服务）/ keep running (the service)"
        )
        sequence.add_argument("--interval", type=float, default=0.5, help=argparse.SUPPRESS)
        prove = actions.add_parser(
            "prove", help="条目的包含证明，或两个树头的一致性证明 / inclusion or consistency proof"
        )
        prove.add_argument("entry", type=int, nargs="?", help="条目编号 / entry id")
        prove.add_argument(
            "--consistency",
            nargs=2,
            type=int,
            metavar=("A", "B"),
            help="树大小 A 与 B 的一致性证明 / consistency proof of tree sizes A and B",
        )
        prove.add_argument(
            "--sequence",
            action="store_true",
            help="先把待排条目并入日志 / integrate queued entries first",
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
        elif action == "sequence":
            self._sequence(loop=options["loop"], interval=options["interval"])
        elif action == "prove":
            self._prove(options)
        elif action == "public-key":
            self.stdout.write(self._public_key(options["key_format"]))

    def _sequence(self, *, loop: bool, interval: float) -> None:
        if not loop:
            done = sequence_pending(actor="system:cli")
            head = tree_head_latest()
            self.stdout.write(f"并入 / integrated: {done}")
            if head is not None:
                self.stdout.write(head.checkpoint, ending="")
            return
        die_with_parent()
        stopping = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopping.set())
        self.stdout.write("排序器已启动 / sequencer started")
        self.stdout.flush()
        # A database outage must not end the service: say so, wait, try again.
        while not stopping.is_set():
            try:
                sequencer_loop(interval=interval, stop=stopping.is_set, actor="system:sequencer")
            except DatabaseError as exc:
                self.stderr.write(f"排序器等待数据库 / sequencer waiting for the database: {exc}")
                close_old_connections()
                stopping.wait(2.0)

    def _prove(self, options: dict[str, Any]) -> None:
        if options["sequence"]:
            sequence_pending(actor="system:cli")
        try:
            if options["consistency"]:
                first, second = options["consistency"]
                proof = consistency_proof_between(first, second)
            elif options["entry"] is not None:
                proof = entry_inclusion_proof(options["entry"])
            else:
                raise CommandError(
                    "请给出条目编号或 --consistency A B / give an entry id or --consistency A B"
                )
        except ProofUnavailableError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(proof, ensure_ascii=False, indent=2))

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
                    f"第一个被篡改的条目 / first tampered entry: {first.label} {zh} / {en} "
                    f"— {first.detail_zh} / {first.detail_en}"
                )
            )
            for problem in sorted(result.entry_problems, key=lambda p: p.order)[1:50]:
                zh, en = KIND_NAMES[problem.kind]
                write(f"  {problem.label} {zh} / {en} — {problem.detail_zh} / {problem.detail_en}")
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
