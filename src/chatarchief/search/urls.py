from django.urls import path

from chatarchief.search import views

urlpatterns = [
    path("zoeken/", views.search_page, name="search"),
]
