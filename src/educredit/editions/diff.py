"""What changed between two editions of a list: rows added, removed and changed, by a key.

Rows are matched by ``key`` (the catalog's item code, the measure list's measure code: codes
are stable across editions), and compared on ``fields`` only, so a row's own id, public id
and edition never count as changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RowChange:
    """One row present in both editions whose ``fields`` differ."""

    key: Any
    before: Any
    after: Any
    fields: tuple[str, ...]

    def labels(self) -> list[str]:
        """The changed fields' verbose names (their names, for rows that are not models)."""
        meta = getattr(self.after, "_meta", None)
        if meta is None:
            return list(self.fields)
        return [str(meta.get_field(name).verbose_name) for name in self.fields]


@dataclass(frozen=True)
class EditionDiff:
    """Rows of the newer edition that the older lacks (``added``), rows of the older the newer
    lacks (``removed``), and rows of both that differ (``changed``), each in key order."""

    added: list[Any] = field(default_factory=list)
    removed: list[Any] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def edition_diff(
    old_rows: Iterable[Any], new_rows: Iterable[Any], *, key: str, fields: Sequence[str]
) -> EditionDiff:
    """The difference from ``old_rows`` (one edition's rows) to ``new_rows`` (another's)."""
    old = {getattr(row, key): row for row in old_rows}
    new = {getattr(row, key): row for row in new_rows}
    changed = []
    for code in sorted(old.keys() & new.keys()):
        before, after = old[code], new[code]
        differing = tuple(name for name in fields if getattr(before, name) != getattr(after, name))
        if differing:
            changed.append(RowChange(key=code, before=before, after=after, fields=differing))
    return EditionDiff(
        added=[new[code] for code in sorted(new.keys() - old.keys())],
        removed=[old[code] for code in sorted(old.keys() - new.keys())],
        changed=changed,
    )
