from django.urls import path

from . import views

app_name = "dossier"

urlpatterns = [
    path("cases/<int:case_id>/dossier/", views.dossier, name="dossier"),
    path("cases/<int:case_id>/dossier/new/", views.dossier_new, name="new"),
    path("cases/<int:case_id>/dossier/<int:build_id>.pdf", views.dossier_pdf, name="pdf"),
]
