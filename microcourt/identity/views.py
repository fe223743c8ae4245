from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from microcourt.core.actor import actor_of
from microcourt.core.errors import NotFound

from . import actions, selectors


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


@login_required
def tokens_view(request):
    """我的 → API 令牌: the tokens that can act as this account, each revocable."""
    return render(
        request,
        "identity/tokens.html",
        {"tokens": selectors.api_tokens(request.user), "tab": "me"},
    )


@login_required
@require_POST
def token_revoke_view(request, token_id: int):
    try:
        token = actions.api_token_revoke(actor=actor_of(request), token_id=token_id)
    except NotFound:  # another's token, or one already revoked
        raise Http404 from None
    messages.success(request, _("已撤销令牌 %(prefix)s…") % {"prefix": token.prefix})
    return redirect("identity:tokens")
