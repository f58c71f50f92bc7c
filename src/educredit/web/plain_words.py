"""Plain words for staff pages (ADR 0033).

Staff read what happened in officials' terms (已报送, 由 张三 审核通过); the machinery behind it —
action codes, idempotency keys, attempts, retry times, audit sequence numbers and hashes, the
account labels of jobs and API clients — is shown only to administrators, behind a 详情 toggle
(``<details>``), where they need it to answer a question or a support call.
"""

from __future__ import annotations

from typing import Any

from educredit.accounts.choices import UserRole


def sees_technical_detail(user: Any) -> bool:
    """Whether pages show ``user`` the technical detail behind 详情 (administrators only)."""
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "has_role"):
        return False
    return bool(user.has_role(UserRole.ADMIN))
