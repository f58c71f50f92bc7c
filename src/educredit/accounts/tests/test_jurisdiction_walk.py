"""THE jurisdiction walk: every route declares an access rule, and no route shows another
county's objects.

It walks the whole URL resolver as it stands when the suite runs (so every app's URLs are
included as soon as they exist) and the API's OpenAPI schema:

(a) every Django view carries an access rule (``@access_public`` / ``@access_staff(...)``),
    except under ``SELF_GUARDED_PREFIXES`` (the API authenticates each operation itself);
(b) every route that takes an object id is requested, GET and POST, by a user of another
    county (``outsider``, a clerk, and ``outsider_admin``, who holds every role) with the id of
    an object that belongs to ``county``: the answer must be 404, 403 or 405, never a page.
    The same URL requested by a user of ``county`` holding every role must not be 404 — so the
    404s above prove jurisdiction, not a wrong URL;
(c) every API operation declares ``auth`` unless it is listed in ``PUBLIC_API_OPERATIONS``;
(d) every API operation with an object id in its path is called, by the outsider's session
    and by an API client of the other county holding every scope, with the id of an object in
    ``county``: 404 or 403 (or 422 for a write whose body is checked first), never 2xx.

To make an object for a URL kwarg, the walk looks the kwarg name up in
``educredit.testing.jurisdiction.JURISDICTION_FIXTURES``. An app that adds a route with a new
kwarg (``institution_id``, ``person_id`` …) registers a factory in its own
``<app>/tests/jurisdiction.py`` (see that module's docstring); a kwarg that names no object
goes in ``NON_OBJECT_KWARGS``. A kwarg in neither fails the walk, by design.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from educredit.accounts.api_auth import KNOWN_SCOPES
from educredit.accounts.choices import UserRole
from educredit.accounts.middleware import SELF_GUARDED_PREFIXES
from educredit.accounts.permissions import access_rule_of
from educredit.api import api
from educredit.testing.factories import make_api_client, make_user
from educredit.testing.jurisdiction import (
    JURISDICTION_FIXTURES,
    NON_OBJECT_KWARGS,
    load_app_fixtures,
)

# API operations anyone may call without credentials, as "METHOD /path". Keep this short and
# say why for each entry.
PUBLIC_API_OPERATIONS: set[str] = set()

DENIED = {403, 404, 405}


@dataclass(frozen=True)
class Route:
    path: str  # "/accounts/organisations/<uuid:org_id>/"
    name: str | None  # "accounts:organisation_detail"
    callback: Any
    kwargs: tuple[str, ...]

    @property
    def self_guarded(self) -> bool:
        return self.path.startswith(SELF_GUARDED_PREFIXES)


def _kwarg_names(pattern: Any) -> list[str]:
    return list(pattern.regex.groupindex)


def walk(
    resolver: URLResolver | None = None,
    prefix: str = "/",
    namespace: str = "",
    kwargs: tuple[str, ...] = (),
) -> Iterator[Route]:
    """Every URL pattern under ``resolver``, with its full path, name and kwarg names."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern).lstrip("^").rstrip("$")
        names = kwargs + tuple(_kwarg_names(entry.pattern))
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from walk(entry, route, ns, names)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            yield Route(route, name, entry.callback, names)


ALL_ROUTES = list(walk())


def test_the_walk_sees_the_routes_it_must():
    names = {route.name for route in ALL_ROUTES}
    assert {"accounts:organisation_detail", "accounts:login", "web:home"} <= names
    assert any(route.path.startswith("/api/") for route in ALL_ROUTES)


@pytest.mark.parametrize("route", ALL_ROUTES, ids=lambda r: r.path)
def test_every_view_declares_an_access_rule(route):
    if route.self_guarded:
        pytest.skip("self-guarded prefix: checked by the API walk")
    assert access_rule_of(route.callback) is not None, (
        f"{route.path} ({route.name}) declares no access rule: decorate the view with "
        "@access_public or @access_staff(...)"
    )


def _is_subject_route(route: Route) -> bool:
    return bool(getattr(access_rule_of(route.callback), "subject", False))


OBJECT_ROUTES = [
    route
    for route in ALL_ROUTES
    if route.kwargs
    and not route.self_guarded
    and not getattr(access_rule_of(route.callback), "public", False)
    and not _is_subject_route(route)
]
# Self-service routes (``@access_subject``) taking an object id: walked by subjects below.
SUBJECT_OBJECT_ROUTES = [route for route in ALL_ROUTES if route.kwargs and _is_subject_route(route)]


@pytest.fixture
def walkers(county, other_county, outsider):
    """The outsider (a clerk), an outsider holding every role, and an insider with every role."""
    every_role = list(UserRole.values)
    return {
        "outsider": outsider,
        "outsider_admin": make_user(
            organisation=other_county, username="walk.outsider.admin", roles=every_role
        ),
        "insider": make_user(organisation=county, username="walk.insider", roles=every_role),
    }


@pytest.fixture
def object_ids(county):
    """Lazily makes one object in ``county`` per kwarg name the routes use."""
    load_app_fixtures()
    made: dict[str, Any] = {}

    def value_for(kwarg: str) -> Any:
        if kwarg in NON_OBJECT_KWARGS:
            return NON_OBJECT_KWARGS[kwarg]
        if kwarg not in JURISDICTION_FIXTURES:
            pytest.fail(
                f"URL kwarg {kwarg!r} has no factory: register one in "
                "<app>/tests/jurisdiction.py (see educredit.testing.jurisdiction)"
            )
        if kwarg not in made:
            made[kwarg] = JURISDICTION_FIXTURES[kwarg](county)
        return made[kwarg]

    return value_for


