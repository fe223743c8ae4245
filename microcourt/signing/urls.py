from django.urls import path

from . import views

app_name = "signing"
urlpatterns = [
    path("verify/pdf/", views.verify, name="verify"),
    path("pki/ca.pem", views.ca_pem, name="ca_pem"),
    path("pki/crl.der", views.crl_der, name="crl"),
    path("tsa/", views.tsa_endpoint, name="tsa"),
    path("sign/", views.requests_list, name="requests"),
    path("sign/<int:request_id>/", views.request_page, name="request"),
    path("sign/<int:request_id>/document.pdf", views.request_pdf, name="request_pdf"),
    path("sign/<int:request_id>/signed.pdf", views.request_signed_pdf, name="signed_pdf"),
]
