from django.urls import path

from . import verify_views, views

app_name = "identity"
urlpatterns = [
    path("me/", views.me_view, name="me"),
    path("me/elderly/", views.elderly_view, name="elderly"),
    path("me/tokens/", views.tokens_view, name="tokens"),
    path("me/tokens/<int:token_id>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("me/data.json", verify_views.data_export, name="data_export"),
    path("me/identity/", verify_views.reveal, name="reveal"),
    path("verify/", verify_views.verify, name="verify"),
    path("verify/review/", verify_views.request_review, name="verify_review"),
    path("verify/recheck/", verify_views.recheck, name="verify_recheck"),
]
