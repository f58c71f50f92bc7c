"""Data several tests read, made once and rolled back after the last of them.

An expensive set-up (the demo province, ``educredit demo``) that a group of tests reads is
made once, inside a transaction this helper holds open around the group; each test then runs
in its own savepoint inside it (pytest-django's ``db``), so whatever a test writes is rolled
back before the next one starts, exactly as with a set-up per test. After the last test of the
group the held transaction is rolled back too, and the tests after it find the database as
they would have.

Use it from a class-scoped fixture, and put the tests that share the data in one class::

    @pytest.fixture(scope="class")
    def demo_once(django_db_setup, django_db_blocker, tmp_path_factory):
        yield from shared_data(django_db_blocker, lambda: demo_prepare(...))

The data is made under the settings every test gets from the root conftest (fast password
hasher, no TOTP unless ``totp=True``, the audit MMD, Chinese active): a test's own ``settings``
fixture is function-scoped and not yet in force when a class-scoped fixture runs.

Only for non-transactional tests (``django_db`` without ``transaction=True``): a transactional
test commits and flushes, which the held transaction must not see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import import_module
from typing import Any, TypeVar

from django.conf import settings as django_settings
from django.db import transaction
from django.test.utils import override_settings
from django.utils import translation

T = TypeVar("T")

# What the root conftest's autouse fixtures set for every test (kept in one place).
FAST_TEST_SETTINGS: dict[str, Any] = {
    "EDUCREDIT_REQUIRE_TOTP": False,
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    # No sequencer runs beside a test: it sequences when it needs proofs, perhaps minutes
    # after a receipt, so the promise under test is the one a test sets for itself.
    "EDUCREDIT_AUDIT_MMD_SECONDS": 3600,
}


def load_region_reference_data() -> None:
    """Reload core's GB/T 2260 table when a transactional test has emptied it.

    The table is loaded by a data migration; a transactional test (live server) run earlier in
    the same worker empties it unless it asked for a serialized rollback.
    """
    from django.apps import apps

    from educredit.core.models import Region

    if not Region.objects.exists():
        migration = import_module("educredit.core.migrations.0002_load_henan_regions")
        migration.load_regions(apps, None)


def shared_data(
    django_db_blocker: Any, make: Callable[[], T], *, totp: bool = False
) -> Iterator[T]:
    """Yield what ``make()`` returns, its rows held in a transaction rolled back afterwards."""
    with django_db_blocker.unblock():
        held = transaction.atomic()
        # Marked as a test case's own block, so a durable atomic inside a test behaves as it
        # does under a plain TestCase (Django checks the innermost block only).
        held._from_testcase = True  # type: ignore[attr-defined]
        held.__enter__()
    try:
        with (
            django_db_blocker.unblock(),
            override_settings(**(FAST_TEST_SETTINGS | {"EDUCREDIT_REQUIRE_TOTP": totp})),
            translation.override(django_settings.LANGUAGE_CODE),
        ):
            load_region_reference_data()
            value = make()
        yield value
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            held.__exit__(None, None, None)
