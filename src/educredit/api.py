"""The JSON API (django-ninja): one router per app, OpenAPI 3 at /api/docs.

Every status an operation can answer is in its OpenAPI document: what the operation declares,
and the refusals that happen around every handler (``REFUSALS``: an unparsable request, a
missing or wrong key, a missing scope, the rate limit, a database that cannot answer, a path
that names nothing, parameters that do not fit), all with the shared ``ApiErrorOut`` shape.
A path under ``/api/`` that is no operation answers that shape too (404), and so does a method
an operation does not take (405): no error under ``/api/`` is an HTML page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.urls import URLPattern, URLResolver, path, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.main import Exc
from ninja.openapi.schema import OpenAPISchema

from educredit.accounts.api_auth import NOT_AUTHENTICATED, ApiErrorOut, RateLimitedError

NO_SUCH_PATH = "没有该接口路径，接口说明见 /api/docs / No such API path: see /api/docs"
METHOD_NOT_ALLOWED = "该接口不支持此请求方法 / This operation does not take that method"
NOT_FOUND = (
    "没有该对象，或不在调用方管辖范围内 / No such object, or outside the caller's jurisdiction"
)
NO_SUCH_OBJECT = (
    "路径中的标识格式不对，没有该对象 / The id in the path is malformed: no such object"
)


ERROR_SCHEMA = "ApiErrorOut"
_ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "等待的秒数 / Seconds to wait before trying again",
        "schema": {"type": "integer"},
    }
}
# Answered around the handler of any operation (the middleware's refusals, the database).
REFUSALS_EVERYWHERE = {
    400: "请求无法解析，或含有数据库无法存储的字符（如 U+0000）/ A request that cannot be "
    "parsed, or holding a character a database cannot store (such as U+0000)",
    503: "数据库暂时无法回答（不可用或超时），按 Retry-After 秒后重试 / The database cannot "
    "answer now (unavailable or timed out): retry after Retry-After seconds",
}
# Answered by authentication (``accounts.api_auth``) on every operation that declares it.
REFUSALS_OF_AUTH = {
    401: "缺少接口密钥、密钥错误或已停用，且无工作人员会话 / No API key, a wrong or revoked "
    "one, and no staff session",
    403: "密钥缺少所需权限范围，或工作人员会话的写请求缺少 CSRF 令牌 / The key lacks the "
    "scope, or a staff session's write lacks the CSRF token",
    429: "超出每分钟限流，按 Retry-After 秒后重试 / Over the per-minute rate limit: retry "
    "after Retry-After seconds",
}
REFUSAL_OF_PATH = {
    404: "路径中的标识不存在、格式不对或不在调用方管辖范围内 / The path names nothing: an "
    "unknown or malformed id, or one outside the caller's jurisdiction",
}
REFUSAL_OF_INPUT = {
    422: "参数或请求体不符合接口定义 / Parameters or body that do not fit the operation",
}


def refusals_of(operation: dict[str, Any]) -> dict[int, str]:
    """The statuses ``operation`` (an OpenAPI operation object) can answer whatever its
    handler does, each with its description."""
    parameters = operation.get("parameters", [])
    statuses = dict(REFUSALS_EVERYWHERE)
    if operation.get("security"):
        statuses |= REFUSALS_OF_AUTH
    if any(parameter["in"] == "path" for parameter in parameters):
        statuses |= REFUSAL_OF_PATH
    if "requestBody" in operation or any(parameter["in"] != "path" for parameter in parameters):
        statuses |= REFUSAL_OF_INPUT
    return statuses


def declare_refusals(document: dict[str, Any]) -> None:
    """Add to every operation of ``document`` the refusals it does not declare itself (with
    the shared error schema), and the ``Retry-After`` header to every 429 and 503."""
    document["components"]["schemas"][ERROR_SCHEMA] = ApiErrorOut.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    for item in document["paths"].values():
        for operation in item.values():
            responses = operation["responses"]
            for status, description in refusals_of(operation).items():
                if status not in responses and str(status) not in responses:
                    responses[status] = {
                        "description": description,
                        "content": {"application/json": {"schema": _ERROR_REF}},
                    }
            for status, response in responses.items():
                if int(status) in (429, 503):
                    response.setdefault("headers", _RETRY_AFTER)
            operation["responses"] = dict(sorted(responses.items(), key=lambda kv: int(kv[0])))


JSON_UTF8 = "application/json; charset=utf-8"


def _json_method_not_allowed(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """``view`` (an operation's path) answering a method it does not take with 405 in JSON
    (ninja's own answer is a plain-text page), keeping its ``Allow`` header."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            answer = JsonResponse(
                {"detail": METHOD_NOT_ALLOWED}, status=405, content_type=JSON_UTF8
            )
            answer["Allow"] = response["Allow"]
            return answer
        return response

    return wrapper


@csrf_exempt
def api_not_found(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """A path under /api/ that is no operation (the API's root included): 404 in JSON."""
    return JsonResponse({"detail": NO_SUCH_PATH}, status=404, content_type=JSON_UTF8)


class EduCreditAPI(NinjaAPI):
    """NinjaAPI whose document declares every refusal and whose unknown paths answer JSON."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        declare_refusals(document)
        return document

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = [
            URLPattern(
                url.pattern, _json_method_not_allowed(url.callback), url.default_args, url.name
            )
            if isinstance(url, URLPattern)
            else url
            for url in super()._get_urls()
        ]
        # ninja's root view raises Http404, which Django renders as the site's HTML page;
        # the name stays (ninja reverses it to find the API's prefix).
        urls[-1] = path("", api_not_found, name="api-root")
        urls.append(re_path(r"^.*$", api_not_found, name="not-found"))
        return urls


api = EduCreditAPI(
    title="EduCredit API",
    version="1",
    description="教育信用信息平台接口 / EduCredit API for business systems and staff tools.",
    urls_namespace="api",
)


def _not_authenticated(request: HttpRequest, exc: Exc[AuthenticationError]) -> HttpResponse:
    return api.create_response(request, {"detail": NOT_AUTHENTICATED}, status=401)


def _not_found(request: HttpRequest, exc: Exc[Http404]) -> HttpResponse:
    return api.create_response(request, {"detail": NOT_FOUND}, status=404)


def _rate_limited(request: HttpRequest, exc: Exc[RateLimitedError]) -> HttpResponse:
    assert isinstance(exc, RateLimitedError)  # noqa: S101 - ninja hands the instance
    response = api.create_response(
        request, {"detail": str(exc), "retry_after": exc.retry_after}, status=429
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


def _does_not_fit(request: HttpRequest, exc: Exc[ValidationError]) -> HttpResponse:
    """A path parameter that does not parse names no object (404, as an unknown id does);
    other parameters and bodies that do not fit are 422 with the list of problems."""
    assert isinstance(exc, ValidationError)  # noqa: S101 - ninja hands the instance
    if any(error.get("loc", ("",))[0] == "path" for error in exc.errors):
        return api.create_response(request, {"detail": NO_SUCH_OBJECT}, status=404)
    return api.create_response(request, {"detail": exc.errors}, status=422)


api.add_exception_handler(AuthenticationError, _not_authenticated)
api.add_exception_handler(Http404, _not_found)
api.add_exception_handler(RateLimitedError, _rate_limited)
api.add_exception_handler(ValidationError, _does_not_fit)

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

from educredit.commitments.api import router as commitments_router  # noqa: E402

api.add_router("/commitments/", commitments_router)
