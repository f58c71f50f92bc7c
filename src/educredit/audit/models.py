"""The append-only audit log: entries hash-chained and grouped under signed Merkle tree heads."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models


class AuditedModel(models.Model):
    """Mixin for models whose every write is audited.

    ``audit_snapshot`` is the canonical content of a row that the log's digests cover, so
    ``educredit audit verify`` can recompute it and name a row changed behind the services'
    back. Fields that change without meaning (timestamps, password hashes, ciphertexts that
    key rotation re-encrypts) are listed in ``audit_exclude``; personal data appears in a
    snapshot only as a keyed hash (blind index), never in clear.
    """

    audit_exclude: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def audit_snapshot(self) -> dict[str, Any]:
        """Field values by attribute name, minus ``audit_exclude``, as JSON-ready values."""
        snapshot: dict[str, Any] = {}
        for field in self._meta.concrete_fields:
            if field.name in self.audit_exclude or field.attname in self.audit_exclude:
                continue
            value = field.value_from_object(self)
            snapshot[field.attname] = value if value is None else field.value_to_string(self)
        return snapshot


class AuditChainHead(models.Model):
    """Singleton row holding the chain's tip; appenders lock it so the chain stays linear."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_chain_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.last_seq}"


class AuditEntry(models.Model):
    """One audited write: who, when, what (canonical before/after digests), why; chained."""

    seq = models.BigIntegerField(unique=True)
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
    leaf_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["target_type", "target_id", "seq"])]
        verbose_name = "审计日志"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_type}:{self.target_id}"
