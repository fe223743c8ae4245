from django.urls import path

from . import views

app_name = "ledger"
urlpatterns = [
    path("verify/", views.verify_page, name="verify"),
    path("receipts/<int:index>/", views.receipt, name="receipt"),
    path("receipts/<int:index>.json", views.receipt_json, name="receipt_json"),
]
