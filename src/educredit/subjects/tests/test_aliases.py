"""Short names of institutions (简称): kept by staff through an audited service, shown and edited
on the institution's page, seeded for the universities from the shipped list."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from educredit.audit.models import AuditEntry
from educredit.subjects import services
from educredit.subjects.models import InstitutionAlias
from educredit.subjects.tests.factories import make_institution

pytestmark = pytest.mark.django_db


@pytest.fixture
def zzu(county):
    return make_institution(supervisor=county, name="郑州大学", serial=41, moe_code="4141010459")


def _page(institution) -> str:
    return reverse("subjects:institution_detail", kwargs={"institution_id": institution.public_id})


def _aliases_url(institution) -> str:
    return reverse("subjects:institution_aliases", kwargs={"institution_id": institution.public_id})


def test_an_alias_is_added_and_removed_with_an_audit_entry(zzu, county_clerk):
    alias = services.institution_alias_add(actor=county_clerk, institution=zzu, name=" 郑大 ")
    assert alias.name == "郑大"
    assert AuditEntry.objects.filter(action="institution.alias_add", target_id=str(alias.pk))
    # The same alias again changes nothing.
    again = services.institution_alias_add(actor=county_clerk, institution=zzu, name="郑大")
    assert again.pk == alias.pk
    assert AuditEntry.objects.filter(action="institution.alias_add").count() == 1
    pk = alias.pk
    services.institution_alias_remove(actor=county_clerk, alias=alias)
    assert not InstitutionAlias.objects.filter(pk=pk).exists()
    removed = AuditEntry.objects.get(action="institution.alias_remove")
    assert removed.target_id == str(pk) and removed.after_digest == ""


def test_an_alias_must_differ_from_the_name_and_fit(zzu, county_clerk):
    with pytest.raises(services.SubjectError):
        services.institution_alias_add(actor=county_clerk, institution=zzu, name="郑州大学")
    with pytest.raises(services.SubjectError):
        services.institution_alias_add(actor=county_clerk, institution=zzu, name="  ")
    with pytest.raises(services.SubjectError):
        services.institution_alias_add(actor=county_clerk, institution=zzu, name="郑" * 51)
    assert not InstitutionAlias.objects.exists()


def test_only_writers_covering_the_institution_keep_its_aliases(zzu, outsider, county_viewer):
    for actor in (outsider, county_viewer):
        with pytest.raises(PermissionDenied):
            services.institution_alias_add(actor=actor, institution=zzu, name="郑大")
    assert not InstitutionAlias.objects.exists()


def test_the_institution_page_shows_aliases_and_lets_a_clerk_edit_them(client, zzu, county_clerk):
    client.force_login(county_clerk)
    response = client.post(_aliases_url(zzu), {"name": "郑大"})
    assert response.status_code == 302 and response.url == _page(zzu)
    html = client.get(_page(zzu)).content.decode()
    assert "郑大" in html and 'class="d-flex flex-wrap gap-2 align-items-end ec-alias-form"' in html
    alias = InstitutionAlias.objects.get(institution=zzu)
    client.post(_aliases_url(zzu), {"remove": alias.pk})
    assert not InstitutionAlias.objects.exists()
    # Nothing to add: refused with a message, nothing written.
    response = client.post(_aliases_url(zzu), {"name": ""}, follow=True)
    assert "请填写简称" in response.content.decode()
    assert not InstitutionAlias.objects.exists()


def test_a_viewer_sees_aliases_without_the_form_and_cannot_post(client, zzu, county_viewer):
    services.institution_alias_add(actor="system:test", institution=zzu, name="郑大")
    client.force_login(county_viewer)
    html = client.get(_page(zzu)).content.decode()
    assert "郑大" in html and "ec-alias-form" not in html and 'name="remove"' not in html
    assert client.post(_aliases_url(zzu), {"name": "河大"}).status_code == 403
    assert list(zzu.aliases.values_list("name", flat=True)) == ["郑大"]


def test_an_outsider_cannot_reach_the_aliases_of_another_county(client, zzu, outsider):
    client.force_login(outsider)
    assert client.post(_aliases_url(zzu), {"name": "郑大"}).status_code == 404
    assert not InstitutionAlias.objects.exists()


def test_the_staff_list_finds_an_institution_by_its_alias(client, zzu, county_viewer):
    services.institution_alias_add(actor="system:test", institution=zzu, name="郑大")
    client.force_login(county_viewer)
    html = client.get(reverse("subjects:institution_list"), {"q": "郑大"}).content.decode()
    assert "郑州大学" in html


def test_the_shipped_aliases_are_added_by_moe_code_once(zzu, county):
    other = make_institution(supervisor=county, name="河南大学", serial=42, moe_code="4141010475")
    out = StringIO()
    call_command("subjects", "aliases", stdout=out)
    assert list(zzu.aliases.values_list("name", flat=True)) == ["郑大"]
    assert list(other.aliases.values_list("name", flat=True)) == ["河大"]
    assert "2 aliases added" in out.getvalue()
    entries = AuditEntry.objects.filter(action="institution.alias_add").count()
    call_command("subjects", "aliases", stdout=StringIO())  # again: nothing new
    assert AuditEntry.objects.filter(action="institution.alias_add").count() == entries


def test_the_alias_part_of_the_page_is_in_english_for_english_readers(client, zzu, county_clerk):
    client.force_login(county_clerk)
    client.cookies["django_language"] = "en"
    html = client.get(_page(zzu)).content.decode()
    part = html[html.index('id="aliases"') : html.index("</form>", html.index("ec-alias-form"))]
    assert "Short names" in part and "Add a short name" in part and "e.g. 郑大" in part
    visible = re.sub(r"<[^>]+>|郑大", " ", part)
    assert not re.search(r"[\u4e00-\u9fff]", visible), visible
