import pytest


@pytest.mark.django_db
def test_portal_home_is_public_and_chinese_first(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "教育信用信息公示" in response.content.decode()
    assert "Content-Security-Policy" in response.headers


@pytest.mark.django_db
def test_workspace_sends_anonymous_users_to_login(client):
    response = client.get("/workspace/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
