"""What other apps may hear from the subjects' rights, inside the transaction that caused it.

Receivers run in the service's transaction: what they write commits or rolls back with it.
"""

from django.dispatch import Signal

# Sent by ``repair.repair_grant`` once the record is repaired and the application saved.
# Arguments: ``application`` (the granted ``RepairApplication``), ``actor`` (the reviewer).
# The commitments app records the repair commitment the subject made in its application.
repair_granted = Signal()
