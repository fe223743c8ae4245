from django.urls import path

from . import views

app_name = "courts"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("<str:code>/", views.detail, name="detail"),
]
