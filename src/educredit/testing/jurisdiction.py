"""The registry the jurisdiction walk test uses to make an object for each URL kwarg.

``accounts/tests/test_jurisdiction_walk.py`` requests every staff route that takes an object
id as the ``outsider`` persona (a user of another county) with the id of an object that
belongs to ``county``, and expects 404 or 403. For that it must know how to make such an
object for each URL kwarg name. An app whose URLs take a new kwarg registers a factory in a
module ``<app>/tests/jurisdiction.py``, which the walk imports for every installed app
(``load_app_fixtures``) before it starts:

    # src/educredit/subjects/tests/jurisdiction.py
    from educredit.testing.jurisdiction import JURISDICTION_FIXTURES

    def _institution_in(county):
        return make_institution(supervisor=county).public_id

    JURISDICTION_FIXTURES["institution_id"] = _institution_in

A factory takes the ``county`` Organisation and returns the value to put in the URL (a
public id). Kwargs that are not object ids (a page number, a format) go in
``NON_OBJECT_KWARGS`` with the value to use. The walk fails on any kwarg in neither, so a
new route cannot slip past it unchecked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from educredit.accounts.models import Organisation


def _organisation_in(county: Organisation) -> Any:
    return county.public_id


def _user_in(county: Organisation) -> Any:
    from educredit.accounts.choices import UserRole
    from educredit.testing.factories import make_user

    return make_user(
        organisation=county, username=f"walk-user-{county.pk}", roles=[UserRole.CLERK]
    ).public_id


def _api_client_in(county: Organisation) -> Any:
    from educredit.testing.factories import make_api_client

    client, _key = make_api_client(organisation=county, name="walk client")
    return client.public_id


JURISDICTION_FIXTURES: dict[str, Callable[[Organisation], Any]] = {
    "org_id": _organisation_in,
    "user_id": _user_in,
    "client_id": _api_client_in,
}

# URL kwargs that do not name an object: the value the walk puts in the URL.
NON_OBJECT_KWARGS: dict[str, Any] = {}


def load_app_fixtures() -> None:
    """Import every installed app's ``tests/jurisdiction.py`` so its factories register."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tests.jurisdiction")
