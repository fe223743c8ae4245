from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import selectors


def too_many_requests(request, exception=None):
    """The page allauth's rate limits answer with (ROOT_URLCONF.handler429)."""
    return render(request, "account/429.html", status=429)


@login_required
def me_view(request):
    return render(
        request,
        "identity/me.html",
        {
            "profile": selectors.profile(request.user),
            "identity": selectors.identity_masked(request.user),
            "tab": "me",
        },
    )
