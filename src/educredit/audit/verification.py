"""``educredit audit verify``: recompute the whole log and every audited row, name what is off.

Four walks, each streaming so memory stays flat at any size:

1. The sequenced leaves in ``seq`` order with their entries: every leaf recomputed from the
   entry's fields, its MAC checked, every chain link recomputed, ``seq`` continuity, the
   chain-head row, and every promise (an entry's merge deadline against the time the
   sequencer integrated it); the leaves feed a Merkle tree whose root is compared with every
   signed tree head (and with any checkpoint saved outside the database) at its size. Then
   the entries not integrated yet: each must be queued, carry a valid MAC, and not be past a
   promised deadline.
2. The bulk members of every batch entry, re-digested in order.
3. Every row of every concrete ``AuditedModel``, re-digested as it stands now and compared
   with the latest entry that covers it (a single entry's after digest or a bulk member's row
   digest, whichever entry is newer).
4. The append-only triggers.

The result names the first tampered entry (by ``seq``, then by entry id) and each row
changed behind the services' back; ``VerificationResult.ok`` is False on any problem.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, models
from django.db.models.functions import Cast
from django.utils import timezone

from educredit.audit.canonical import row_digester, snapshot_attnames
from educredit.audit.checkpoint import entry_mac_valid, key_name, open_checkpoint, public_key_bytes
from educredit.audit.merkle import CompactRange
from educredit.audit.models import (
    AuditBulkMember,
    AuditChainHead,
    AuditedModel,
    AuditEntry,
    AuditQueuedLeaf,
    SequencedLeaf,
    TreeHead,
)
from educredit.audit.protection import missing_triggers
from educredit.audit.services import (
    GENESIS_CHAIN_HASH,
    chain_next,
    compute_leaf_hash,
    target_type_of,
)

EDITED, DELETED, INSERTED, REORDERED = "edited", "deleted", "inserted", "reordered"
CHANGED = "changed"
KIND_NAMES = {
    EDITED: ("被修改", "edited"),
    DELETED: ("被删除", "deleted"),
    INSERTED: ("被插入", "inserted"),
    REORDERED: ("被调换顺序", "reordered"),
    CHANGED: ("被绕过服务修改", "changed"),
}
MAX_LISTED_ROWS = 1000
_INTEGER_PK = r"^-?[0-9]+$"
_CHUNK = 2000


@dataclass(frozen=True)
class EntryProblem:
    """A log entry that was edited, deleted, inserted or reordered behind the services' back:
    at position ``seq`` of the log, or (not integrated) the entry with id ``entry_id``."""

    seq: int | None
    kind: str
    detail_zh: str
    detail_en: str
    entry_id: int | None = None

    @property
    def label(self) -> str:
        """ "#seq", or "条目 id / entry id" for an entry without a place in the log."""
        if self.seq is not None:
            return f"#{self.seq}"
        return f"条目 {self.entry_id} / entry {self.entry_id}"

    @property
    def order(self) -> tuple[int, int]:
        """Log position first; entries outside the log after every sequenced one."""
        if self.seq is not None:
            return (0, self.seq)
        return (1, self.entry_id or 0)


@dataclass(frozen=True)
class RowProblem:
    """An audited row whose current content no entry accounts for."""

    model: str
    pk: str
    kind: str  # changed | inserted | deleted


@dataclass(frozen=True)
class Problem:
    """Any other finding: a tree head, the chain head, the protection triggers."""

    scope: str
    message_zh: str
    message_en: str


@dataclass
class VerificationResult:
    """What ``verify_audit_log`` checked and what it found."""

    entries: int = 0
    tree_heads: int = 0
    checkpoints: int = 0
    bulk_members: int = 0
    rows: int = 0
    models: list[str] = field(default_factory=list)
    entry_problems: list[EntryProblem] = field(default_factory=list)
    row_problems: list[RowProblem] = field(default_factory=list)
    row_problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.entry_problems or self.row_problem_count or self.problems)

    @property
    def first_entry_problem(self) -> EntryProblem | None:
        """The tampered entry with the lowest ``seq`` (where the history stops being true)."""
        return min(self.entry_problems, key=lambda p: p.order, default=None)

    def add_row_problem(self, problem: RowProblem) -> None:
        self.row_problem_count += 1
        if len(self.row_problems) < MAX_LISTED_ROWS:
            self.row_problems.append(problem)


@dataclass
class _Target:
    """A tree size whose root must match the entries: a stored head or an outside checkpoint."""

    size: int
    root: bytes
    label_zh: str
    label_en: str


def _chain_link_ok(previous: str, leaf_hash: str, chain_hash: str) -> bool:
    try:
        return chain_next(previous, leaf_hash) == chain_hash
    except ValueError:  # not hex at all
        return False


def _load_targets(result: VerificationResult, checkpoints: Sequence[str]) -> list[_Target]:
    """Signed tree heads and outside checkpoints, signatures checked, ordered by size."""
    name, public_key = key_name(), public_key_bytes()
    targets: list[_Target] = []
    for head in TreeHead.objects.order_by("size").iterator():
        result.tree_heads += 1
        opened = open_checkpoint(head.checkpoint, name, public_key)
        label = (f"树头 {head.size}", f"tree head {head.size}")
        if opened is None:
            result.problems.append(
                Problem("tree_head", f"{label[0]}：签名无效", f"{label[1]}: signature is not valid")
            )
            continue
        if opened.size != head.size or opened.root.hex() != head.root_hash or opened.origin != name:
            result.problems.append(
                Problem(
                    "tree_head",
                    f"{label[0]}：记录与已签名的检查点不一致",
                    f"{label[1]}: stored size/root differ from its signed checkpoint",
                )
            )
        targets.append(_Target(opened.size, opened.root, *label))
    for index, text in enumerate(checkpoints, start=1):
        result.checkpoints += 1
        opened = open_checkpoint(text, name, public_key)
        label = (f"外部检查点 {index}", f"outside checkpoint {index}")
        if opened is None:
            result.problems.append(
                Problem(
                    "checkpoint", f"{label[0]}：签名无效", f"{label[1]}: signature is not valid"
                )
            )
            continue
        targets.append(
            _Target(
                opened.size,
                opened.root,
                f"{label[0]}（{opened.size}）",
                f"{label[1]} (size {opened.size})",
            )
        )
    targets.sort(key=lambda t: t.size)
    return targets


def _sequenced_with_entries() -> Iterator[tuple[SequencedLeaf, AuditEntry | None]]:
    """Every sequenced leaf in order with its entry (None when the entry row is gone)."""
    leaves = SequencedLeaf.objects.order_by("seq").values_list(
        "seq", "entry_id", "leaf_hash", "chain_hash", "integrated_at"
    )
    last = 0
    while True:
        chunk = list(leaves.filter(seq__gt=last)[:_CHUNK])
        if not chunk:
            return
        entries = AuditEntry.objects.in_bulk([row[1] for row in chunk])
        for seq, entry_id, leaf_hash, chain_hash, integrated_at in chunk:
            leaf = SequencedLeaf(
                seq=seq,
                entry_id=entry_id,
                leaf_hash=leaf_hash,
                chain_hash=chain_hash,
                integrated_at=integrated_at,
            )
            yield leaf, entries.get(entry_id)
        last = chunk[-1][0]


class _EntryWalk:
    """State of the walk over the sequenced log (walk 1)."""

    def __init__(self, result: VerificationResult, targets: list[_Target]) -> None:
        self.result = result
        self.tree = CompactRange()
        self.pending = iter(targets)
        self.target = next(self.pending, None)
        self.suspects: dict[int, tuple[AuditEntry, str]] = {}  # seq → (entry, recomputed leaf)
        self.bad_seqs: set[int] = set()
        self.batches: dict[int, tuple[str, int]] = {}
        self.late = 0
        self.first_late: tuple[int | None, Any] | None = None

    def problem(self, seq: int | None, kind: str, zh: str, en: str, entry_id: Any = None) -> None:
        if seq is not None:
            self.bad_seqs.add(seq)
        self.result.entry_problems.append(EntryProblem(seq, kind, zh, en, entry_id))

    def check_targets(self) -> None:
        while self.target is not None and self.target.size <= self.tree.size:
            if self.target.size == self.tree.size and self.tree.root() != self.target.root:
                self.result.problems.append(
                    Problem(
                        "tree_head",
                        f"{self.target.label_zh}：根哈希与当前条目不符（条目被改写）",
                        f"{self.target.label_en}: root does not match the entries (log rewritten)",
                    )
                )
            self.target = next(self.pending, None)

    def promise(self, seq: int, entry: AuditEntry, integrated_at: Any) -> None:
        if entry.merge_deadline is not None and integrated_at > entry.merge_deadline:
            self.late += 1
            if self.first_late is None:
                self.first_late = (seq, integrated_at - entry.merge_deadline)


def _check_entries(
    result: VerificationResult, targets: list[_Target]
) -> dict[int, tuple[str, int]]:
    """Walk the sequenced log, then the entries outside it; return the batch entries
    {entry id: (members digest, member count)}."""
    walk = _EntryWalk(result, targets)
    walk.check_targets()
    expected, previous_chain, previous_ok = 1, GENESIS_CHAIN_HASH, True
    for leaf, entry in _sequenced_with_entries():
        result.entries += 1
        seq = leaf.seq
        if seq > expected:
            walk.problem(
                expected,
                DELETED,
                f"条目 #{expected}–#{seq - 1} 缺失",
                f"entries #{expected}–#{seq - 1} are missing",
            )
            walk.bad_seqs.update(range(expected, seq))
            previous_ok = False
        this_ok = True
        leaf_hash = leaf.leaf_hash
        if entry is None:
            this_ok = False
            walk.problem(seq, DELETED, "条目已被删除", "its entry was deleted", leaf.entry_id)
        elif not entry_mac_valid(entry.leaf_hash, entry.mac):
            this_ok = False
            walk.problem(
                seq,
                INSERTED,
                "不是本系统写入的条目（MAC 不符）",
                "not written by EduCredit (its MAC does not match)",
                entry.pk,
            )
        else:
            leaf_hash = compute_leaf_hash(entry)
            walk.promise(seq, entry, leaf.integrated_at)
            if entry.member_count is not None:
                walk.batches[entry.pk] = (entry.after_digest, entry.member_count)
            if leaf_hash != leaf.leaf_hash or entry.leaf_hash != leaf.leaf_hash:
                this_ok = False
                walk.bad_seqs.add(seq)
                if len(walk.suspects) < 10_000:
                    walk.suspects[seq] = (entry, leaf_hash)
                else:
                    walk.problem(
                        seq, EDITED, "内容与哈希不符", "content does not match its hash", entry.pk
                    )
        if (
            this_ok
            and previous_ok
            and not _chain_link_ok(previous_chain, leaf.leaf_hash, leaf.chain_hash)
        ):
            # Only blamed when the previous entry was sound: otherwise the break is its echo.
            this_ok = False
            walk.problem(seq, EDITED, "链哈希被改动", "its chain hash was altered", leaf.entry_id)
        walk.tree.append(bytes.fromhex(leaf_hash))
        walk.check_targets()
        previous_chain, previous_ok = leaf.chain_hash, this_ok
        expected = max(expected, seq + 1)
    last_seq = expected - 1
    _classify_suspects(walk)
    while walk.target is not None:
        target = walk.target
        result.problems.append(
            Problem(
                "tree_head",
                f"{target.label_zh}：覆盖 {target.size} 条，但只剩 {walk.tree.size} 条",
                f"{target.label_en}: covers {target.size} entries but only {walk.tree.size} remain",
            )
        )
        if walk.tree.size < target.size and not any(
            (p.seq or 0) > last_seq for p in result.entry_problems
        ):
            walk.problem(
                last_seq + 1,
                DELETED,
                f"已签名的条目 #{last_seq + 1} 起缺失",
                f"signed entries from #{last_seq + 1} are missing",
            )
        walk.target = next(walk.pending, None)
    _check_chain_head(result, last_seq, previous_chain)
    _check_outside_the_log(walk)
    _report_promises(walk)
    return walk.batches


def _check_outside_the_log(walk: _EntryWalk) -> None:
    """Entries without a place in the log: queued (fine until a promised deadline passes) or
    not even queued (written behind the services' back, or taken off the queue as forged)."""
    queued = set(AuditQueuedLeaf.objects.values_list("entry_id", flat=True))
    now = timezone.now()
    outside = AuditEntry.objects.filter(sequenced__isnull=True).order_by("id")
    for entry in outside.iterator(chunk_size=_CHUNK):
        walk.result.entries += 1
        if entry.member_count is not None:
            walk.batches[entry.pk] = (entry.after_digest, entry.member_count)
        if not entry_mac_valid(entry.leaf_hash, entry.mac):
            walk.problem(
                None,
                INSERTED,
                "不是本系统写入的条目（MAC 不符）",
                "not written by EduCredit (its MAC does not match)",
                entry.pk,
            )
        elif compute_leaf_hash(entry) != entry.leaf_hash:
            walk.problem(
                None, EDITED, "内容与哈希不符", "content does not match its hash", entry.pk
            )
        elif entry.pk not in queued:
            walk.problem(
                None,
                INSERTED,
                "既未排入日志也不在待排队列中",
                "neither in the log nor queued for it",
                entry.pk,
            )
        elif entry.merge_deadline is not None and entry.merge_deadline < now:
            walk.late += 1
            if walk.first_late is None:
                walk.first_late = (None, now - entry.merge_deadline)


def _report_promises(walk: _EntryWalk) -> None:
    if not walk.late or walk.first_late is None:
        return
    seq, overdue = walk.first_late
    where_zh = f"#{seq}" if seq is not None else "一个待排条目"
    where_en = f"#{seq}" if seq is not None else "a queued entry"
    walk.result.problems.append(
        Problem(
            "promise",
            f"{walk.late} 个条目未在承诺的最长合并时限内并入日志（首个：{where_zh}，"
            f"超时 {overdue.total_seconds():.1f} 秒）",
            f"{walk.late} entries were not integrated within the promised maximum merge delay "
            f"(first: {where_en}, {overdue.total_seconds():.1f} s late)",
        )
    )


def _classify_suspects(walk: _EntryWalk) -> None:
    """Tell edited entries from moved or copied ones: content that hashes to the leaf stored
    at another position was moved there (both places damaged) or copied (the original is
    intact)."""
    seqs = sorted(walk.suspects)
    # Where else the recomputed leaves are stored (a scan, only when something was tampered).
    stored: dict[str, int] = {}
    for start in range(0, len(seqs), 1000):
        wanted = [walk.suspects[seq][1] for seq in seqs[start : start + 1000]]
        for leaf_hash, other in SequencedLeaf.objects.filter(leaf_hash__in=wanted).values_list(
            "leaf_hash", "seq"
        ):
            stored.setdefault(leaf_hash, other)
    for seq in seqs:
        entry, recomputed = walk.suspects[seq]
        origin = stored.get(recomputed)
        if origin is None or origin == seq:
            walk.problem(seq, EDITED, "内容与哈希不符", "content does not match its hash", entry.pk)
        elif origin in walk.bad_seqs:
            walk.problem(
                seq,
                REORDERED,
                f"此处是原 #{origin} 条目",
                f"holds the entry written as #{origin}",
                entry.pk,
            )
        else:
            walk.problem(
                seq, INSERTED, f"复制自 #{origin} 条目", f"a copy of entry #{origin}", entry.pk
            )


def _check_chain_head(result: VerificationResult, last_seq: int, last_chain: str) -> None:
    head = AuditChainHead.objects.filter(id=1).first()
    head_seq = head.last_seq if head is not None else 0
    head_chain = head.last_chain_hash if head is not None else GENESIS_CHAIN_HASH
    if head_seq > last_seq:
        if not any((p.seq or 0) > last_seq for p in result.entry_problems):
            result.entry_problems.append(
                EntryProblem(
                    last_seq + 1,
                    DELETED,
                    f"链头记录到 #{head_seq}，条目 #{last_seq + 1} 起缺失",
                    f"the chain head says #{head_seq}; entries from #{last_seq + 1} are missing",
                )
            )
    elif head_seq < last_seq:
        result.entry_problems.append(
            EntryProblem(
                head_seq + 1,
                INSERTED,
                f"链头只记录到 #{head_seq}，其后的条目是插入的",
                f"the chain head ends at #{head_seq}; later entries were inserted",
            )
        )
    elif head_chain != last_chain:
        result.problems.append(
            Problem(
                "chain_head",
                "链头哈希与最后一个条目不符",
                "chain head hash differs from the last entry",
            )
        )


def _check_members(result: VerificationResult, batches: dict[int, tuple[str, int]]) -> None:
    """Re-digest every batch's members in order and compare with its entry."""
    seen: set[int] = set()
    positions = dict(
        SequencedLeaf.objects.filter(entry_id__in=list(batches)).values_list("entry_id", "seq")
    )
    rows = (
        AuditBulkMember.objects.order_by("entry_id", "position")
        .values_list("entry_id", "position", "target_pk", "row_digest")
        .iterator(chunk_size=_CHUNK * 5)
    )
    for entry_id, group in itertools.groupby(rows, key=lambda row: row[0]):
        hasher, count, contiguous = hashlib.sha256(), 0, True
        for _, position, target_pk, member_digest in group:
            contiguous = contiguous and position == count
            hasher.update(f"{target_pk}\t{member_digest}\n".encode())
            count += 1
        result.bulk_members += count
        seen.add(entry_id)
        batch = batches.get(entry_id)
        if batch is None:
            result.problems.append(
                Problem(
                    "bulk",
                    f"批量成员指向不存在的批量条目 {entry_id}",
                    f"bulk members point at entry {entry_id}, which is not a batch entry",
                )
            )
        elif not contiguous or batch != (hasher.hexdigest(), count):
            result.entry_problems.append(
                EntryProblem(
                    positions.get(entry_id),
                    EDITED,
                    "批量成员被改动",
                    "its bulk members were altered",
                    entry_id,
                )
            )
    for entry_id, (_, count) in batches.items():
        if entry_id not in seen and count:
            result.entry_problems.append(
                EntryProblem(
                    positions.get(entry_id),
                    EDITED,
                    "批量成员被删除",
                    "its bulk members were deleted",
                    entry_id,
                )
            )


def audited_models() -> list[type[AuditedModel]]:
    """Every concrete, managed model whose writes are audited."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, AuditedModel) and model._meta.managed and not model._meta.proxy
    ]


def _latest_expected(
    streams: Sequence[Iterable[tuple[Any, int, str]]],
) -> Iterator[tuple[Any, str]]:
    """(pk, digest of the latest entry) from streams sorted by (pk, entry id); "" = recorded
    deletion. Writes to one row are serialised by its row lock, so their entry ids follow
    the order of the writes."""
    merged = heapq.merge(*streams, key=lambda item: (item[0], item[1]))
    for key, group in itertools.groupby(merged, key=lambda item: item[0]):
        *_, last = group
        yield key, last[2]


def _check_model(result: VerificationResult, model: type[AuditedModel]) -> None:
    label = target_type_of(model)
    pk_attname = model._meta.pk.attname
    attnames = snapshot_attnames(model)
    names = list(dict.fromkeys([pk_attname, *attnames]))
    digest_of = row_digester(model)
    rows = (
        (values[pk_attname], digest_of(values))
        for values in model._base_manager.order_by("pk").values(*names).iterator(chunk_size=_CHUNK)
    )
    singles = AuditEntry.objects.filter(target_type=label, member_count__isnull=True)
    members = AuditBulkMember.objects.filter(entry__target_type=label)
    if isinstance(model._meta.pk, (models.IntegerField, models.AutoField)):
        # Merge two streams sorted by the integer key: flat memory for millions of rows.
        integer: models.BigIntegerField[int, int] = models.BigIntegerField()
        single_stream = (
            singles.filter(target_id__regex=_INTEGER_PK)
            .annotate(key=Cast("target_id", integer))
            .order_by("key", "id")
            .values_list("key", "id", "after_digest")
            .iterator(chunk_size=_CHUNK * 5)
        )
        member_stream = (
            members.filter(target_pk__regex=_INTEGER_PK)
            .annotate(key=Cast("target_pk", integer))
            .order_by("key", "entry_id")
            .values_list("key", "entry_id", "row_digest")
            .iterator(chunk_size=_CHUNK * 5)
        )
        expected: Iterator[tuple[Any, str]] = _latest_expected([single_stream, member_stream])
        _compare_sorted(result, label, rows, expected)
    else:
        # Other keys sort differently in SQL and Python: hold the expectations in memory.
        latest: dict[str, tuple[int, str]] = {}
        for key, seq, value in itertools.chain(
            singles.values_list("target_id", "id", "after_digest").iterator(chunk_size=_CHUNK),
            members.values_list("target_pk", "entry_id", "row_digest").iterator(chunk_size=_CHUNK),
        ):
            if key not in latest or latest[key][0] < seq:
                latest[key] = (seq, value)
        for pk, actual in rows:
            result.rows += 1
            seen = latest.pop(str(pk), None)
            _judge(result, label, str(pk), actual, None if seen is None else seen[1])
        for key, (_, value) in sorted(latest.items()):
            _judge(result, label, key, None, value)


def _compare_sorted(
    result: VerificationResult,
    label: str,
    rows: Iterator[tuple[Any, str]],
    expected: Iterator[tuple[Any, str]],
) -> None:
    row = next(rows, None)
    exp = next(expected, None)
    while row is not None or exp is not None:
        if exp is None or (row is not None and row[0] < exp[0]):
            assert row is not None  # noqa: S101 - narrowing for the type checker
            result.rows += 1
            _judge(result, label, str(row[0]), row[1], None)
            row = next(rows, None)
        elif row is None or exp[0] < row[0]:
            _judge(result, label, str(exp[0]), None, exp[1])
            exp = next(expected, None)
        else:
            result.rows += 1
            _judge(result, label, str(row[0]), row[1], exp[1])
            row, exp = next(rows, None), next(expected, None)


def _judge(
    result: VerificationResult, label: str, pk: str, actual: str | None, expected: str | None
) -> None:
    """One row against its latest entry; ``None`` = absent, ``""`` = recorded deletion."""
    if actual is None:
        if expected:  # an entry says the row exists, but it is gone
            result.add_row_problem(RowProblem(label, pk, DELETED))
    elif not expected:  # no entry at all, or recorded as deleted: inserted behind the back
        result.add_row_problem(RowProblem(label, pk, INSERTED))
    elif actual != expected:
        result.add_row_problem(RowProblem(label, pk, CHANGED))


def verify_audit_log(
    *, checkpoints: Sequence[str] = (), check_rows: bool = True
) -> VerificationResult:
    """Check the chain, tree heads, bulk members, every audited row and the triggers."""
    result = VerificationResult()
    targets = _load_targets(result, checkpoints)
    batches = _check_entries(result, targets)
    _check_members(result, batches)
    if check_rows:
        for model in audited_models():
            result.models.append(target_type_of(model))
            _check_model(result, model)
    missing = missing_triggers(connection)
    if missing:
        result.problems.append(
            Problem(
                "protection",
                f"只允许追加的保护触发器缺失：{', '.join(missing)}",
                f"append-only triggers are missing: {', '.join(missing)}",
            )
        )
    return result
