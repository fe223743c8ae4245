from django.urls import path

from . import sandbox_views

app_name = "payments_sandbox"
urlpatterns = [
    path("pay/<str:token>/", sandbox_views.pay, name="pay"),
]
