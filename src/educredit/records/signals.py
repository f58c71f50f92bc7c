"""What other apps may hear from the records app, inside the transaction that caused it.

Receivers run in the writing service's transaction, so what they write (an outbox row for the
provincial platform, say) commits or rolls back with the record itself.
"""

from django.dispatch import Signal

# Sent by every life-cycle step (submit, approve, revoke, repair, expire …) after the record
# and its audit entry are saved, and by a correction of an effective record (action "correct",
# status unchanged). Arguments: ``record``, ``action`` (the lifecycle action name, or
# "correct"), ``from_status``, ``actor`` (the ``Actor`` who took it).
credit_record_transitioned = Signal()

# Sent by the list services (``records.lists``) after an entry is proposed, listed, withdrawn
# or exits, once it and its audit entry are saved. Arguments: ``entry``, ``action`` (propose,
# confirm, withdraw, exit), ``actor`` (a ``User`` or a ``system:`` label).
credit_list_entry_changed = Signal()
