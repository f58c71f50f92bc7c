"""What the sanctions app hears from the records app, inside the writing transaction.

A record's step (approve, revoke, repair, correct …) or a list entry's change refreshes the
restrictions grounded on it in the same transaction, so a screening never sees a revoked
decision's restriction after the revocation commits.
"""

from __future__ import annotations

from typing import Any

from educredit.sanctions import services


def on_record_transitioned(
    sender: Any, *, record: Any, action: str, from_status: str, actor: Any, **kwargs: Any
) -> None:
    """Refresh the restrictions grounded on the record (every step, corrections too)."""
    who = getattr(actor, "audit_actor", actor)
    services.restrictions_refresh_for_record(actor=who, record=record)


def on_list_entry_changed(
    sender: Any, *, entry: Any, action: str, actor: Any, **kwargs: Any
) -> None:
    """Refresh the restrictions grounded on the list entry (listed, exited, withdrawn …)."""
    services.restrictions_refresh_for_list_entry(actor=actor, entry=entry)
