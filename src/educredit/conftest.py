"""Test configuration shared by every app: settings for fast tests and the named personas.

Personas (conventions rule 9), all built through the services:

- ``province`` 河南省教育厅, ``city`` 郑州市教育局, ``county`` 中原区教育局 (under 郑州),
  ``other_county`` 金水区教育局 (also under 郑州), ``county_school`` 中原区第一小学;
- ``province_admin`` (admin of the province), ``city_reviewer`` (reviewer of 郑州),
  ``county_admin`` (admin of 中原区), ``county_clerk`` (clerk of 中原区),
  ``county_viewer`` (read-only of 中原区), ``school_clerk`` (clerk of the school),
  ``outsider`` (a clerk of 金水区: must never see 中原区's data);
- ``api_client`` (a business system of 中原区 with ``accounts:read``; ``api_client.key``
  holds its clear key).

Browser tests (``@pytest.mark.browser``) get ``browser_page`` / ``screenshot`` / ``viewport``
from ``educredit.testing.browser``, registered here once.

TOTP is switched off for every test (``EDUCREDIT_REQUIRE_TOTP = False``); a test that needs it
asks for the ``totp_required`` fixture. Passwords use a fast hasher (Argon2 is for production;
one test checks the production setting).
"""

from __future__ import annotations

from typing import Any

import pytest

from educredit.accounts.choices import OrganisationKind, UserRole
from educredit.testing import factories

# The browser harness, registered once for the whole suite: one Chromium per test process.
# (Importing its ``browser`` fixture in an app's conftest as well would define a second
# session fixture, and a second Playwright in the same process fails.)
from educredit.testing.browser import browser, browser_page, screenshot, viewport  # noqa: F401
from educredit.testing.shared_data import FAST_TEST_SETTINGS, load_region_reference_data

# The suite's longest tests (a minute or more each on a loaded 2-core machine: walks over every
# page, the big browser stories, the demo, the 100 000-entry log, the fuzzer, fault tests with
# processes and clusters) run first among the tests of their kind. xdist hands each worker a
# run of consecutive tests and then feeds both from what is left: with these at the front one
# worker works through them while the other takes short tests, and neither is left alone with a
# long test at the end. pytest-django's order of kinds stays (tests in a transaction, then
# transactional tests, which flush the database, then tests without one).
LONG_FIRST = (
    "web/tests/test_role_walk.py",
    "web/tests/test_one_language_walk.py",
    "disclosure/tests/test_browser_import_walk.py",
    "rights/tests/test_browser_rights_story.py",
    "commitments/tests/test_browser_story.py",
    "synth/tests/test_demo.py",
    "audit/tests/test_proofs.py",
    "sanctions/tests/test_check_outage.py",
    "core/tests/test_worker_killed.py",
    "core/tests/test_api_fuzz.py",
    "portal/tests/test_leak.py",
    "core/tests/test_hardening_settings.py",
    "records/tests/test_browser_record_flow.py",
)


def _database_kind(item: pytest.Item) -> int:
    """pytest-django's rank: 0 in a rolled-back transaction, 1 transactional, 2 no database."""
    fixtures = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    transactional = "transactional_db" in fixtures or "live_server" in fixtures
    if marker is not None:
        transactional = (
            transactional
            or bool(marker.kwargs.get("transaction"))
            or bool(marker.kwargs.get("reset_sequences"))
            or bool(marker.args and marker.args[0])
        )
    if transactional:
        return 1
    return 0 if marker is not None or "db" in fixtures else 2


