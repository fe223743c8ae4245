from django.urls import path

from . import views

app_name = "service"

urlpatterns = [
    path("cases/<int:case_id>/service/", views.case_service, name="case"),
    path("cases/<int:case_id>/service/address/", views.address, name="address"),
    path("cases/<int:case_id>/service/<int:service_id>/", views.detail, name="detail"),
    path(
        "cases/<int:case_id>/service/<int:service_id>/documents/<int:position>/",
        views.document,
        name="document",
    ),
    path(
        "cases/<int:case_id>/service/<int:service_id>/certificate/",
        views.certificate,
        name="certificate",
    ),
    path("cases/<int:case_id>/service/<int:service_id>/settle/", views.settle, name="settle"),
    path("s/<str:token>/", views.link, name="link"),
    path("service/", views.mine, name="mine"),
    path("service/notices/", views.notices, name="notices"),
    path("workbench/service/", views.desk, name="desk"),
]
