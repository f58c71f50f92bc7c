"""``AnyOf``: the same rows as ``__in``, with one array parameter on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from educredit.core.lookups import AnyOf
from educredit.subjects.models import Institution
from educredit.subjects.tests.factories import make_institution
from educredit.testing.factories import make_province

pytestmark = pytest.mark.django_db


def test_any_of_finds_what_in_finds():
    bureau = make_province()
    schools = [make_institution(supervisor=bureau, name=f"学校{i}", serial=i) for i in range(4)]
    wanted = [school.uscc for school in schools[:3]]  # the fourth is not asked for
    asked = [*wanted, "91350100M000100Y43"]  # one unknown code
    found = set(Institution.objects.filter(AnyOf(F("uscc"), asked)).values_list("uscc", flat=True))
    assert found == set(wanted)
    assert set(Institution.objects.filter(uscc__in=asked).values_list("uscc", flat=True)) == found
    assert not Institution.objects.filter(AnyOf(F("uscc"), [])).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the array form is PostgreSQL's")
def test_postgresql_gets_one_parameter_for_many_values():
    values = [f"X{i:017d}" for i in range(5000)]
    with CaptureQueriesContext(connection) as queries:
        list(Institution.objects.filter(AnyOf(F("uscc"), values)).values_list("pk"))
    sql = queries.captured_queries[-1]["sql"]
    assert "= ANY(" in sql and sql.count("X0000") == len(values)  # one array literal
    assert " IN (" not in sql
