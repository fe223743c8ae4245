from django.urls import path

from . import pay_views

app_name = "pay"
urlpatterns = [
    path("orders/", pay_views.orders, name="orders"),
    path("orders/<str:number>/", pay_views.order, name="order"),
    path("orders/<str:number>/checkout/", pay_views.checkout, name="checkout"),
    path("orders/<str:number>/receipt.pdf", pay_views.receipt, name="receipt"),
    path("orders/<str:number>/relief/", pay_views.relief, name="relief"),
    path("callback/<slug:provider>/", pay_views.callback, name="callback"),
]
