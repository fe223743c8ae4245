from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import selectors
from .forms import LoginForm

DEMO_USERNAMES = [
    "demo_citizen",
    "demo_citizen2",
    "demo_company",
    "demo_lawyer",
    "demo_judge",
    "demo_clerk",
    "demo_filing",
    "demo_mediator",
    "demo_enforcer",
    "demo_admin",
]


def login_view(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = ""
    form = LoginForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)  # rotates the session key
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    demo = (
        {"usernames": DEMO_USERNAMES, "password": settings.DEMO_PASSWORD}
        if settings.DEMO_MODE
        else None
    )
    return render(request, "identity/login.html", {"form": form, "next": next_url, "demo": demo})


@require_POST
def logout_view(request):
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@login_required
def me_view(request):
    return render(
        request, "identity/me.html", {"profile": selectors.profile(request.user), "tab": "me"}
    )
