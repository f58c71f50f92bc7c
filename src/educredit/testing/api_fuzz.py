"""Property-based fuzzing of the JSON API from its own OpenAPI schema (schemathesis).

``api_operations()`` lists every operation the schema declares, so a new endpoint is fuzzed
without touching the test; ``build_fuzz_world()`` puts realistic data behind the API (a county
with institutions, people, records of every catalog item, a restriction, a check, a finished
bulk check, a subscription) and an API key holding every scope, so generated requests get
past authentication and reach the handlers' deep code; ``fuzz_operation()`` runs the cases of
one operation in-process through the WSGI application (same thread, so same test
transaction) and checks each response with schemathesis: no server error, a status the
operation declares, a body of the declared schema.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import functools
import importlib
import io
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

OPENAPI_PATH = "/api/openapi.json"
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})
FUZZ_ACTOR = "system:test"
CREDENTIAL_HEADERS = frozenset({"authorization", "x-api-key", "cookie"})
# A limit no fuzz run reaches: the limiter stays as it is, the fuzz client is just generous.
FUZZ_RATE_LIMIT = 1_000_000


def api_operations() -> list[tuple[str, str]]:
    """Every operation of the OpenAPI schema as ``(METHOD, path)``, in schema order."""
    from educredit.api import api

    schema = api.get_openapi_schema()
    return [
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in HTTP_METHODS
    ]


@contextlib.contextmanager
def connections_kept_open() -> Iterator[None]:
    """Requests through the WSGI handler without it closing the database connection at their
    start and end (it would end the test's transaction), as Django's test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@functools.cache
def load_schema() -> Any:
    """The schema as the application serves it, bound to the WSGI application (loaded once
    per process)."""
    import schemathesis
    from django.core.wsgi import get_wsgi_application

    with connections_kept_open():
        return schemathesis.openapi.from_wsgi(OPENAPI_PATH, get_wsgi_application())


def send_checked(method: str, operation: str, url: str, *, key: str, body: Any = None) -> Any:
    """Send one request through the WSGI application and check its answer against the schema
    of ``operation`` (the path template): raises when the answer does not conform. For the
    regression tests of what the fuzz found."""
    from django.core.wsgi import get_wsgi_application
    from werkzeug.test import Client

    kwargs: dict[str, Any] = {"headers": {"Authorization": f"Bearer {key}"}}
    if body is not None:
        kwargs["json"] = body
    with connections_kept_open():
        response = Client(get_wsgi_application()).open(url, method=method, **kwargs)
    load_schema()[operation][method].validate_response(response)
    return response


@dataclass(frozen=True)
class FuzzWorld:
    """The key the fuzz sends, ids of existing objects by path parameter name, and a valid
    request body by operation ("METHOD path"), which the fuzz sends as is and with one field
    changed (random bodies seldom get past validation)."""

    key: str
    path_values: dict[str, str]
    bodies: dict[str, dict[str, Any]]
    # A signed-in county clerk (staff may call the same operations) and a CSRF secret.
    session_cookies: dict[str, str]
    session_headers: dict[str, str]


class _Upload(io.BytesIO):
    """An in-memory file as ``bulk_check_start`` reads an upload."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name
        self.size = len(data)


def load_regions_if_flushed() -> None:
    """Core's GB/T 2260 table, which a transactional test run earlier may have flushed (the
    suite's autouse fixture does the same, but only for function-scoped data)."""
    from django.apps import apps

    from educredit.core.models import Region

    if not Region.objects.exists():
        migration = importlib.import_module("educredit.core.migrations.0002_load_henan_regions")
        migration.load_regions(apps, None)


def build_fuzz_world() -> FuzzWorld:
    """Realistic data in 中原区 (under 郑州, under the province) and an all-scope key."""
    from educredit.accounts.api_auth import KNOWN_SCOPES
    from educredit.accounts.choices import OrganisationKind, UserRole
    from educredit.audit.sequencer import sequence_pending
    from educredit.disclosure.tests.pages import prepare_county, row_for
    from educredit.disclosure.tests.rows import licence_row
    from educredit.records.demo_data import demo_credit_records
    from educredit.records.models import CreditRecord
    from educredit.sanctions import bulk_check, screening
    from educredit.sanctions.services import measure_list_seed
    from educredit.sanctions.subscriptions import subscription_set
    from educredit.subjects import services as subject_services
    from educredit.subjects.choices import InstitutionKind
    from educredit.subjects.tests.factories import make_institution, make_person, resident_id
    from educredit.testing.factories import (
        make_api_client,
        make_organisation,
        make_province,
        make_user,
    )

    province = make_province()
    city = make_organisation(
        parent=province,
        name="郑州市教育局",
        kind=OrganisationKind.CITY_BUREAU,
        region_code="410100",
    )
    county = make_organisation(
        parent=city, name="中原区教育局", kind=OrganisationKind.COUNTY_BUREAU, region_code="410102"
    )
    make_organisation(
        parent=city, name="金水区教育局", kind=OrganisationKind.COUNTY_BUREAU, region_code="410105"
    )
    clerk = make_user(organisation=county, username="fuzz.clerk", roles=[UserRole.CLERK])
    reviewer = make_user(organisation=city, username="fuzz.reviewer", roles=[UserRole.REVIEWER])
    measure_list_seed(actor=FUZZ_ACTOR)  # the shipped catalog, scenarios and measures
    prepare_county(county)  # the bureau's credit code, which 双公示 rows name
    school = make_institution(supervisor=county, name="中原区模糊测试学校", serial=8801)
    teachers = [
        make_person(institution=school, name=name, number=resident_id(serial))
        for name, serial in (("赵老师", 881), ("钱老师", 882))
    ]
    university_org = make_organisation(
        parent=province, name="模糊测试大学", kind=OrganisationKind.UNIVERSITY, region_code="410100"
    )
    university = make_institution(
        supervisor=province,
        name="模糊测试大学",
        serial=8802,
        kind=InstitutionKind.UNIVERSITY,
        region_code="410100",
    )
    subject_services.institution_update(
        actor=FUZZ_ACTOR, institution=university, organisation=university_org
    )
    professor = make_person(institution=university, name="孙教授", number=resident_id(883))
    # A record of every catalog item, in several states, and an entry on each list.
    demo_credit_records(
        county_clerk=clerk,
        county_reviewer=reviewer,
        county_institution=school,
        county_people=teachers,
        university_clerk=make_user(
            organisation=university_org, username="fuzz.uni.clerk", roles=[UserRole.CLERK]
        ),
        university_reviewer=make_user(
            organisation=province, username="fuzz.prov.reviewer", roles=[UserRole.REVIEWER]
        ),
        university=university,
        university_people=[professor],
    )
    client, key = make_api_client(
        organisation=county,
        name="模糊测试业务系统",
        scopes=sorted(KNOWN_SCOPES),
        rate_limit_per_minute=FUZZ_RATE_LIMIT,
    )
    subscription_set(actor=FUZZ_ACTOR, client=client, scenarios=["teacher_qualification"])
    answer = screening.screen(
        caller=client,
        identifier=screening.identifier_from(
            document_type="resident_id", document_number=resident_id(881)
        ),
        scenario="teacher_qualification",
        reference="FUZZ-0001",
    )
    sequence_pending(actor=FUZZ_ACTOR)  # the check's inclusion proof can be given
    run = bulk_check.bulk_check_start(
        caller=client,
        scenario="teacher_qualification",
        reference="FUZZ-BULK-01",
        as_of=dt.date(2026, 6, 1),
        upload=_Upload(
            f"证件类型,证件号码,姓名\n居民身份证,{resident_id(881)},赵老师\n".encode(), "名单.csv"
        ),
        enqueue=False,
    )
    bulk_check.bulk_check_process(run_id=run.pk)
    commitment = _commitment_of(client, school)
    record = CreditRecord.objects.filter(institution=school).order_by("pk").first()
    assert record is not None  # noqa: S101 - the demo data writes records of the school
    teacher_check = {
        "document_type": "resident_id",
        "document_number": resident_id(881),
        "name": "赵老师",
        "scenario": "teacher_qualification",
        "reference": "FUZZ-0002",
        "as_of": "2026-06-01",
    }
    from django.conf import settings as django_settings
    from django.test import Client

    browser = Client()
    browser.force_login(clerk)
    csrf = "f" * 32  # CSRF_TOKEN_LENGTH: the cookie's secret, sent back in the header
    return FuzzWorld(
        session_cookies={
            django_settings.SESSION_COOKIE_NAME: browser.cookies[
                django_settings.SESSION_COOKIE_NAME
            ].value,
            django_settings.CSRF_COOKIE_NAME: csrf,
        },
        session_headers={"X-CSRFToken": csrf},
        key=key,
        path_values={
            "org_id": str(county.public_id),
            "institution_id": str(school.public_id),
            "credit_record_id": str(record.public_id),
            "check_id": str(answer.check_id),
            "bulk_check_id": str(run.public_id),
            "commitment_id": str(commitment.public_id),
        },
        bodies={
            "POST /api/records/": {
                "catalog_item": str(record.catalog_item.public_id),
                "institution_uscc": school.uscc,
                "title": "未按规定公示收费项目",
                "decision_number": "郑中教罚〔2026〕881号",
                "issuing_body": record.issuing_body,
                "issuing_body_uscc": record.issuing_body_uscc,
                "decision_date": "2026-03-01",
                "payload": record.payload,
            },
            "POST /api/disclosure/penalties/": {"row": row_for(school, "郑中教罚〔2026〕882号")},
            "POST /api/disclosure/licences/": {
                "row": licence_row(XK_XDR_MC=school.name, XK_XDR_SHXYM=school.uscc or "")
            },
            "POST /api/commitments/": {
                "reference": "FUZZ-CN-01",
                "matter_code": "CN-MB-02",
                "institution_uscc": school.uscc,
                "reason": "申请变更办学许可证",
            },
            "POST /api/sanctions/check": teacher_check,
            "POST /api/sanctions/checks/{check_id}/feedback": {
                "outcome": "not_applied",
                "reason": "已核实为同名人员 / a namesake",
            },
            "POST /api/sanctions/bulk-checks": {
                "scenario": "teacher_qualification",
                "reference": "FUZZ-BULK-02",
                "items": [
                    {"document_type": "resident_id", "document_number": resident_id(881)},
                    {"uscc": school.uscc, "name": school.name},
                ],
            },
        },
    )


def _commitment_of(client: Any, school: Any) -> Any:
    """The shipped commitment matters and one commitment the system signed for ``school``."""
    from educredit.commitments.choices import CommitmentChannel
    from educredit.commitments.selectors import matter_in_force
    from educredit.commitments.services import commitment_sign, matter_list_seed

    matter_list_seed(actor=FUZZ_ACTOR)
    matter = matter_in_force("CN-MB-02")
    assert matter is not None  # noqa: S101 - the shipped list has it
    return commitment_sign(
        actor=client,
        matter=matter,
        institution=school,
        channel=CommitmentChannel.API,
        external_reference="FUZZ-CN-00",
    ).commitment


@dataclass
class FuzzResult:
    """How many cases one operation ran, by response status."""

    label: str
    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)


