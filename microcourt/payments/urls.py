from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("", views.calculator, name="calculator"),
    path("words/", views.amount_words, name="words"),
]
