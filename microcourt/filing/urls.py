from django.urls import path

from .views import cases, desk, wizard

app_name = "filing"

urlpatterns = [
    # The applicant's wizard (a draft saved at every step).
    path("file/", wizard.start, name="start"),
    path("file/<str:number>/", wizard.detail, name="detail"),
    path("file/<str:number>/step/<slug:step>/", wizard.step, name="step"),
    path("file/<str:number>/receipt/", wizard.receipt, name="receipt"),
    path("file/<str:number>/materials/<int:material_id>/", wizard.material, name="material"),
    # The court's filing desk.
    path("workbench/filing/", desk.desk, name="desk"),
    path("workbench/filing/<str:number>/", desk.review, name="review"),
    # Cases: the case page (timeline, QR) and the other side's link.
    path("cases/<int:case_id>/", cases.case, name="case"),
    path("cases/link/<str:token>/", cases.link, name="link"),
]
