from django.urls import path

from . import views

app_name = "evidence"

# Included under cases/<int:case_id>/evidence/.
urlpatterns = [
    path("", views.evidence_list, name="list"),
    path("<int:number>/", views.exhibit, name="exhibit"),
    path("<int:number>/file/", views.exhibit_file, name="file"),
    path("<int:number>/preview/", views.exhibit_preview, name="preview"),
    path("<int:number>/objection/", views.objection, name="objection"),
    path("<int:number>/original/", views.original, name="original"),
    path("<int:number>/court-only/", views.court_only, name="court_only"),
    path("cross-examinations/", views.xexam_open, name="xexam_open"),
    path("cross-examinations/<int:pk>/", views.xexam, name="xexam"),
    path("cross-examinations/<int:pk>/mode/", views.xexam_mode, name="xexam_mode"),
    path("cross-examinations/<int:pk>/matrix/", views.matrix, name="matrix"),
]
