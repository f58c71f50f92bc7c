"""The API's front page: the OpenAPI document served at /api/openapi.json is valid OpenAPI 3
(checked by a validator library against the specification's own schema), parses without
duplicated keys, and /api/docs loads Swagger UI from the application's own static files."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

OPENAPI_URL = "/api/openapi.json"
DOCS_URL = "/api/docs"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


class DuplicateKeyError(ValueError):
    """The JSON text names the same key twice in one object."""


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _value in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise DuplicateKeyError(f"duplicated keys {repeated} in one object")
    return dict(pairs)


def parse_strictly(text: str | bytes) -> dict[str, Any]:
    """The document as Swagger UI's YAML parser reads it: a repeated key is an error.

    Python's ``json.loads`` would silently keep the last value, so a validator handed its
    result would never see the duplicate that breaks /api/docs."""
    document: dict[str, Any] = json.loads(text, object_pairs_hook=_refuse_duplicates)
    return document


def served_document() -> dict[str, Any]:
    response = Client().get(OPENAPI_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return parse_strictly(response.content)


def operations(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(METHOD, path) of every operation in the document."""
    return [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    ]


def test_strict_parse_refuses_a_second_answer_for_the_same_status() -> None:
    # The shape of the bug that broke /api/docs: one operation, two "200" answers.
    text = '{"responses": {"200": {"description": "OK"}, "200": {"description": "CSV"}}}'
    with pytest.raises(DuplicateKeyError, match="200"):
        parse_strictly(text)


@pytest.mark.django_db
def test_the_served_document_is_valid_openapi_3() -> None:
    document = served_document()
    assert document["openapi"].startswith("3.")
    # Raises with the path of the first violation (the validator picks the 3.0 or 3.1
    # specification from the document's "openapi" field).
    validate(document)


def test_the_validator_would_refuse_a_broken_document() -> None:
    broken = {
        "openapi": "3.1.0",
        "info": {"title": "x", "version": "1"},
        "paths": {"/a/{id}": {"get": {"responses": {"OK": {"description": "no code"}}}}},
    }
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


@pytest.mark.django_db
def test_every_operation_has_a_unique_id_and_typed_path_parameters() -> None:
    document = served_document()
    ids = [
        document["paths"][path][method.lower()]["operationId"]
        for method, path in operations(document)
    ]
    assert len(ids) == len(set(ids))
    for method, path in operations(document):
        operation = document["paths"][path][method.lower()]
        for name in re.findall(r"{([^}]+)}", path):
            (parameter,) = [
                p
                for p in operation.get("parameters", [])
                if p["in"] == "path" and p["name"] == name
            ]
            assert parameter["required"] is True
            assert "type" in parameter["schema"], (method, path, name)


@pytest.mark.django_db
def test_the_bulk_result_declares_one_csv_answer() -> None:
    document = served_document()
    answers = document["paths"]["/api/sanctions/bulk-checks/{bulk_check_id}/result"]["get"][
        "responses"
    ]
    assert list(answers).count("200") == 1
    assert list(answers["200"]["content"]) == ["text/csv"]
    # Its errors stay JSON.
    assert list(answers["404"]["content"]) == ["application/json"]


@pytest.mark.django_db
def test_docs_page_loads_swagger_ui_from_the_application_itself() -> None:
    client = Client()
    response = client.get(DOCS_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    assert any(asset.endswith("swagger-ui.css") for asset in assets)
    for asset in assets:
        # No CDN and no other origin: the intranet has none, and the CSP forbids them.
        assert asset.startswith("/static/"), asset
        assert client.get(asset).status_code == 200, asset
    assert "cdn." not in html
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    # No inline script (the CSP would block it): the only <script> without src is JSON data.
    for attributes, _body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
        assert "src=" in attributes or 'type="application/json"' in attributes
