"""The payments app's pages. Two namespaces, as they were published: ``payments`` — the
public fee calculator, mounted at /fees/ — and ``pay`` — the payer's orders and the
providers' callbacks, mounted at /payments/ (``microcourt/urls.py`` includes
``pay_urlpatterns`` under it). The court's fee desk pages (``views.court``) are named in
``microcourt/urls.py`` beside the rest of the workbench."""

from django.urls import path

from .views import calculator, orders

app_name = "payments"
urlpatterns = [
    path("", calculator.calculator, name="calculator"),
    path("words/", calculator.amount_words, name="words"),
]

pay_urlpatterns = (
    [
        path("orders/", orders.orders, name="orders"),
        path("orders/<str:number>/", orders.order, name="order"),
        path("orders/<str:number>/checkout/", orders.checkout, name="checkout"),
        path("orders/<str:number>/receipt.pdf", orders.receipt, name="receipt"),
        path("orders/<str:number>/relief/", orders.relief, name="relief"),
        path("callback/<slug:provider>/", orders.callback, name="callback"),
    ],
    "pay",
)
