"""A URLconf for the error-page test: the project's URLs plus one view that fails."""

from django.urls import path

from chatarchief.web.urls import urlpatterns as project_urls


def boom(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("geheime interne fout")


urlpatterns = [*project_urls, path("boom/", boom, name="boom")]
