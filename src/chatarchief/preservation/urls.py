from django.urls import path

from chatarchief.preservation import views

urlpatterns = [
    path("bewaring/bewaarplichten/", views.hold_list, name="hold_list"),
    path("bewaring/bewaarplichten/opleggen/", views.hold_add, name="hold_add"),
    path("bewaring/bewaarplichten/opheffen/", views.hold_remove, name="hold_remove"),
    path("bewaring/vernietigingslijsten/", views.disposition_list, name="disposition_list"),
    path("bewaring/vernietigingslijsten/goedkeuren/", views.disposition_approve, name="disposition_approve"),
]
