from django.urls import path

from chatarchief.woo import views

urlpatterns = [
    path("woo/", views.woo_list, name="woo_list"),
    path("woo/nieuw/", views.woo_create, name="woo_create"),
    path("woo/<int:pk>/", views.woo_detail, name="woo_detail"),
    path("woo/<int:pk>/zoeken/", views.woo_search, name="woo_search"),
    path("woo/<int:pk>/verdagen/", views.woo_extend, name="woo_extend"),
    path("woo/<int:pk>/export/", views.woo_export, name="woo_export"),
    path("woo/<int:pk>/documenten/<int:number>/", views.woo_document, name="woo_document"),
    path("woo/<int:pk>/documenten/<int:number>/beoordelen/", views.woo_assess, name="woo_assess"),
    path("woo/<int:pk>/documenten/<int:number>/bevestigen/", views.woo_confirm, name="woo_confirm"),
    path("woo/<int:pk>/documenten/<int:number>/lakken/", views.woo_redact, name="woo_redact"),
    path(
        "woo/<int:pk>/documenten/<int:number>/lakkingen/<int:redaction>/verwijderen/",
        views.woo_unredact,
        name="woo_unredact",
    ),
]
