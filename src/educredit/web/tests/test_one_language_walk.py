"""THE language walk (issue 13, ADR 0038): every page shows one language at a time.

It walks every URL pattern of the URL conf as it stands when the suite runs (the resolver
walk of ``accounts/tests/test_jurisdiction_walk.py``, object ids from the same fixture
registry as the query-log walk), and requests each GET page as the personas who may open it —
public pages as an anonymous visitor, self-service pages as a credit subject, staff pages as a
provincial administrator holding every role and as a county clerk — once in Chinese and once
in English, plus the error pages (404 for the public and for staff, 403). On the visible text
of ``<main>`` and the layout's ``<nav>`` (``testing/one_language.py``):

- in Chinese, no Latin-script word outside codes, identifiers and the reviewed allowlist;
- in English, no Chinese outside data: the texts of the objects in the database (names of
  institutions, people, organisations and regions, catalogue items, record titles …, and
  people's names as masked on the page).

Skipped, by rule: the API (its own walk), routes whose URL cannot be built (unnamed) or whose
object no app registered a factory for (the jurisdiction walk fails those), and answers that
are not an HTML page (redirects, downloads, 405 for POST-only routes).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db import models, transaction
from django.test import Client
from django.urls import reverse

from educredit.accounts.choices import UserRole
from educredit.accounts.permissions import access_rule_of
from educredit.accounts.tests.test_jurisdiction_walk import _owner_of, walk
from educredit.records.tests.factories import make_record
from educredit.rights.query_history import mask_name
from educredit.rights.tests.factories import make_subject_user
from educredit.sanctions.tests.factories import shipped_measure_list
from educredit.subjects.models import Person
from educredit.subjects.tests.factories import make_institution, make_person, resident_id
from educredit.testing.factories import make_user
from educredit.testing.jurisdiction import (
    JURISDICTION_FIXTURES,
    NON_OBJECT_KWARGS,
    load_app_fixtures,
)
from educredit.testing.one_language import han_leaks, in_context, latin_leaks, visible_text

# The data of these apps is what pages show as data; the audit log's texts are not (an audit
# action shown raw, ``records.create``, is a developer word the walk must catch).
DATA_APPS = {
    "accounts",
    "core",
    "subjects",
    "catalog",
    "records",
    "disclosure",
    "exchange",
    "sanctions",
    "rights",
    "portal",
    "integrity_research",
    "integrity_hiring",
    "integrity_cases",
}
# Texts the platform writes, not data: they must be shown in the reader's language.
SYSTEM_TEXT_FIELDS = {
    ("records", "creditrecord", "window_rule"),
    ("subjects", "importrowerror", "reason"),
    ("disclosure", "decisionimporterror", "reason"),
}
LANGUAGES = ("zh-hans", "en")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def data_strings() -> set[str]:
    """Every text the database holds outside choice fields (whose values are codes)."""
    found: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label not in DATA_APPS:
            continue
        names = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.JSONField)
            and not field.choices
            and (model._meta.app_label, model._meta.model_name, field.name)
            not in SYSTEM_TEXT_FIELDS
        ]
        if not names:
            continue
        for row in model._default_manager.values_list(*names):
            for value in row:
                found.update(s.strip() for s in _strings(value) if len(s.strip()) >= 2)
    # People's names as pages show them to those who may not see them whole.
    found.update(mask_name(name) for name in Person.objects.values_list("name", flat=True))
    return found | file_format_words()


def file_format_words() -> set[str]:
    """The Chinese column headings and cell values the import files must carry, which the
    English pages quote as they are (a file is read by its Chinese headings)."""
    from educredit.disclosure import national
    from educredit.records import imports as record_imports
    from educredit.subjects import imports as subject_imports

    tables: list[Any] = [
        subject_imports.INSTITUTION_COLUMNS,
        subject_imports.PERSON_COLUMNS,
        subject_imports.KIND_VALUES,
        subject_imports.LEVEL_VALUES,
        subject_imports.OWNERSHIP_VALUES,
        subject_imports.DOCUMENT_VALUES,
        subject_imports.ROLE_VALUES,
        record_imports.BASE_COLUMNS,
        record_imports.PROCEDURE_VALUES,
        [field.name for field in (*national.PENALTY_FIELDS, *national.LICENCE_FIELDS)],
    ]
    words = {value for table in tables for value in _strings(table) if len(value) >= 2}
    return {word for word in words if han_leaks(word)}  # the Chinese ones only


@pytest.fixture
def language_world(county, province):
    """Objects for every URL kwarg (in ``county``), the personas, a subject with a record."""
    shipped_measure_list()
    load_app_fixtures()
    routes = list(walk())
    values: dict[str, Any] = {}
    for kwarg in dict.fromkeys(kwarg for route in routes for kwarg in route.kwargs):
        if kwarg in NON_OBJECT_KWARGS:
            values[kwarg] = NON_OBJECT_KWARGS[kwarg]
        elif kwarg in JURISDICTION_FIXTURES:
            try:
                with transaction.atomic():
                    values[kwarg] = JURISDICTION_FIXTURES[kwarg](county)
            except Exception:  # noqa: S112 - the jurisdiction walk fails a broken factory
                continue
    clerk = make_user(organisation=county, username="lang.clerk", roles=[UserRole.CLERK])
    school = make_institution(supervisor=county, name="语言学校", serial=990_101)
    person = make_person(institution=school, name="语言人", number=resident_id(9, born="19800101"))
    record = make_record(actor=clerk, person=person)
    # Every import run shows a rejected row, as a job stores it: a catalogue message in
    # Chinese, a national-layout message in both languages.
    from educredit.disclosure.models import DecisionImportError, DecisionImportRun
    from educredit.subjects.models import ImportRowError, ImportRun

    for run in ImportRun.objects.all():
        ImportRowError.objects.create(run=run, row_number=3, column="学校名称", reason="请填写名称")
    for decision_run in DecisionImportRun.objects.all():
        DecisionImportError.objects.create(
            run=decision_run,
            row_number=3,
            code="CF_WSH",
            column="行政处罚决定书文号",
            reason="行政处罚决定书文号为必填项 / decision number is required",
        )
    admin = make_user(organisation=province, username="lang.admin", roles=list(UserRole.values))
    return {
        "routes": routes,
        "values": values,
        "admin": admin,
        # Self-service pages that open on a record of the subject's.
        "queries": {
            "self_service:repair_create": f"?record={record.public_id}",
            "self_service:objection_create": f"?record={record.public_id}",
        },
        "personas": {
            "anonymous": None,
            "province admin": admin,
            "county clerk": clerk,
            "subject": make_subject_user(actor=admin, person=person),
        },
    }


def _personas_for(route: Any) -> tuple[str, ...]:
    rule = access_rule_of(route.callback)
    if getattr(rule, "public", False):
        return ("anonymous",)
    if getattr(rule, "subject", False):
        return ("subject",)
    return ("province admin", "county clerk")


def _owner(world: dict[str, Any], kwargs: dict[str, Any]) -> str:
    """A persona for the subject a self-service object belongs to (made once per subject)."""
    person, institution = _owner_of(list(kwargs.values()))
    name = f"subject {person.pk if person else ''}-{institution.pk if institution else ''}"
    if name not in world["personas"]:
        world["personas"][name] = make_subject_user(
            actor=world["admin"], person=person, institution=institution
        )
    return name


def _client(user: Any, language: str) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _is_page(response: Any) -> bool:
    return response.status_code in (200, 400, 403, 404, 422) and response.get(
        "Content-Type", ""
    ).startswith("text/html")


def test_every_page_shows_one_language_at_a_time(language_world):
    world = language_world
    requests: list[tuple[str, str]] = [
        ("anonymous", "/no-such-page/"),
        ("county clerk", "/no-such-page/"),
    ]
    for route in world["routes"]:
        if route.self_guarded or not route.name:
            continue
        if any(kwarg not in world["values"] for kwarg in route.kwargs):
            continue
        kwargs = {kwarg: world["values"][kwarg] for kwarg in route.kwargs}
        url = reverse(route.name, kwargs=kwargs) + world["queries"].get(route.name, "")
        personas = _personas_for(route)
        if personas == ("subject",) and kwargs:
            personas = (_owner(world, kwargs),)
        requests += [(persona, url) for persona in personas]
    clients = {
        (name, language): _client(user, language)
        for name, user in world["personas"].items()
        for language in LANGUAGES
    }
    data = data_strings()
    failures: list[str] = []
    pages = 0
    for persona, url in requests:
        for language in LANGUAGES:
            response = clients[persona, language].get(url)
            if response.status_code >= 500:
                failures.append(f"{language} {persona} GET {url}: {response.status_code}")
                continue
            if not _is_page(response):
                continue
            pages += 1
            text = visible_text(response.content.decode())
            leaks = latin_leaks(text, data) if language == "zh-hans" else han_leaks(text, data)
            if leaks:
                words = list(dict.fromkeys(leaks))
                shown = " | ".join(in_context(text, leak) for leak in words[:3])
                failures.append(f"{language} {persona} GET {url}: {words[:12]} in: {shown}")
    assert pages > 100, f"the walk looked at only {pages} pages"
    assert not failures, f"{len(failures)} pages mix languages:\n" + "\n".join(failures)


@pytest.mark.parametrize("language", LANGUAGES)
def test_sign_in_errors_are_in_one_language(county_clerk: Any, language: str) -> None:
    client = _client(None, language)
    response = client.post(
        "/accounts/login/", {"username": county_clerk.username, "password": "wrong"}
    )
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    if language == "zh-hans":
        assert "用户名或密码错误" in text
        assert latin_leaks(text, [county_clerk.username]) == []
    else:
        assert "Wrong username or password" in text
        assert han_leaks(text, [county_clerk.username]) == []
    # The portal's layout: menu and language switch.
    assert 'action="/i18n/setlang/"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_message_after_an_objection_is_in_one_language(language: str) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from educredit.catalog.choices import SubjectType
    from educredit.records.choices import CreditRecordStatus
    from educredit.records.tests.factories import make_catalog_item
    from educredit.rights.tests.factories import make_county, make_teacher

    county = make_county()
    teacher = make_teacher(county)
    record = make_record(
        actor=county.clerk,
        catalog_item=make_catalog_item(subject_type=SubjectType.PERSON),
        person=teacher,
        status=CreditRecordStatus.EFFECTIVE,
    )
    client = _client(make_subject_user(actor=county.clerk, person=teacher), language)
    url = reverse("self_service:objection_create") + f"?record={record.public_id}"
    evidence = SimpleUploadedFile("证明.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    response = client.post(
        url, {"reasons": "我从未受过此处分", "evidence": [evidence]}, follow=True
    )
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    data = data_strings()
    if language == "zh-hans":
        assert "异议已受理" in text and "Objection received" not in text
        assert latin_leaks(text, data) == []
    else:
        assert "Objection received" in text and "异议已受理" not in text
        assert han_leaks(text, data) == []
