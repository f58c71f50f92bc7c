"""Signals of the exchange app, sent inside the worker's transaction when a receipt arrives.

``outbox_delivered(sender=OutboxItem, item, receipt)``: the platform accepted the row (or had it
already). ``outbox_rejected(sender=OutboxItem, item, receipt)``: it refused it; ``receipt.reasons``
says why, and the item waits in its organisation's queue for a fixed row.
"""

from django.dispatch import Signal

outbox_delivered = Signal()
outbox_rejected = Signal()
