from django.urls import path

from educredit.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/totp/", views.login_totp_view, name="login_totp"),
    path("login/totp/enrol/", views.login_totp_enrol_view, name="login_totp_enrol"),
    path("logout/", views.logout_view, name="logout"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<uuid:org_id>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<uuid:org_id>/add/", views.organisation_add, name="organisation_add"),
    path("organisations/<uuid:org_id>/edit/", views.organisation_edit, name="organisation_edit"),
    path(
        "organisations/<uuid:org_id>/deactivate/",
        views.organisation_deactivate,
        name="organisation_deactivate",
    ),
    path("organisations/<uuid:org_id>/users/add/", views.user_add, name="user_add"),
    path("organisations/<uuid:org_id>/api-clients/add/", views.apiclient_add, name="apiclient_add"),
    path("users/", views.user_list, name="user_list"),
    path("users/<uuid:user_id>/", views.user_detail, name="user_detail"),
    path("users/<uuid:user_id>/roles/", views.user_roles, name="user_roles"),
    path("users/<uuid:user_id>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<uuid:user_id>/totp-reset/", views.user_totp_reset, name="user_totp_reset"),
    path("api-clients/", views.apiclient_list, name="apiclient_list"),
    path("api-clients/<uuid:client_id>/revoke/", views.apiclient_revoke, name="apiclient_revoke"),
]
