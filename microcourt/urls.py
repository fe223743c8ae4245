from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from microcourt.payments import urls as payment_urls
from microcourt.payments.views import court as payment_desk

from . import shell, workbench
from .api import api

# allauth's rate limits answer with this page (allauth.core.ratelimit.respond_429).
handler429 = "microcourt.identity.views.too_many_requests"
# Refusals and failures in the shell, in the reader's language (microcourt/errors.py); a
# body Django would not read (too big: 413; too many fields) keeps its own answer.
handler400 = "microcourt.errors.bad_request"
handler403 = "microcourt.errors.permission_denied"
handler404 = "microcourt.errors.page_not_found"
handler500 = "microcourt.errors.server_error"

urlpatterns = [
    # First: Django tries patterns in order, and every API call went through the ~200 page
    # patterns (the "" includes are entered on every request) before reaching its own.
    path("api/v1/", api.urls),
    path("api/v1/<path:rest>", shell.api_not_found),
    path("", shell.home, name="home"),
    path("services/<slug:slug>/", shell.service, name="service"),
    path("cases/", shell.my_cases, name="my_cases"),
    path("workbench/", workbench.home, name="workbench"),
    path("workbench/assignment/", workbench.assignment, name="workbench_assignment"),
    path(
        "workbench/assignment/<int:case_id>/",
        workbench.assignment_decide,
        name="workbench_assign",
    ),
    path(
        "workbench/assignment/<int:case_id>/recusal/",
        workbench.recusal_decide,
        name="workbench_recusal",
    ),
    path("workbench/reviews/", workbench.reviews, name="workbench_reviews"),
    path(
        "workbench/reviews/<str:kind>/<int:pk>/",
        workbench.review_decide,
        name="workbench_review_decide",
    ),
    path("workbench/in-person/", workbench.in_person, name="workbench_in_person"),
    path("workbench/relief/", payment_desk.relief_queue, name="workbench_relief"),
    path("workbench/relief/<int:pk>/", payment_desk.relief_decide, name="workbench_relief_decide"),
    path("manifest.webmanifest", shell.manifest, name="manifest"),
    path("sw.js", shell.service_worker, name="service_worker"),
    path("healthz", shell.healthz, name="healthz"),
    path("accounts/", include("microcourt.identity.urls")),
    path("accounts/", include("allauth.urls")),  # log-in, sign-up, codes, MFA
    path("courts/", include("microcourt.courts.urls")),
    path("inbox/", include("microcourt.notifications.urls")),
    path("notifications/", include("microcourt.notifications.channel_urls")),
    path("ledger/", include("microcourt.ledger.urls")),
    path("fees/", include("microcourt.payments.urls")),
    path("", include("microcourt.filing.urls")),
    path("cases/<int:case_id>/evidence/", include("microcourt.evidence.urls")),
    path("", include("microcourt.spaces.urls")),
    path("", include("microcourt.dossier.urls")),
    path("", include("microcourt.signing.urls")),  # /verify/pdf/, /sign/, /pki/, /tsa/
    path("", include("microcourt.service.urls")),
    path("", include("microcourt.hearings.urls")),
    path("payments/sandbox/", include("microcourt.payments.providers.sandbox_urls")),
    path("payments/cases/<int:case_id>/account/", payment_desk.case_account, name="case_account"),
    path("payments/", include(payment_urls.pay_urlpatterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # One way in: the admin's own log-in form would skip the lock-out and the second factor.
    path("admin/login/", shell.admin_login),
    path("admin/", admin.site.urls),
]
