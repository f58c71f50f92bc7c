"""THE query-log walk (issue 6): every page and API operation that shows non-public credit
information writes the query log (Henan §24, §40).

It enumerates the whole URL configuration and the API's OpenAPI schema as they stand when the
suite runs (the resolver walk of ``accounts/tests/test_jurisdiction_walk.py``, object ids from
the same fixture registry), plants canary tokens in non-public data — every record's title,
every list entry's reason (entries at the notice stage), every screening check's reference
(a teacher under a measure makes the restriction pages show a basis record) — and requests
every GET route: staff pages as a provincial admin holding every role, ``/self/`` pages as a
subject user, API operations as a provincial API client holding every scope. A list page
marked ``@list_export`` (ADR 0036) is requested a second time with ``?export=xlsx``, and the
workbook's XML is searched like a page. Whenever a response carries a canary token, the
request must have written at least one ``SubjectQueryLog`` row (or a ``ScreeningCheck``, the
screening's own log).

Routes skipped, by rule: public pages (``@access_public``: they serve published information
only, whose reads Henan §18 leaves unlogged), routes whose URL cannot be built (unnamed), and
routes taking an object id no app has registered a working factory for (the jurisdiction
walk fails those). Only GET is requested: a write does not reveal, and its answer page is a GET.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.test import Client
from django.urls import reverse

from educredit.accounts.api_auth import KNOWN_SCOPES
from educredit.accounts.choices import UserRole
from educredit.accounts.permissions import access_rule_of
from educredit.accounts.tests.test_jurisdiction_walk import PATH_PARAM, api_operations, walk
from educredit.core.exports import EXPORT_PARAM
from educredit.records.choices import ListEntryStatus
from educredit.records.models import CreditListEntry, CreditRecord
from educredit.records.tests.factories import make_record, make_reviewer
from educredit.rights.tests.factories import make_subject_user
from educredit.sanctions.models import ScreeningCheck
from educredit.sanctions.tests.factories import shipped_measure_list
from educredit.sanctions.tests.test_restrictions import revocation
from educredit.subjects.models import SubjectQueryLog
from educredit.subjects.tests.factories import make_institution, make_person, resident_id
from educredit.testing.factories import make_api_client, make_user
from educredit.testing.jurisdiction import (
    JURISDICTION_FIXTURES,
    NON_OBJECT_KWARGS,
    load_app_fixtures,
)

RECORD_TOKEN = "CNRYREC"
ENTRY_TOKEN = "CNRYLST"
CHECK_TOKEN = "CNRYCHK"
TOKENS = (RECORD_TOKEN, ENTRY_TOKEN, CHECK_TOKEN)

SELF_PREFIX = "/self/"


def _log_count() -> int:
    return SubjectQueryLog.objects.count() + ScreeningCheck.objects.count()


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if content[:4] == b"PK\x03\x04":  # an XLSX export: its sheets' and strings' XML
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(
                archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist()
            )
    return content.decode("utf-8", errors="replace")


def _plant_canaries() -> None:
    """Put a token in every piece of non-public data the fixtures made (direct updates: the
    test only needs the text to show where the data shows)."""
    CreditRecord.objects.update(title=Concat(F("title"), Value(f" {RECORD_TOKEN}")))
    CreditListEntry.objects.filter(status=ListEntryStatus.NOTICE).update(
        reason=Concat(F("reason"), Value(f" {ENTRY_TOKEN}"))
    )
    ScreeningCheck.objects.update(reference=Value(CHECK_TOKEN))


@pytest.fixture
def walk_world(county, province):
    """Objects for every URL kwarg (in ``county``), a subject user with a record, canaries."""
    # First: the shipped measure list loads the shipped catalog, before any test item exists.
    shipped_measure_list()
    load_app_fixtures()
    routes = list(walk())
    # In the order the routes name them, as the jurisdiction walk makes them: some factories
    # build on an object an earlier one made (an attachment on an objection).
    kwargs_needed = [kwarg for route in routes for kwarg in route.kwargs]
    kwargs_needed += [
        name for _method, path, _op in api_operations() for name in PATH_PARAM.findall(path)
    ]
    values: dict[str, Any] = {}
    unmade: dict[str, str] = {}
    for kwarg in dict.fromkeys(kwargs_needed):
        if kwarg in NON_OBJECT_KWARGS:
            values[kwarg] = NON_OBJECT_KWARGS[kwarg]
        elif kwarg in JURISDICTION_FIXTURES:
            # A factory that cannot make its object (another app's, mid-change) leaves its
            # routes unrequested here; the jurisdiction walk fails them on its own.
            try:
                with transaction.atomic():
                    values[kwarg] = JURISDICTION_FIXTURES[kwarg](county)
            except Exception as exc:
                unmade[kwarg] = repr(exc)
    clerk = make_user(organisation=county, username="qlog.clerk", roles=[UserRole.CLERK])
    school = make_institution(supervisor=county, name="自助学校", serial=990_001)
    person = make_person(institution=school, name="自助人", number=resident_id(7, born="19800101"))
    make_record(actor=clerk, person=person)
    # A teacher under a measure (teacher qualification revoked: a restriction in force).
    teacher = make_person(institution=school, name="受限人", number=resident_id(8, born="19800101"))
    revocation(clerk, make_reviewer(organisation=county), teacher)
    _plant_canaries()
    admin = make_user(organisation=province, username="qlog.admin", roles=list(UserRole.values))
    subject_user = make_subject_user(actor=admin, person=person)
    _client, key = make_api_client(
        organisation=province, name="qlog all scopes", scopes=sorted(KNOWN_SCOPES)
    )
    return {
        "routes": routes,
        "values": values,
        "admin": admin,
        "subject": subject_user,
        "key": key,
        "unmade": unmade,
    }


def _unlogged(response: Any, before: int) -> str | None:
    if response.status_code != 200:
        return None
    body = _body(response)
    shown = [token for token in TOKENS if token in body]
    if shown and _log_count() == before:
        return ",".join(shown)
    return None


def test_every_page_showing_non_public_data_writes_the_query_log(walk_world):
    values = walk_world["values"]
    # A page that fails raises here: the walk is also a crawl of every page with real data.
    staff, subject = Client(), Client()
    staff.force_login(walk_world["admin"])
    subject.force_login(walk_world["subject"])
    failures, requested, exports = [], 0, 0
    for route in walk_world["routes"]:
        if route.self_guarded:
            continue  # the API: walked below, operation by operation
        rule = access_rule_of(route.callback)
        if getattr(rule, "public", False) or not route.name:
            continue
        if any(kwarg not in values for kwarg in route.kwargs):
            continue  # no object factory yet: the jurisdiction walk fails the route for it
        url = reverse(route.name, kwargs={kwarg: values[kwarg] for kwarg in route.kwargs})
        client = subject if route.path.startswith(SELF_PREFIX) else staff
        urls = [url]
        if getattr(route.callback, "list_export", False):
            urls.append(f"{url}?{EXPORT_PARAM}=xlsx")
            exports += 1
        for target in urls:
            before = _log_count()
            tokens = _unlogged(client.get(target), before)
            requested += 1
            if tokens:
                failures.append(f"GET {target} ({route.name}) shows {tokens} and logs nothing")
    assert requested > 20, "the walk requested too few pages to prove anything"
    assert exports >= 3, "the walk requested too few list exports to prove anything"
    assert not failures, "\n".join([*failures, f"(objects not made: {walk_world['unmade']})"])


def test_every_api_operation_showing_non_public_data_writes_the_query_log(walk_world):
    values = walk_world["values"]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {walk_world['key']}")
    failures, requested = [], 0
    for method, path, _operation in api_operations():
        if method != "GET":
            continue
        names = PATH_PARAM.findall(path)
        if any(name not in values for name in names):
            continue  # no object factory yet: the jurisdiction walk fails the route for it
        url = PATH_PARAM.sub(lambda m: str(values[m.group(1)]), path)
        before = _log_count()
        tokens = _unlogged(client.get(url), before)
        requested += 1
        if tokens:
            failures.append(f"GET {url} shows {tokens} and logs nothing")
    assert requested > 3
    assert not failures, "\n".join(failures)
