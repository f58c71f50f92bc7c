"""No portal page issues more queries when there is more data (5 vs 50 rows)."""

from __future__ import annotations

import pytest

from educredit.portal.tests.conftest import add_record, public_item
from educredit.records.choices import CreditListKind, ListEntryStatus
from educredit.records.models import CreditListEntry
from educredit.subjects.models import FormerName
from educredit.subjects.tests.factories import make_institution

pytestmark = pytest.mark.django_db

# rate-limit upsert (+ old windows forgotten on a first hit), the search, the hits' public
# lists (badges), the region names (read once per process)
SEARCH_MAX = 5
SUBJECT_MAX = 6
LISTS_MAX = 6


@pytest.mark.parametrize("size", [5, 50])
def test_search_results_page(client, county, size, django_assert_max_num_queries):
    for n in range(size):
        institution = make_institution(supervisor=county, name=f"郑州实验学校{n}", serial=300 + n)
        FormerName.objects.create(institution=institution, name=f"郑州旧校{n}")
    with django_assert_max_num_queries(SEARCH_MAX):
        response = client.get("/query/", {"q": "zzsy"})
    assert response.content.decode().count('href="/institutions/') == min(size, 20)


@pytest.mark.parametrize("size", [5, 50])
def test_subject_page(client, zzu, county, size, django_assert_max_num_queries):
    item = public_item()
    for n in range(size):
        add_record(item=item, organisation=county, institution=zzu, title=f"处罚{n}")
        CreditListEntry.objects.create(
            kind=CreditListKind.RED,
            institution=zzu,
            organisation=county,
            status=ListEntryStatus.LISTED,
            reason=f"表彰{n}",
            listed_on=item.version.effective_from,
        )
    with django_assert_max_num_queries(SUBJECT_MAX):
        response = client.get(f"/institutions/{zzu.public_id}/")
    assert response.status_code == 200


@pytest.mark.parametrize("size", [5, 50])
def test_lists_and_disclosure_pages(client, county, size, django_assert_max_num_queries):
    item = public_item()
    for n in range(size):
        institution = make_institution(supervisor=county, name=f"名单学校{n}", serial=500 + n)
        add_record(item=item, organisation=county, institution=institution, title=f"处罚{n}")
        CreditListEntry.objects.create(
            kind=CreditListKind.SERIOUS,
            institution=institution,
            organisation=county,
            status=ListEntryStatus.LISTED,
            reason="严重失信",
            listed_on=item.version.effective_from,
        )
        CreditListEntry.objects.create(
            kind=CreditListKind.SERIOUS,
            institution=institution,
            organisation=county,
            status=ListEntryStatus.EXITED,
            reason="严重失信",
            exit_notice="移出",
            exited_on=item.version.effective_from,
        )
    with django_assert_max_num_queries(LISTS_MAX):
        assert client.get("/lists/").status_code == 200
    with django_assert_max_num_queries(LISTS_MAX):
        assert client.get("/disclosure/").status_code == 200
