"""The platform shell: home page and service grid, 我的, the staff workbench, the PWA
files and /healthz. Thin views over selectors of the domain apps."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from microcourt.core.actor import actor_of
from microcourt.core.health import system_health
from microcourt.identity.display import is_elderly


@dataclass(frozen=True)
class Service:
    slug: str
    title: str
    url_name: str = ""  # empty while the service is not built yet
    summary: str = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name) if self.url_name else reverse("service", args=[self.slug])

    @property
    def available(self) -> bool:
        return bool(self.url_name)


SERVICES = [
    Service("file", _("我要立案"), "filing:start", _("网上立案：填写起诉状、上传材料、在线提交")),
    Service("cases", _("我的案件"), "my_cases", _("查看案件进度、材料和文书")),
    Service("fees", _("诉讼费计算"), "payments:calculator", _("按《诉讼费用交纳办法》计算诉讼费")),
    Service("courts", _("法院导航"), "courts:browse", _("查找法院地址、电话和办公时间")),
    Service("contact", _("联系法官"), "my_cases", _("在案件空间里给承办法官留言")),
    Service("service", _("送达"), "service:mine", _("在线签收法律文书、查看送达凭证")),
    Service("hearing", _("开庭"), "hearings_mine", _("参加在线庭审")),
    Service("mediation", _("调解"), "", _("申请和参加在线调解")),
    Service("enforcement", _("执行"), "", _("申请执行、查看执行进展、提供财产线索")),
    Service("openness", _("司法公开"), "hearings_live", _("庭审直播、裁判文书和审判流程公开")),
    Service("verify", _("存证验证"), "ledger:verify", _("核对文件是否已在司法链存证、是否被改动")),
    Service("sign", _("待我签署"), "signing:requests", _("签署笔录、协议、授权委托书")),
]


def admin_login(request):
    """/admin/login/: one way in, our log-in (the admin's own form would skip the lock-out
    and the second factor). Someone logged in whom the admin refused is told so, instead of
    being sent round between the admin and the log-in page."""
    if request.user.is_authenticated:
        raise PermissionDenied(_("您的账号没有管理后台的权限。"))
    url = reverse("account_login")
    query = request.META.get("QUERY_STRING", "")
    return redirect(f"{url}?{query}" if query else url)


def context(request):
    """Template context for every page: demo banner, unread badge, staff flag."""
    user = getattr(request, "user", None)
    values: dict = {"DEMO_MODE": settings.DEMO_MODE, "elderly": is_elderly(request)}
    if user is not None and user.is_authenticated:
        from microcourt.notifications.actions import unread_count

        values["unread_count"] = unread_count(user.pk)
        # The request's actor holds the court roles already read for this request.
        actor = actor_of(request)
        values["is_court_staff"] = actor is not None and actor.is_staff_member
    return values


# 长辈模式 (适老化) puts the six services people use most at the top of the home page.
MOST_USED = ("file", "cases", "fees", "service", "contact", "courts")


def services_for(elderly: bool) -> tuple[list[Service], list[Service]]:
    """The home page's services: (the six most used, the rest) in 长辈模式, else ([], all)."""
    if not elderly:
        return [], list(SERVICES)
    first = [next(s for s in SERVICES if s.slug == slug) for slug in MOST_USED]
    return first, [s for s in SERVICES if s.slug not in MOST_USED]


def home(request):
    first, rest = services_for(is_elderly(request))
    return render(
        request, "shell/home.html", {"first_services": first, "services": rest, "tab": "home"}
    )


def service(request, slug: str):
    """A service that is not built yet says so plainly instead of linking nowhere."""
    found = next((s for s in SERVICES if s.slug == slug), None)
    if found is None:
        raise Http404
    return render(request, "shell/service.html", {"service": found, "tab": "home"})


@login_required
def my_cases(request):
    """我的案件: the user's cases, then their filing applications not yet accepted."""
    from microcourt.cases.selectors import cases_for
    from microcourt.filing.selectors import drafts_of

    cases = cases_for(actor_of(request)).order_by("-created_at", "-pk")[:50]
    filings = drafts_of(request.user)[:50]
    return render(request, "shell/cases.html", {"tab": "cases", "cases": cases, "filings": filings})


@login_required
def workbench(request):
    """The desktop shell for court staff."""
    from microcourt.filing.selectors import officer_courts
    from microcourt.identity.selectors import profile

    return render(
        request,
        "shell/workbench.html",
        {"profile": profile(request.user), "filing_desk": bool(officer_courts(request.user))},
    )


def manifest(request):
    data = {
        "name": "微法院 microcourt",
        "short_name": "微法院",
        "lang": "zh-CN",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ededed",
        "theme_color": "#07c160",
        "icons": [
            {"src": static("shell/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("shell/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("shell/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


# The shell's files the service worker keeps for offline use.
PRECACHE = (
    "vendor/weui/weui-subset.css",
    "shell/app.css",
    "shell/app.js",
    "vendor/htmx/htmx.min.js",
    "shell/icon-192.png",
)


def service_worker(request):
    """Served from the root so its scope is the whole site. It precaches the shell's files
    under the names pages ask for (hashed, cached for a year), not their plain names."""
    import hashlib
    import json

    urls = [static(name) for name in PRECACHE]
    version = hashlib.sha256("\n".join(urls).encode()).hexdigest()[:12]
    path = settings.PACKAGE_DIR / "static" / "shell" / "sw.js"
    body = (
        path.read_text(encoding="utf-8")
        .replace("__PRECACHE__", json.dumps(urls))
        .replace("__VERSION__", version)
    )
    response = HttpResponse(body, content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@never_cache
def healthz(request):
    ok, components = system_health()
    body = {"status": "ok" if ok else "degraded", "components": components}
    if not ok:
        body["down"] = [n for n, c in components.items() if not c["ok"] and not c.get("optional")]
    return JsonResponse(body, status=200 if ok else 503)


def api_not_found(request, rest: str):
    """Unknown API paths answer in the API's one error shape, not an HTML page."""
    from microcourt.core.errors import error_body

    return JsonResponse(
        error_body("not_found", str(_("没有这个接口。"))),
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )
