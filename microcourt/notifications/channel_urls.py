"""Pages and gateway callbacks under /notifications/ (the inbox itself is at /inbox/)."""

from django.urls import path

from . import views

app_name = "notification_channels"
urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("outbox/", views.outbox, name="outbox"),
    path("demo-codes/", views.demo_codes, name="demo_codes"),
    path("callbacks/aliyun-sms/<str:token>/", views.aliyun_sms_report, name="aliyun_sms_report"),
    path("callbacks/wechat/", views.wechat_push, name="wechat_push"),
]
