from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from . import shell
from .api import api

urlpatterns = [
    path("", shell.home, name="home"),
    path("services/<slug:slug>/", shell.service, name="service"),
    path("cases/", shell.my_cases, name="my_cases"),
    path("workbench/", shell.workbench, name="workbench"),
    path("manifest.webmanifest", shell.manifest, name="manifest"),
    path("sw.js", shell.service_worker, name="service_worker"),
    path("healthz", shell.healthz, name="healthz"),
    path("accounts/", include("microcourt.identity.urls")),
    path("courts/", include("microcourt.courts.urls")),
    path("inbox/", include("microcourt.notifications.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("api/v1/<path:rest>", shell.api_not_found),
]
