from django.urls import path

from chatarchief.review import views

urlpatterns = [
    path("custodians/<slug:slug>/beoordelen/", views.review_queue, name="review_queue"),
    path("custodians/<slug:slug>/beoordelen/besluiten/", views.review_decide, name="review_decide"),
    path("custodians/<slug:slug>/beoordelen/voorstellen/", views.review_propose, name="review_propose"),
    path("custodians/<slug:slug>/besluiten/", views.review_decisions, name="review_decisions"),
    path("besluiten/<int:pk>/bevestigen/", views.review_confirm, name="review_confirm"),
    path("beoordelen/agenda/", views.review_agenda, name="review_agenda"),
    path("beoordelen/stand-up/", views.review_standup, name="review_standup"),
    path("beoordelen/suggesties/trainen/", views.review_retrain, name="review_retrain"),
]
