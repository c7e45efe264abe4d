from django.urls import path

from chatarchief.compliance import views

urlpatterns = [
    path("naleving/", views.compliance_dashboard, name="compliance_dashboard"),
    path("naleving/functionarissen/<slug:slug>/", views.compliance_custodian, name="compliance_custodian"),
    path("naleving/rapport/", views.compliance_report, name="compliance_report"),
    path("naleving/herinneringen/", views.reminders_preview, name="reminders_preview"),
    path("deliveries/<int:pk>/ontvangstbevestiging.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("deliveries/<int:pk>/ontvangstbevestiging.pdf.sig", views.receipt_signature, name="receipt_signature"),
    path("bevindingen/", views.findings, name="findings"),
    path("bevindingen/stappen/", views.findings_bulk, name="findings_bulk"),
    path("bevindingen/<int:pk>/", views.finding_detail, name="finding"),
]
