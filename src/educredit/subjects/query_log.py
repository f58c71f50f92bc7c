"""Writing the query log (查询记录): every read of a subject's non-public credit information.

One function, ``query_log_write``, used by every page, export, API operation and report that
reveals non-public credit information, so the log is the same wherever the read happened and
the subject's "who looked at me" page reads one table (plus the screening checks, which are
their own log). A view or export of many subjects writes one row per subject with a shared
``batch``, in one statement.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import translation

from educredit.accounts.models import ApiClient, User
from educredit.core import clock
from educredit.subjects.choices import QueryBasis, QueryKind, QueryMode, QueryPurpose
from educredit.subjects.models import Institution, Person, SubjectQueryLog

# Longer purposes and bases are cut to their columns' size rather than refused: the read
# has happened and must be logged whatever was typed.
_PURPOSE_MAX = 300
_FIELDS_MAX = 500


def _coded(value: Any, choices: type[models.TextChoices]) -> tuple[str, str]:
    """(code, Chinese text) of a purpose or basis: a member of ``choices``, its code, or its
    wording in either language is stored as the code with the Chinese wording beside it (so
    a page read in English never stores English); any other text is a typed one, kept as is."""
    text = " ".join(str(value).split())
    for member in choices:
        if value is member or text == member.value:
            break
        with translation.override("zh-hans"):
            chinese = str(member.label)
        with translation.override("en"):
            english = str(member.label)
        if text in (chinese, english):
            break
    else:
        return "", text[:_PURPOSE_MAX]
    with translation.override("zh-hans"):
        return member.value, str(member.label)


def query_log_write(
    *,
    reader: Any,
    purpose: str | QueryPurpose,
    mode: str = QueryMode.GOVERNMENT,
    kind: str = QueryKind.VIEW,
    legal_basis: str | QueryBasis = "",
    fields: Iterable[str] = (),
    route: str = "",
    persons: Iterable[Person] = (),
    institutions: Iterable[Institution] = (),
    requester_name: str = "",
    document_type: str = "",
    log_empty: bool = False,
) -> int:
    """Log that ``reader`` read the given subjects' non-public information; rows written.

    ``reader`` is a staff or subject ``User``, an ``ApiClient`` or None (a third party under an
    authorisation, named by ``requester_name``). With no subject (a look-up that found nothing)
    one row is written only when ``log_empty`` is set. ``purpose`` and ``legal_basis`` are a
    ``QueryPurpose`` / ``QueryBasis`` (or their wording) or a text a person typed.
    """
    purpose_code, purpose_text = _coded(purpose, QueryPurpose)
    basis_code, basis_text = _coded(legal_basis, QueryBasis)
    user = reader if isinstance(reader, User) else None
    client = reader if isinstance(reader, ApiClient) else None
    organisation = getattr(reader, "organisation", None) if reader is not None else None
    common = {
        "user": user,
        "api_client": client,
        "organisation": organisation,
        "requester_name": requester_name.strip()[:200],
        "at": clock.now(),
        "mode": mode,
        "kind": kind,
        "purpose": purpose_text,
        "purpose_code": purpose_code,
        "legal_basis": basis_text,
        "legal_basis_code": basis_code,
        "fields": ",".join(fields)[:_FIELDS_MAX],
        "route": route[:120],
        "document_type": document_type,
    }
    rows = [SubjectQueryLog(person=person, **common) for person in _unique(persons)]
    rows += [
        SubjectQueryLog(institution=institution, **common) for institution in _unique(institutions)
    ]
    if not rows:
        if not log_empty:
            return 0
        rows = [SubjectQueryLog(**common)]
    if len(rows) > 1:
        batch = uuid.uuid4()
        for row in rows:
            row.batch = batch
    SubjectQueryLog.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _unique(subjects: Iterable[Any]) -> list[Any]:
    seen: set[int] = set()
    unique = []
    for subject in subjects:
        if subject is not None and subject.pk not in seen:
            seen.add(subject.pk)
            unique.append(subject)
    return unique