def _long_rank(item: pytest.Item) -> int:
    path = item.path.as_posix()
    for index, suffix in enumerate(LONG_FIRST):
        if path.endswith(suffix):
            return index
    return len(LONG_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Within each kind of pytest-django's order, the tests of ``LONG_FIRST`` first."""
    items.sort(key=lambda item: (_database_kind(item), _long_rank(item)))


@pytest.fixture(autouse=True)
def _chinese_first() -> Any:
    """Every test starts in the platform's language: a page requested in English earlier in
    the same worker leaves English active in the thread, which messages built outside a
    request (services' errors) would otherwise pick up."""
    from django.conf import settings as django_settings
    from django.utils import translation

    with translation.override(django_settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _fast_and_single_factor(settings: Any) -> None:
    # TOTP off, a fast hasher, the audit MMD (``testing.shared_data`` says why).
    for name, value in FAST_TEST_SETTINGS.items():
        setattr(settings, name, value)


@pytest.fixture(autouse=True)
def _region_reference_data(request: Any) -> None:
    """Core's GB/T 2260 table, which a transactional test elsewhere may have flushed.

    The table is loaded by a data migration; a transactional test (live server) run earlier in
    the same worker empties it unless it asked for a serialized rollback. Reload it then.
    """
    if request.node.get_closest_marker("django_db") is None:
        return
    load_region_reference_data()


@pytest.fixture
def totp_required(settings: Any) -> None:
    """Admins and reviewers must pass TOTP in this test."""
    settings.EDUCREDIT_REQUIRE_TOTP = True


@pytest.fixture
def province(db: Any) -> Any:
    return factories.make_province("河南省教育厅")


@pytest.fixture
def city(province: Any) -> Any:
    return factories.make_organisation(
        parent=province,
        name="郑州市教育局",
        kind=OrganisationKind.CITY_BUREAU,
        region_code="410100",
    )


@pytest.fixture
def county(city: Any) -> Any:
    return factories.make_organisation(
        parent=city, name="中原区教育局", kind=OrganisationKind.COUNTY_BUREAU, region_code="410102"
    )


@pytest.fixture
def other_county(city: Any) -> Any:
    return factories.make_organisation(
        parent=city, name="金水区教育局", kind=OrganisationKind.COUNTY_BUREAU, region_code="410105"
    )


@pytest.fixture
def county_school(county: Any) -> Any:
    return factories.make_organisation(
        parent=county, name="中原区第一小学", kind=OrganisationKind.SCHOOL, region_code="410102"
    )


@pytest.fixture
def province_admin(province: Any) -> Any:
    return factories.make_user(
        organisation=province, username="sheng.admin", full_name="省管理员", roles=[UserRole.ADMIN]
    )


@pytest.fixture
def city_reviewer(city: Any) -> Any:
    return factories.make_user(
        organisation=city, username="zz.reviewer", full_name="郑州审核员", roles=[UserRole.REVIEWER]
    )


@pytest.fixture
def county_admin(county: Any) -> Any:
    return factories.make_user(
        organisation=county, username="zy.admin", full_name="中原管理员", roles=[UserRole.ADMIN]
    )


@pytest.fixture
def county_clerk(county: Any) -> Any:
    return factories.make_user(
        organisation=county, username="zy.clerk", full_name="中原录入员", roles=[UserRole.CLERK]
    )


@pytest.fixture
def county_viewer(county: Any) -> Any:
    return factories.make_user(
        organisation=county, username="zy.viewer", full_name="中原只读", roles=[UserRole.VIEWER]
    )


@pytest.fixture
def school_clerk(county_school: Any) -> Any:
    return factories.make_user(
        organisation=county_school,
        username="zy1x.clerk",
        full_name="一小录入员",
        roles=[UserRole.CLERK],
    )


@pytest.fixture
def outsider(other_county: Any) -> Any:
    return factories.make_user(
        organisation=other_county,
        username="js.clerk",
        full_name="金水录入员",
        roles=[UserRole.CLERK],
    )


@pytest.fixture
def api_client(county: Any) -> Any:
    client, key = factories.make_api_client(
        organisation=county, name="中原区学籍系统", scopes=["accounts:read"]
    )
    client.key = key  # type: ignore[attr-defined]  # the clear key, for tests to send
    return client
