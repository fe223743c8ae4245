"""The pages a person meets when something is refused or goes wrong (handler400/403/404/500
and the CSRF failure view): in the shell, in the reader's language, with a way back. Under
``/api/`` the same refusals are the one JSON error shape. Never a debug page: the demo runs
with ``DEBUG`` off (settings/dev.py).

A 500 renders without context processors and without the database: whatever broke the
request may be what they need."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from microcourt.core import bad_input
from microcourt.core.errors import error_body

log = logging.getLogger(__name__)


def _back(request: HttpRequest) -> str:
    """Where 返回上一页 goes: the page the person came from on this site, else none."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:  # the very refusal being answered
        return ""
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    ):
        return ""
    parts = urlsplit(referer)
    here = request.get_full_path()
    back = parts.path + (f"?{parts.query}" if parts.query else "")
    return "" if back == here else back


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def page(request: HttpRequest, *, status: int, code: str, title: str, message: str) -> HttpResponse:
    """One refusal: JSON under /api/, the shell's error page elsewhere."""
    if _is_api(request):
        return JsonResponse(
            error_body(code, message), status=status, json_dumps_params={"ensure_ascii": False}
        )
    context = {"status": status, "title": title, "message": message, "back": _back(request)}
    body = loader.render_to_string("errors/page.html", context, request=request)
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler400``. A body too big or with too many fields, and any JSON body under
    /api/, keep their own refusals (core/bad_input.py)."""
    if _is_api(request) or isinstance(exception, bad_input.BODY_REFUSALS):
        return bad_input.bad_request(request, exception)
    return page(
        request,
        status=400,
        code="bad_request",
        title=_("请求有误"),
        message=_("提交的内容无法处理。请返回上一页检查后重试。"),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler403``: the reason the code gave, when it gave one in words for people."""
    reason = str(exception) if exception and str(exception) else ""
    return page(
        request,
        status=403,
        code="forbidden",
        title=_("无权访问"),
        message=reason or _("您没有权限进行这项操作。如需办理，请联系承办法院。"),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler404``. "Not allowed" and "not found" read alike (ARCHITECTURE §4.4), and the
    exception's text (a URL pattern list, a model name) is never shown."""
    return page(
        request,
        status=404,
        code="not_found",
        title=_("页面不存在"),
        message=_("您要找的页面不存在，或者您无权查看。"),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a standalone page, no context processors, no database."""
    title, message = _("系统繁忙"), _("服务器出了点问题，我们已记录。请稍后再试。")
    if _is_api(request):
        return JsonResponse(
            error_body("server_error", message),
            status=500,
            json_dumps_params={"ensure_ascii": False},
        )
    context = {"title": title, "message": message, "lang": getattr(request, "LANGUAGE_CODE", "")}
    return HttpResponse(loader.render_to_string("errors/500.html", context), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: most often a form from before the person logged in or out."""
    log.info("CSRF refusal at %s: %s", request.path_info, reason)
    return page(
        request,
        status=403,
        code="csrf_failed",
        title=_("页面已过期"),
        message=_("页面已过期（可能因为登录状态已变化）。请返回上一页，刷新后重新提交。"),
    )