def fuzz_operation(
    schema: Any,
    method: str,
    path: str,
    *,
    headers: dict[str, str],
    known: dict[str, str] | None = None,
    body: dict[str, Any] | None = None,
    max_examples: int = 50,
    negative: bool = True,
    checks: list[Any] | None = None,
    on_response: Callable[[Any, Any], None] | None = None,
    cookies: dict[str, str] | None = None,
) -> FuzzResult:
    """Run positive (and negative) cases of one operation; raise on the first failed check.

    With ``known`` ids, a share of the cases use existing objects as path parameters, so the
    handler goes past its 404; with a valid ``body``, a share send it, as is or with one
    field changed. ``on_response(case, response)`` may assert more about each answer.
    """
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        response_schema_conformance,
        status_code_conformance,
    )

    operation = schema[path][method]
    strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
    if negative:
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))
    names = {p.name for p in operation.path_parameters}
    fixed = {name: value for name, value in (known or {}).items() if name in names}
    if fixed:
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed))
    queries = [p.name for p in operation.query]
    if queries:
        base = operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed or None)
        strategies.append(
            st.tuples(base, st.sampled_from(queries), st.sampled_from(EDGE_TEXTS)).map(_with_query)
        )
    if body is not None:
        with_body = operation.as_strategy(
            GenerationMode.POSITIVE, path_parameters=fixed or None, media_type="application/json"
        )
        strategies.append(st.tuples(with_body, _changed(body)).map(_with_body))
    result = FuzzResult(label=f"{method} {path}")
    run_checks = (
        checks
        if checks is not None
        else [not_a_server_error, status_code_conformance, response_schema_conformance]
    )

    @settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies))
    def run(case: Any) -> None:
        # Schemathesis makes up credentials for the security schemes: send only ours.
        case.headers = {
            name: value
            for name, value in (case.headers or {}).items()
            if name.lower() not in CREDENTIAL_HEADERS
        }
        case.cookies = dict(cookies or {})
        # A savepoint per case: a server error leaves the test's transaction usable.
        with transaction.atomic():
            response = case.call(headers=headers)
            if response.status_code >= 500:
                transaction.set_rollback(True)
        result.cases += 1
        result.statuses[response.status_code] += 1
        case.validate_response(response, checks=run_checks, headers=headers)
        if on_response is not None:
            on_response(case, response)

    with connections_kept_open():
        run()
    return result


