"""The append-only audit log: entries hash-chained and grouped under signed Merkle tree heads."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from educredit.audit.canonical import snapshot_of


class AuditedModel(models.Model):
    """Mixin for models whose every write is audited.

    ``audit_snapshot`` is the canonical content of a row that the log's digests cover, so
    ``educredit audit verify`` can recompute it and name a row changed behind the services'
    back. Fields that change without meaning (timestamps, password hashes, ciphertexts that
    key rotation re-encrypts) are listed in ``audit_exclude``; personal data appears in a
    snapshot only as a keyed hash (blind index), never in clear.
    """

    audit_exclude: ClassVar[tuple[str, ...]] = ()
    # Fields added after rows were audited, with the value they were added with: at that value
    # a field is left out of the snapshot, so older rows still verify (``snapshot_neutral``).
    audit_added_fields: ClassVar[dict[str, Any]] = {}

    class Meta:
        abstract = True

    def audit_snapshot(self) -> dict[str, Any]:
        """Field values by attribute name, minus ``audit_exclude``, as JSON-ready values.

        Each value is written as ``Field.value_to_string`` writes it, normalised to what the
        database returns (see ``educredit.audit.canonical``), so it is the same before and
        after a round trip through SQLite or PostgreSQL.
        """
        return snapshot_of(self)


class AuditChainHead(models.Model):
    """Singleton row holding the sequenced log's tip: how many leaves are integrated, the last
    chain hash, and the compact range (perfect-subtree roots, hex) of the Merkle tree so far.

    Only the sequencer writes it, holding its row lock for one batch: that lock is what lets
    one sequencer win a batch while the others wait. No write of the rest of the system locks
    it (ADR 0044).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_chain_hash = models.CharField(max_length=64, default="0" * 64)
    frontier = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"audit head #{self.last_seq}"


class AuditEntry(models.Model):
    """One audited write: who, when, what (canonical before/after digests), why.

    Written in the writer's own transaction as a queued leaf (``AuditQueuedLeaf``), without a
    lock; its position in the log (``SequencedLeaf.seq``) and its chain hash come later, from
    the sequencer. ``id`` is the entry's identity from the start.
    """

    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who acted when there is no user (a command, a job, an API client), e.g. "system:synth".
    actor_label = models.CharField(max_length=120)
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=80)
    target_id = models.CharField(max_length=64)
    before_digest = models.CharField(max_length=64, blank=True)
    after_digest = models.CharField(max_length=64, blank=True)
    changed_fields = models.JSONField(default=list)
    reason = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    # Bulk entries only: how many rows the batch holds (``AuditBulkMember``); NULL otherwise.
    member_count = models.BigIntegerField(null=True, blank=True)
    # Set when the writer hands out a signed entry timestamp: the log promises to integrate
    # the entry by then, and ``audit verify`` checks that it did.
    merge_deadline = models.DateTimeField(null=True, blank=True)
    leaf_hash = models.CharField(max_length=64)
    # HMAC of the leaf hash under a key outside the database: someone who can write to the
    # database but cannot read the key file cannot forge an entry that verifies.
    mac = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["target_type", "target_id", "id"])]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id} ({self.pk})"


class AuditQueuedLeaf(models.Model):
    """An entry written but not yet integrated: the sequencer's queue, emptied as it goes."""

    entry = models.OneToOneField(
        AuditEntry,
        primary_key=True,
        db_constraint=False,  # the entry row is written just before, in the same transaction
        on_delete=models.DO_NOTHING,
        related_name="+",
    )

    def __str__(self) -> str:
        return f"queued {self.entry_id}"


class SequencedLeaf(models.Model):
    """An entry's place in the log: leaf ``seq`` (1-based) of the hash chain and Merkle tree."""

    seq = models.BigIntegerField(primary_key=True)
    entry = models.OneToOneField(
        AuditEntry,
        db_constraint=False,  # ``audit verify`` checks every link; a constraint costs a probe
        on_delete=models.DO_NOTHING,
        related_name="sequenced",
    )
    leaf_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64)
    integrated_at = models.DateTimeField()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("已排序条目")
        verbose_name_plural = _("已排序条目")

    def __str__(self) -> str:
        return f"#{self.seq} → {self.entry_id}"


class AuditNode(models.Model):
    """An interior node of the Merkle tree: the root of the perfect subtree of 2**level leaves
    starting at leaf ``position * 2**level``. Stored as the sequencer completes it, so a proof
    reads O(log n) nodes instead of every leaf; ``audit verify`` does not trust them (a proof
    from a wrong node fails against the signed root)."""

    pk = models.CompositePrimaryKey("level", "position")
    level = models.PositiveSmallIntegerField()
    position = models.BigIntegerField()
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"node {self.level}/{self.position}"


class AuditBulkMember(models.Model):
    """One row of a bulk load (批量导入), covered by its batch entry's digest; append-only."""

    pk = models.CompositePrimaryKey("entry_id", "position")
    # Points at the entry's id, reserved before the entry row is written so members stream in
    # first. No database constraint: it would cost an index probe per loaded row, and
    # ``audit verify`` checks every member against its entry anyway.
    entry = models.ForeignKey(
        AuditEntry,
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="bulk_members",
    )
    position = models.BigIntegerField()
    target_pk = models.CharField(max_length=64)
    row_digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("批量审计成员")
        verbose_name_plural = _("批量审计成员")

    def __str__(self) -> str:
        return f"{self.entry_id}[{self.position}] {self.target_pk}"


class TreeHead(models.Model):
    """A signed Merkle tree head (签名树头) over the first ``size`` entries: a C2SP checkpoint."""

    size = models.BigIntegerField(unique=True)
    root_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    # The signed note exactly as published: "<origin>\n<size>\n<base64 root>\n\n— <key> <sig>\n".
    checkpoint = models.TextField()
    key_name = models.CharField(max_length=200)
    # base64(4-byte key hash ‖ Ed25519 signature), as on the checkpoint's signature line.
    signature = models.CharField(max_length=200)
    sealed_by = models.CharField(max_length=120)
    # The compact range (perfect-subtree roots, hex) after ``size`` leaves. Not trusted by
    # ``verify``, which recomputes.
    frontier = models.JSONField(default=list)

    class Meta:
        ordering = ["size"]
        get_latest_by = "size"
        verbose_name = _("签名树头")
        verbose_name_plural = _("签名树头")

    def __str__(self) -> str:
        return f"tree head {self.size} {self.root_hash[:12]}"