def test_object_routes_exist_to_walk():
    assert {r.name for r in OBJECT_ROUTES} >= {
        "accounts:organisation_detail",
        "accounts:user_detail",
        "accounts:user_roles",
    }


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda r: r.path)
def test_outsiders_never_reach_another_countys_objects(client, route, walkers, object_ids):
    assert route.name, f"{route.path}: a staff route taking an object id must be named"
    url = reverse(route.name, kwargs={kwarg: object_ids(kwarg) for kwarg in route.kwargs})

    client.force_login(walkers["insider"])
    insider_status = client.get(url).status_code
    assert insider_status not in {403, 404}, (
        f"{url}: a user of the owning county with every role got {insider_status}; "
        "the walk's URL or factory is wrong, so it would prove nothing"
    )

    for persona in ("outsider", "outsider_admin"):
        client.force_login(walkers[persona])
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            assert status in DENIED, (
                f"{method.upper()} {url} as {persona} (another county) answered {status}; "
                "fetch the object with access_<thing>_for_user / visible_to(user)"
            )


# --- self-service ---------------------------------------------------------------------------


def _owner_of(public_ids: list[Any]) -> tuple[Any, Any]:
    """The (person, institution) whose self-service object one of ``public_ids`` names."""
    from educredit.commitments.models import Commitment
    from educredit.rights import models as rights

    for value in public_ids:
        attachment = rights.Attachment.objects.filter(public_id=value).first()
        found: Any = (attachment.objection or attachment.repair) if attachment else None
        for model in (rights.Objection, rights.RepairApplication, rights.CreditReport, Commitment):
            found = found or model.objects.filter(public_id=value).first()
        if found is not None:
            return found.person, found.institution
        case = _case_of(value)
        if case is not None:  # a case is about a person (its institution is where they work)
            return case.person, None
    pytest.fail(f"no self-service object among {public_ids}: teach _owner_of its model")


def _case_of(value: Any) -> Any:
    """The integrity case a public id names: the case itself or one of its notices."""
    from educredit.integrity.cases.models import Case, CaseNotice

    notice = CaseNotice.objects.filter(public_id=value).select_related("case__person").first()
    if notice is not None:
        return notice.case
    return Case.objects.filter(public_id=value).select_related("person").first()


@pytest.mark.parametrize("route", SUBJECT_OBJECT_ROUTES, ids=lambda r: r.path)
def test_subjects_never_reach_another_subjects_objects(client, route, walkers, object_ids):
    """A self-service route shows its object to the subject it is about, to no other subject
    (404/403), and to no staff user at all, whatever their roles (403)."""
    from educredit.rights.tests.factories import make_subject_user, make_teacher_at

    values = {kwarg: object_ids(kwarg) for kwarg in route.kwargs}
    url = reverse(route.name, kwargs=values)
    person, institution = _owner_of(list(values.values()))
    insider = walkers["insider"]
    owner = make_subject_user(actor=insider, person=person, institution=institution)
    stranger = make_subject_user(
        actor=walkers["outsider_admin"], person=make_teacher_at(walkers["outsider_admin"])
    )

    client.force_login(owner)
    owner_status = client.get(url).status_code
    assert owner_status not in {403, 404}, (
        f"{url}: the subject it is about got {owner_status}; the walk would prove nothing"
    )
    client.force_login(stranger)
    for method in ("get", "post"):
        status = getattr(client, method)(url).status_code
        assert status in DENIED, f"{method.upper()} {url} as another subject answered {status}"
    client.force_login(insider)
    assert client.get(url).status_code == 403, f"{url}: staff reached a self-service page"


# --- the API ------------------------------------------------------------------------------

API_PREFIX = "/api"


def api_operations() -> list[tuple[str, str, dict[str, Any]]]:
    schema = api.get_openapi_schema()
    return [
        (method.upper(), path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


API_OPERATIONS = [pytest.param(*op, id=f"{op[0]} {op[1]}") for op in api_operations()]


def test_the_api_walk_sees_the_accounts_operations():
    assert ("GET", "/api/accounts/me") in {(m, p) for m, p, _ in api_operations()}


@pytest.mark.parametrize(("method", "path", "operation"), API_OPERATIONS)
def test_every_api_operation_declares_auth(method, path, operation):
    if f"{method} {path}" in PUBLIC_API_OPERATIONS:
        return
    assert operation.get("security"), (
        f"{method} {path} declares no auth: pass auth=api_auth('<scope>') (or staff_session), "
        "or list it in PUBLIC_API_OPERATIONS with the reason"
    )


PATH_PARAM = re.compile(r"{(\w+)}")
API_OBJECT_OPERATIONS = [op for op in API_OPERATIONS if PATH_PARAM.search(str(op.values[1]))]


@pytest.mark.parametrize(("method", "path", "operation"), API_OBJECT_OPERATIONS)
def test_api_outsiders_never_reach_another_countys_objects(
    client, method, path, operation, walkers, object_ids, other_county
):
    url = PATH_PARAM.sub(lambda m: str(object_ids(m.group(1))), path)
    _client, key = make_api_client(
        organisation=other_county, name="walk outsider system", scopes=sorted(KNOWN_SCOPES)
    )
    allowed = {403, 404, 405} if method == "GET" else {403, 404, 405, 422}
    call = getattr(client, method.lower())

    client.force_login(walkers["insider"])
    if method == "GET":
        assert call(url).status_code == 200, f"{url}: the owning county cannot read it"

    for persona in ("outsider", "outsider_admin"):
        client.force_login(walkers[persona])
        status = call(url, content_type="application/json").status_code
        assert status in allowed, f"{method} {url} as {persona} answered {status}"
    client.logout()
    status = call(url, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert status.status_code in allowed, (
        f"{method} {url} as another county's API client answered {status.status_code}"
    )