# Values at the edges that generated ones seldom hit: U+0000 (PostgreSQL text cannot hold it),
# integers past 64 bits, the calendar's ends, empty and blank text.
EDGE_TEXTS = (
    "\x00",
    "a\x00b",
    "99999999999999999999",
    "-99999999999999999999",
    "9999-12",
    "9999-12-31",
    "0001-01-01",
    "",
    " ",
)
EDGE_VALUES: tuple[Any, ...] = (*EDGE_TEXTS, 2**64, -(2**64), 1e308, [], {})

_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | st.sampled_from(EDGE_VALUES)
)
_ANY_JSON = (
    _LEAVES | st.lists(_LEAVES, max_size=3) | st.dictionaries(st.text(), _LEAVES, max_size=3)
)


def _changed(body: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """``body`` as is, or with one of its fields (one level down too) dropped or replaced."""

    def change(path: tuple[str, ...], value: Any) -> dict[str, Any]:
        changed = copy.deepcopy(body)
        target = changed
        for key in path[:-1]:
            target = target[key]
        if value is _DROP:
            target.pop(path[-1], None)
        else:
            target[path[-1]] = value
        return changed

    paths = [(key,) for key in body] + [
        (key, inner) for key, value in body.items() if isinstance(value, dict) for inner in value
    ]
    return st.just(body) | st.builds(change, st.sampled_from(paths), st.just(_DROP) | _ANY_JSON)


_DROP = object()


def _with_query(triple: tuple[Any, str, str]) -> Any:
    case, name, value = triple
    case.query = {**(case.query or {}), name: value}
    return case


def _with_body(pair: tuple[Any, dict[str, Any]]) -> Any:
    case, body = pair
    case.body = body
    case.media_type = "application/json"
    return case
