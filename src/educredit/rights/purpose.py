"""The purpose of staff reads (政务共享, Henan §18, §24): what each query-log row of a staff
page says the read was for.

Routine pages of a body's own jurisdiction are logged with the duty default — "履行职责",
under Henan §18's government-sharing mode — unless the user has declared a specific purpose
and legal basis for the session (/rights/purpose/), which then goes into every row they write.
Look-ups by identity number and exports ask for their own explicit purpose and basis.

``staff_read_log`` is the one call staff views and staff API operations make.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest

from educredit.subjects.choices import QueryBasis, QueryKind, QueryMode, QueryPurpose
from educredit.subjects.models import Institution, Person
from educredit.subjects.query_log import query_log_write

SESSION_KEY = "educredit.query_purpose"


def duty_purpose() -> tuple[QueryPurpose, QueryBasis]:
    """The default purpose and basis of routine reads within the reader's jurisdiction (codes:
    the log shows them in each reader's language)."""
    return QueryPurpose.DUTY, QueryBasis.HENAN_18


def declared_purpose(request: HttpRequest) -> tuple[str, str] | None:
    """The purpose and basis the user declared for this session, if any."""
    session = getattr(request, "session", None)
    stored = session.get(SESSION_KEY) if session is not None else None
    if isinstance(stored, dict) and stored.get("purpose") and stored.get("basis"):
        return str(stored["purpose"]), str(stored["basis"])
    return None


def declare_purpose(request: HttpRequest, *, purpose: str, basis: str) -> None:
    """Store a purpose and basis for the rest of the session (empty both: back to the duty)."""
    purpose, basis = " ".join(purpose.split())[:300], " ".join(basis.split())[:300]
    if purpose and basis:
        request.session[SESSION_KEY] = {"purpose": purpose, "basis": basis}
    else:
        request.session.pop(SESSION_KEY, None)


def session_purpose(request: HttpRequest) -> tuple[str, str] | tuple[QueryPurpose, QueryBasis]:
    """The declared purpose of the session, or the duty default."""
    return declared_purpose(request) or duty_purpose()


def _route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return str(match.view_name) if match is not None and match.view_name else request.path


def staff_read_log(
    request: HttpRequest,
    *,
    persons: Iterable[Person | None] = (),
    institutions: Iterable[Institution | None] = (),
    kind: str = QueryKind.VIEW,
    fields: Iterable[str] = (),
    purpose: str = "",
    legal_basis: str = "",
    reader: Any = None,
    route: str = "",
) -> int:
    """Log a staff page's (or staff API operation's) read of the subjects it shows, with the
    purpose of the bulk approval just used, else the session's, unless an explicit one is
    given; one batch for a page of subjects."""
    approved = getattr(request, "bulk_access", None)
    default_purpose: str | QueryPurpose
    default_basis: str | QueryBasis
    if approved is not None:
        default_purpose, default_basis = approved.purpose, approved.legal_basis
    else:
        default_purpose, default_basis = session_purpose(request)
    return query_log_write(
        reader=reader if reader is not None else request.user,
        purpose=purpose or default_purpose,
        legal_basis=legal_basis or default_basis,
        mode=QueryMode.GOVERNMENT,
        kind=kind,
        fields=fields,
        route=route or _route_of(request),
        persons=[p for p in persons if p is not None],
        institutions=[i for i in institutions if i is not None],
    )
