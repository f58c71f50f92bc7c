"""The accounts API: who am I, organisations, keys, scopes, rate limits, jurisdiction."""

from datetime import timedelta

import pytest
from django.utils import timezone

from educredit.accounts import api_auth, services
from educredit.api import api
from educredit.testing.factories import make_api_client

ME = "/api/accounts/me"
ORGS = "/api/accounts/organisations"


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_me_for_an_api_client(client, api_client, county):
    response = client.get(ME, **bearer(api_client.key))
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "api_client"
    assert body["name"] == "中原区学籍系统"
    assert body["organisation"]["public_id"] == str(county.public_id)
    assert body["scopes"] == ["accounts:read"]


def test_x_api_key_header_works_too(client, api_client):
    assert client.get(ME, HTTP_X_API_KEY=api_client.key).status_code == 200


def test_me_for_a_signed_in_user(client, county_clerk):
    client.force_login(county_clerk)
    body = client.get(ME).json()
    assert body["kind"] == "user" and body["roles"] == ["clerk"]
    assert body["organisation"]["name"] == "中原区教育局"


def test_no_credentials_is_401(client, county):
    assert client.get(ME).status_code == 401


@pytest.mark.parametrize("key", ["ek_00000000_nope", "garbage", ""])
def test_wrong_key_is_401(client, api_client, key):
    response = client.get(ME, **bearer(key + "x"))
    assert response.status_code == 401


def test_a_tampered_key_with_a_real_prefix_is_401(client, api_client):
    assert client.get(ME, **bearer(api_client.key[:-2] + "zz")).status_code == 401


def test_revoked_key_is_401_with_chinese_message(client, api_client):
    services.api_client_revoke(actor="system:test", client=api_client)
    response = client.get(ME, **bearer(api_client.key))
    assert response.status_code == 401
    assert "接口密钥无效" in response.json()["detail"]


def test_missing_scope_is_403(client, county):
    _client, key = make_api_client(organisation=county, scopes=["subjects:read"])
    response = client.get(ME, **bearer(key))
    assert response.status_code == 403
    assert "accounts:read" in response.json()["detail"]


def test_rate_limit_is_429_in_chinese_and_english(client, county):
    _client, key = make_api_client(organisation=county, rate_limit_per_minute=3)
    statuses = [client.get(ME, **bearer(key)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    detail = client.get(ME, **bearer(key)).json()["detail"]
    assert "请求过于频繁" in detail and "Rate limit exceeded" in detail


def test_rate_limit_counts_per_client(client, county):
    _a, key_a = make_api_client(organisation=county, name="a", rate_limit_per_minute=1)
    _b, key_b = make_api_client(organisation=county, name="b", rate_limit_per_minute=1)
    assert client.get(ME, **bearer(key_a)).status_code == 200
    assert client.get(ME, **bearer(key_b)).status_code == 200
    assert client.get(ME, **bearer(key_a)).status_code == 429


def test_a_new_window_starts_afresh(client, county, monkeypatch):
    _limited, key = make_api_client(organisation=county, rate_limit_per_minute=1)
    assert client.get(ME, **bearer(key)).status_code == 200
    refused = client.get(ME, **bearer(key))
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["retry_after"] == int(refused["Retry-After"])
    # A minute later, as if time had passed: the next window counts from zero.
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(minutes=1))
    assert client.get(ME, **bearer(key)).status_code == 200


@pytest.fixture
def redis_cache(settings):
    """The production profile's cache (EDUCREDIT_CACHE_URL=redis://…): Redis on this machine."""
    import redis

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "educredit-test",
        }
    }
    yield
    from django.core.cache import caches

    caches["default"].clear()


def test_the_rate_limit_counts_in_redis_in_the_production_profile(client, county, redis_cache):
    limited, key = make_api_client(organisation=county, rate_limit_per_minute=2)
    statuses = [client.get(ME, **bearer(key)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    # The count lives in Redis, where every process and machine adds to it, with an expiry.
    import redis

    store = redis.Redis.from_url("redis://127.0.0.1:6379/15", decode_responses=True)
    (counter,) = store.keys("educredit-test:*api-rate*")
    assert store.get(counter) == "3"
    assert 0 < store.ttl(counter) <= 120
    assert limited.key_prefix in counter


def test_a_cache_that_cannot_answer_fails_closed_with_503(client, county, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    _client, key = make_api_client(organisation=county)
    response = client.get(ME, **bearer(key))
    assert response.status_code == 503
    assert response["Retry-After"] == "30" and response.json()["retry_after"] == 30


def test_a_key_revoked_while_remembered_is_refused_at_once(client, api_client):
    assert client.get(ME, **bearer(api_client.key)).status_code == 200  # now remembered
    services.api_client_revoke(actor="system:test", client=api_client)
    assert client.get(ME, **bearer(api_client.key)).status_code == 401


def test_a_remembered_key_costs_one_small_read(client, api_client, django_assert_num_queries):
    assert client.get(ME, **bearer(api_client.key)).status_code == 200
    with django_assert_num_queries(1):  # the access version; the client comes from memory
        assert api_auth.api_client_for_key(api_client.key) is not None
    # A request's client is its own: what it changes does not reach the next request.
    first = api_auth.api_client_for_key(api_client.key)
    assert first is not None
    first.scopes.append("everything:write")
    first.organisation.name = "changed"
    second = api_auth.api_client_for_key(api_client.key)
    assert second is not None
    assert second.organisation.name == "中原区教育局"
    assert second.scopes == ["accounts:read"]


def test_organisations_are_scoped_for_clients_and_users(
    client, api_client, county, county_school, other_county, county_clerk, province_admin
):
    names = {org["name"] for org in client.get(ORGS, **bearer(api_client.key)).json()}
    assert names == {"中原区教育局", "中原区第一小学"}
    client.force_login(county_clerk)
    assert {org["name"] for org in client.get(ORGS).json()} == names
    client.force_login(province_admin)
    assert "金水区教育局" in {org["name"] for org in client.get(ORGS).json()}


def test_organisation_detail_404_outside_jurisdiction(client, api_client, other_county, county):
    assert client.get(f"{ORGS}/{county.public_id}", **bearer(api_client.key)).status_code == 200
    response = client.get(f"{ORGS}/{other_county.public_id}", **bearer(api_client.key))
    assert response.status_code == 404


def test_a_user_without_an_organisation_is_refused(client, django_user_model):
    loner = django_user_model.objects.create_user(username="loner", password="x")
    client.force_login(loner)
    assert client.get(ME).status_code == 401


def test_openapi_declares_both_auth_schemes():
    schema = api.get_openapi_schema()
    operation = schema["paths"]["/api/accounts/me"]["get"]
    assert len(operation["security"]) == 2
    schemes = schema["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"} in schemes.values()


def test_responses_match_the_openapi_schema(client, api_client):
    schema = api.get_openapi_schema()
    ref = schema["paths"]["/api/accounts/me"]["get"]["responses"][200]["content"][
        "application/json"
    ]["schema"]["$ref"]
    me_schema = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    body = client.get(ME, **bearer(api_client.key)).json()
    assert set(body) == set(me_schema["properties"])
    assert set(me_schema["required"]) <= set(body)
