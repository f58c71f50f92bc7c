"""Every API operation fuzzed from the OpenAPI schema (schemathesis): no server error, and
responses as the schema declares them: a declared status, a body of the declared schema.

The operations are read from the schema at collection time, so a new endpoint is fuzzed
without touching this file. Each runs positive and negative cases (and cases naming objects
that exist, and edge values in bodies and query strings) with a key holding every scope
over realistic data, then a few cases with no key, a key of no client and a wrong secret,
which must be refused with 401, writes included. Deterministic (derandomized);
``FUZZ_SUMMARY`` keeps the cases run per operation in this process, and each test prints its
figures (``-s``) and records them as ``fuzz_*`` properties (JUnit XML). Staff may call the
same operations: a pass signed in as a county clerk runs them with a user as the caller.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import resolve
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from educredit.api import api_not_found
from educredit.testing.api_fuzz import (
    FuzzResult,
    FuzzWorld,
    api_operations,
    build_fuzz_world,
    fuzz_operation,
    load_regions_if_flushed,
    load_schema,
)

pytestmark = pytest.mark.django_db

OPERATIONS = api_operations()
# Cases per operation and generation mode: the whole fuzz stays within a minute per database.
MAX_EXAMPLES = 40
UNAUTHENTICATED_EXAMPLES = 5
STAFF_EXAMPLES = 15
UNKNOWN_KEY = "ek_00000000_not-a-real-key"  # no client has this prefix

# Cases run in this process, by "METHOD path": the pass with the key, the pass as staff, and
# how many cases the passes without a valid key ran.
FUZZ_SUMMARY: dict[str, tuple[FuzzResult, FuzzResult, int]] = {}


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Any:
    """Built once per module (and xdist worker) in a transaction rolled back at its end; each
    test runs in a savepoint inside it, as with ``TestCase.setUpTestData``."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            MEDIA_ROOT=tmp_path_factory.mktemp("fuzz-media"),
        ),
        transaction.atomic(),
    ):
        load_regions_if_flushed()
        try:
            yield build_fuzz_world()
        finally:
            transaction.set_rollback(True)


def _refused(case: Any, response: Any) -> None:
    """401 whatever the method (no write is refused for CSRF before its caller is known); or,
    before any authentication, 404 in JSON when the generated path is no operation's, or 400
    for a request holding what a database cannot store."""
    assert response.headers["content-type"][0].startswith("application/json"), response.headers
    if response.status_code == 404:
        assert resolve(case.formatted_path).func is api_not_found, case.formatted_path
        return
    assert response.status_code in (400, 401), (case.formatted_path, response.status_code)


def test_every_schema_operation_is_fuzzed() -> None:
    schema = load_schema()
    loaded = [result.ok() for result in schema.get_all_operations()]
    assert len(loaded) == len(OPERATIONS) > 0
    assert {(op.method.upper(), op.path) for op in loaded} == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_survives_fuzzing(
    method: str, path: str, world: FuzzWorld, record_property: Any
) -> None:
    result = fuzz_operation(
        load_schema(),
        method,
        path,
        headers={"Authorization": f"Bearer {world.key}"},
        known=world.path_values,
        body=world.bodies.get(f"{method} {path}"),
        max_examples=MAX_EXAMPLES,
    )
    assert result.cases > 0
    # Some case got past authentication and validation to an answer of the handler.
    assert any(status < 400 or status in (404, 409) for status in result.statuses), result
    # No key, a key of no client, and the fuzz client's prefix with a wrong secret.
    scheme, prefix, _secret = world.key.split("_", 2)
    wrong_secret = f"{scheme}_{prefix}_{'x' * 43}"
    refused_cases = 0
    for key in (None, UNKNOWN_KEY, wrong_secret):
        refused = fuzz_operation(
            load_schema(),
            method,
            path,
            headers={"Authorization": f"Bearer {key}"} if key else {},
            known=world.path_values,
            max_examples=UNAUTHENTICATED_EXAMPLES,
            negative=False,
            checks=[not_a_server_error, status_code_conformance],
            on_response=_refused,
        )
        assert refused.cases > 0
        refused_cases += refused.cases
    # A signed-in county clerk: the handlers with a staff user as the caller.
    staff = fuzz_operation(
        load_schema(),
        method,
        path,
        headers=world.session_headers,
        cookies=world.session_cookies,
        known=world.path_values,
        body=world.bodies.get(f"{method} {path}"),
        max_examples=STAFF_EXAMPLES,
    )
    assert staff.cases > 0
    FUZZ_SUMMARY[result.label] = (result, staff, refused_cases)
    record_property("fuzz_cases", result.cases + staff.cases + refused_cases)
    record_property("fuzz_statuses", dict(result.statuses))
    record_property("fuzz_staff_statuses", dict(staff.statuses))
    record_property("fuzz_refused_cases", refused_cases)
    print(
        f"{result.label}: {result.cases} cases with the key {dict(sorted(result.statuses.items()))}"
        f"; {staff.cases} as staff {dict(sorted(staff.statuses.items()))}"
        f"; {refused_cases} without a valid key"
    )
