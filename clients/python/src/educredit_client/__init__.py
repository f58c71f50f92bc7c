"""EduCredit 联合奖惩核查接口客户端 / Python client of EduCredit's screening API.

Standard library only: a business system can vendor ``educredit_client`` as it is.
See docs/integration-guide.md in the EduCredit repository.
"""

from educredit_client.client import (
    CheckMeasure,
    CheckResult,
    Client,
    EduCreditError,
    EntryTimestamp,
    VerifierKey,
    verify_entry_timestamp,
    verify_proof,
    verify_webhook,
)

__all__ = [
    "CheckMeasure",
    "CheckResult",
    "Client",
    "EduCreditError",
    "EntryTimestamp",
    "VerifierKey",
    "verify_entry_timestamp",
    "verify_proof",
    "verify_webhook",
]
__version__ = "0.2.0"
