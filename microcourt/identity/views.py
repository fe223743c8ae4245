from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from microcourt.core.actor import actor_of
from microcourt.core.errors import NotFound

from . import actions, display, selectors


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
            "elderly": display.is_elderly(request),
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


@require_POST
def elderly_view(request):
    """我的 → 长辈模式: on or off for this browser (a cookie; a plain form, no script needed),
    then back where the switch was pressed, saying what changed in the reader's language."""
    on = request.POST.get("elderly") == "on"
    if on:
        messages.success(request, _("长辈模式已开启：字更大，按钮更大，常用服务排在首页最前面。"))
    else:
        messages.success(request, _("长辈模式已关闭。"))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "identity:me" if request.user.is_authenticated else "home"
    response = redirect(back)
    display.remember_elderly(response, on)
    return response
