from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from chatarchief.web import admin_views, audit_trail, ops, views
from chatarchief.web import auth_views as auth
from chatarchief.web.security import accepts_upload

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", ops.healthz, name="healthz"),
    path("readyz", ops.readyz, name="readyz"),
    path("metrics", ops.metrics, name="metrics"),
    path("login/", auth.login_view, name="login"),
    path("login/tweestaps/", auth.otp_verify, name="otp_verify"),
    path("login/tweestaps/instellen/", auth.otp_setup, name="otp_setup"),
    path("login/bevestigen/", auth.reauth, name="reauth"),
    path("logout/", auth.logout_view, name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("custodians/<slug:slug>/", views.custodian_detail, name="custodian"),
    path("conversations/<int:pk>/", views.conversation_detail, name="conversation"),
    path("attachments/<int:pk>/", views.attachment_content, name="attachment"),
    path("upload/", accepts_upload(views.upload), name="upload"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery"),
    path("custodians/<slug:slug>/audit/", audit_trail.custodian_audit, name="custodian_audit"),
    path("beheer/gebruikers/", admin_views.users, name="users"),
    path("beheer/gebruikers/<int:pk>/rollen/", admin_views.user_grant, name="user_grant"),
    path("beheer/gebruikers/<int:pk>/tweestaps-herstellen/", admin_views.user_totp_reset, name="user_totp_reset"),
    path("beheer/rollen/<int:pk>/intrekken/", admin_views.grant_revoke, name="grant_revoke"),
    path("beheer/gebruikers/<int:pk>/uitschakelen/", admin_views.user_disable, name="user_disable"),
    path("beheer/serviceaccounts/<int:pk>/intrekken/", admin_views.serviceaccount_revoke, name="serviceaccount_revoke"),
    path("api/v1/", include("chatarchief.api.urls")),
    path("", include("chatarchief.review.urls")),
    path("", include("chatarchief.preservation.urls")),
    path("", include("chatarchief.compliance.urls")),
    path("", include("chatarchief.search.urls")),
    path("", include("chatarchief.woo.urls")),
]

if settings.OIDC_ENABLED:  # single sign-on (off by default): the IdP redirects back to the callback
    from mozilla_django_oidc import views as oidc_views

    from chatarchief.access.oidc import AuthenticationRequestView
    from chatarchief.web.security import otp_exempt

    urlpatterns += [
        path(
            "oidc/authenticate/",
            login_not_required(AuthenticationRequestView.as_view()),
            name="oidc_authentication_init",
        ),
        path(
            "oidc/callback/",
            login_not_required(oidc_views.OIDCAuthenticationCallbackView.as_view()),
            name="oidc_authentication_callback",
        ),
        path("oidc/logout/", otp_exempt(oidc_views.OIDCLogoutView.as_view()), name="oidc_logout"),
    ]
