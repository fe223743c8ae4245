"""Court staff use the platform only with a second factor (issue 4, item 7)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import actor_of
from microcourt.core.errors import error_body

from .adapters import has_second_factor
from .policies import staff_mfa_required

WHY = _(
    "您是法院工作人员，可以查阅案件材料和当事人信息。为防止账号被冒用，"
    "请先开启两步验证（身份验证器应用或安全密钥），然后才能继续使用平台。"
)


def _holds_court_role(request) -> bool:
    """Staff by role (or a platform operator): the public is ruled out without a query."""
    if getattr(request.user, "is_superuser", False):
        return True
    actor = actor_of(request)
    return actor is not None and actor.is_staff_member


class StaffMfaMiddleware:
    """A logged-in member of court staff without an authenticator is sent to set one up,
    whatever page they ask for. Left open: the MFA pages themselves, log-out, the
    password re-check allauth asks before adding an authenticator, static files, the API
    token endpoint (it asks for the code itself), the language switch and health checks.
    JSON API calls made with the session get 403 ``mfa_required`` instead of a redirect."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._open: tuple[str, ...] | None = None

    def open_paths(self) -> tuple[str, ...]:
        if self._open is None:
            self._open = (
                reverse("mfa_index"),  # /accounts/2fa/…: TOTP, security keys, recovery codes
                reverse("account_logout"),
                reverse("account_reauthenticate"),
                settings.STATIC_URL,
                reverse("api:obtain_token"),
                reverse("set_language"),
                reverse("javascript-catalog"),
                reverse("healthz"),
                reverse("service_worker"),
                reverse("manifest"),
            )
        return self._open

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.open_paths())
            # The actor's court roles, read once per request and reused by the view, rule
            # out the public before the staff check below asks the database again.
            and _holds_court_role(request)
            and staff_mfa_required(user)
            and not has_second_factor(user)
        ):
            return self.refuse(request)
        return self.get_response(request)

    def refuse(self, request) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse(
                error_body("mfa_required", str(WHY)),
                status=403,
                json_dumps_params={"ensure_ascii": False},
            )
        messages.warning(request, WHY)
        target = reverse("mfa_activate_totp")
        if request.headers.get("HX-Request"):  # django-htmx runs later in the chain
            return HttpResponse(status=204, headers={"HX-Redirect": target})
        return redirect(target)
