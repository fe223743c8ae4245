from django.urls import path

from . import views

app_name = "filing"

urlpatterns = [
    # The applicant's wizard (a draft saved at every step).
    path("file/", views.start, name="start"),
    path("file/<str:number>/", views.detail, name="detail"),
    path("file/<str:number>/step/<slug:step>/", views.step, name="step"),
    path("file/<str:number>/receipt/", views.receipt, name="receipt"),
    path("file/<str:number>/materials/<int:material_id>/", views.material, name="material"),
    # The court's filing desk.
    path("workbench/filing/", views.desk, name="desk"),
    path("workbench/filing/<str:number>/", views.review, name="review"),
    # Cases: the case page (timeline, QR) and the other side's link.
    path("cases/<int:case_id>/", views.case, name="case"),
    path("cases/link/<str:token>/", views.link, name="link"),
]
