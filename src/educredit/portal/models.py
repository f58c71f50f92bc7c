"""The portal's own tables: the institution search index and per-IP rate windows."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchTermKind(models.TextChoices):
    """Where a search term comes from."""

    NAME = "name", _("名称")
    FORMER = "former", _("曾用名")
    ALIAS = "alias", _("简称")
    INITIALS = "initials", _("拼音首字母")
    PINYIN = "pinyin", _("全拼")
    USCC = "uscc", _("统一社会信用代码")


class InstitutionSearchTerm(models.Model):
    """One normalised search key of an institution (名称、曾用名、简称、拼音、代码), by prefix.

    Names contribute every suffix (so a prefix match on the indexed column is a "contains"
    match on the name); pinyin contributes a suffix at every syllable. Maintained by
    ``portal.services.search_index_refresh`` from the subjects' post_save signals.
    """

    # Derived data: no database-level constraint, so the index never blocks a write to the
    # subjects (ORM deletes still cascade); a term of a vanished row matches nothing in a join.
    institution = models.ForeignKey(
        "subjects.Institution", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    term = models.CharField(max_length=400)
    kind = models.CharField(max_length=10, choices=SearchTermKind.choices)

    class Meta:
        indexes = [
            # varchar_pattern_ops lets PostgreSQL answer LIKE 'x%' from the index whatever the
            # database collation; other engines ignore the opclass.
            models.Index(
                fields=["term"], name="portal_search_term_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["institution"], name="portal_search_term_inst"),
        ]

    def __str__(self) -> str:
        return f"{self.institution_id}:{self.kind}:{self.term}"


class PortalRateWindow(models.Model):
    """Requests one client address made to one portal action in one fixed one-minute window.

    The address is kept only as a keyed hash.
    """

    bucket = models.CharField(max_length=20)
    client_key = models.CharField(max_length=64)
    window_start = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bucket", "client_key", "window_start"], name="uniq_portal_rate_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.bucket}:{self.client_key[:8]}@{self.window_start:%H:%M} {self.count}"
