"""The JSON API (django-ninja): one router per app, OpenAPI 3 at /api/docs."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="EduCredit API",
    version="1",
    description="教育信用信息平台接口 / EduCredit API for business systems and staff tools.",
    urls_namespace="api",
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
