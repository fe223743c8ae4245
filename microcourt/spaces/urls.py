from django.urls import path

from . import views

app_name = "spaces"

urlpatterns = [
    path("cases/<int:case_id>/space/", views.space, name="space"),
    path("cases/<int:case_id>/space/export/", views.export, name="export"),
    path("cases/<int:case_id>/space/files/<int:message_id>/", views.attachment, name="attachment"),
]
