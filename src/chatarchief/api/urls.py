"""Mounted at /api/v1/ by web/urls.py. API views carry their own token auth, so the site-wide
login requirement (LoginRequiredMiddleware) does not apply to them; they take upload-sized bodies
(the token is checked before the body is read)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from chatarchief.api.api import api
from chatarchief.api.docs import api_docs

patterns, _app, _namespace = api.urls
app_name = "api"  # the namespace NinjaAPI(urls_namespace="api") reverses its own routes in
for pattern in patterns:
    pattern.callback = login_not_required(pattern.callback)  # type: ignore[attr-defined]
    pattern.callback.accepts_upload = True  # type: ignore[attr-defined]  # as web.security.accepts_upload

urlpatterns = [*patterns, path("docs", api_docs, name="docs")]  # the reference for people (api/docs.py)
