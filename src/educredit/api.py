"""The JSON API (django-ninja): one router per app, OpenAPI 3 at /api/docs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.parser import Parser

NUL_REFUSED = "请求含有空字符 U+0000 / The request contains a NUL character (U+0000)"


def contains_nul(value: Any) -> bool:
    """Whether a parsed body or form holds U+0000 in any key or string (PostgreSQL text
    cannot store it, so it would fail deep in a handler instead of being refused)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(key) or contains_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(item) for item in value)
    return False


class TextParser(Parser):
    """JSON bodies, query strings and forms, refused with 400 when they hold U+0000."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        if contains_nul(data):
            raise ValueError(NUL_REFUSED)  # ninja answers 400 "Cannot parse request body"
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> Any:
        parsed = super().parse_querydict(data, list_fields, request)
        if contains_nul(parsed):
            raise HttpError(400, NUL_REFUSED)
        return parsed


api = NinjaAPI(
    title="EduCredit API",
    version="1",
    description="教育信用信息平台接口 / EduCredit API for business systems and staff tools.",
    urls_namespace="api",
    parser=TextParser(),
)

from educredit.accounts.api import router as accounts_router  # noqa: E402

api.add_router("/accounts/", accounts_router)

from educredit.subjects.api import router as subjects_router  # noqa: E402

api.add_router("/subjects/", subjects_router)

from educredit.catalog.api import router as catalog_router  # noqa: E402

api.add_router("/catalog/", catalog_router)

from educredit.records.api import router as records_router  # noqa: E402

api.add_router("/records/", records_router)

from educredit.disclosure.api import router as disclosure_router  # noqa: E402

api.add_router("/disclosure/", disclosure_router)

from educredit.sanctions.api import router as sanctions_router  # noqa: E402

api.add_router("/sanctions/", sanctions_router)

from educredit.sanctions.bulk_api import router as sanctions_bulk_router  # noqa: E402

api.add_router("/sanctions/", sanctions_bulk_router)
