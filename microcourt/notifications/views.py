import datetime as dt
import hashlib
import hmac
import json
import xml.etree.ElementTree as ET

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from microcourt.core.actor import actor_of
from microcourt.core.errors import DomainError, NotFound

from . import actions, demo, policies, selectors


@login_required
def inbox(request):
    page = Paginator(selectors.inbox(actor_of(request)), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "tab": "inbox"})


@require_POST
@login_required
def mark_read(request, notification_id: int):
    actor = actor_of(request)
    actions.notification_mark_read(user=actor.user, notification_id=notification_id)
    row = selectors.inbox(actor).filter(pk=notification_id).first()
    if request.htmx and row is not None:
        return render(request, "notifications/inbox.html#item", {"n": row})
    return redirect("notifications:inbox")


@require_POST
@login_required
def mark_all_read(request):
    actions.notifications_mark_all_read(user=actor_of(request).user)
    return redirect("notifications:inbox")


@require_http_methods(["GET", "POST"])
@login_required
def preferences(request):
    """Which optional notices reach the person on SMS, WeChat and e-mail; notices the law
    requires are shown locked with the reason."""
    if request.method == "POST":
        chosen = [tuple(v.split(":", 1)) for v in request.POST.getlist("on") if ":" in v]
        try:
            actions.preferences_save(user=actor_of(request).user, enabled=chosen)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            if not request.htmx:
                messages.success(request, _("通知设置已保存"))
        if not request.htmx:
            return redirect("notification_channels:preferences")
    user = actor_of(request).user
    context = {
        "categories": selectors.preferences_for(user),
        "binding": selectors.wechat_binding(user),
        "tab": "me",
        "saved": request.method == "POST",
    }
    if request.htmx:
        return render(request, "notifications/preferences.html#switches", context)
    return render(request, "notifications/preferences.html", context)


def outbox(request):
    """The local gateway's "phone": what the development SMS and WeChat backends recorded
    (numbers masked). Platform operators and court staff only
    (``policies.may_see_local_outbox``), in the demo too: it holds everyone's log-in codes;
    message text only in development and demo mode. A newcomer finds their own code on
    :func:`demo_codes`."""
    try:
        policies.require_see_local_outbox(actor_of(request))
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "notifications/outbox.html",
        {
            "messages_sent": selectors.local_outbox(100),
            "show_body": settings.DEBUG or settings.DEMO_MODE,
            "tab": "me",
        },
    )


def demo_codes(request):
    """Demo mode only: the SMS this browser session itself asked for (a sign-up or log-in
    code), linked from the code-entry page. Nobody else's: see ``notifications.demo``."""
    if not settings.DEMO_MODE:
        raise Http404
    sent = demo.sent_to_this_session(request)
    # An SMS this session asked for that the gateway has not recorded yet: the page shows
    # that it is on its way and polls (``?partial=codes``) until it is there.
    asked = request.session.get(demo.SESSION_KEY, [])
    context = {
        "messages_sent": sent,
        "waiting": len({m.notification_id for m in sent}) < len(asked),
    }
    template = "notifications/demo_codes.html"
    partial = request.htmx and request.GET.get("partial") == "codes"
    response = render(request, f"{template}#codes" if partial else template, context)
    response["Cache-Control"] = "no-store"  # a code: not for a shared cache or the back button
    return response


# -- gateway callbacks --------------------------------------------------------------------


@csrf_exempt
@require_POST
def aliyun_sms_report(request, token: str):
    """Aliyun's SmsReport HTTP push: a JSON array of status reports. The secret token in
    the path is the only credential Aliyun's push carries."""
    expected = settings.NOTIFICATIONS_ALIYUN_REPORT_TOKEN
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Http404
    try:
        reports = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return JsonResponse({"code": 1, "msg": "invalid JSON"}, status=400)
    if isinstance(reports, dict):
        reports = [reports]
    if not isinstance(reports, list) or not all(isinstance(r, dict) for r in reports):
        return JsonResponse({"code": 1, "msg": "expected a JSON array of reports"}, status=400)
    actions.sms_reports_receive(reports=reports)
    return JsonResponse({"code": 0, "msg": "成功"}, json_dumps_params={"ensure_ascii": False})


def _wechat_signed(request, token: str) -> bool:
    params = request.GET
    parts = sorted([token, params.get("timestamp", ""), params.get("nonce", "")])
    digest = hashlib.sha1("".join(parts).encode()).hexdigest()  # noqa: S324 - WeChat's scheme
    return hmac.compare_digest(digest, params.get("signature", ""))


def _wechat_message(raw: bytes) -> dict | None:
    """A push in 明文模式, JSON or XML, as {field: value}; List items as a list of dicts."""
    text = raw.decode("utf-8", errors="replace").strip()
    if text.startswith("{"):
        try:
            message = json.loads(text)
        except ValueError:
            return None
        items = message.get("List") or []
        message["List"] = items if isinstance(items, list) else [items]
        return message
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        return None
    try:
        root = ET.fromstring(text)  # noqa: S314
    except ET.ParseError:
        return None
    message = {child.tag: (child.text or "") for child in root if len(child) == 0}
    message["List"] = [
        {field.tag: (field.text or "") for field in item} for item in root.iter("List")
    ]
    if "Encrypt" in message and "Event" not in message:
        message["encrypted"] = True
    return message


@csrf_exempt
@require_http_methods(["GET", "POST"])
def wechat_push(request):
    """WeChat's message push (消息推送), 明文模式: GET verifies the URL (echostr); POST
    carries events, of which ``subscribe_msg_sent_event`` gives the delivery status of
    subscription messages. Every request is signed sha1(sort(token, timestamp, nonce))."""
    token = settings.NOTIFICATIONS_WECHAT_PUSH_TOKEN
    if not token:
        raise Http404
    if not _wechat_signed(request, token):
        return HttpResponse("invalid signature", status=403, content_type="text/plain")
    if request.method == "GET":
        return HttpResponse(request.GET.get("echostr", ""), content_type="text/plain")
    message = _wechat_message(request.body)
    if message is None:
        return HttpResponseBadRequest("unreadable message", content_type="text/plain")
    if message.get("encrypted") or ("Encrypt" in message and "Event" not in message):
        return HttpResponseBadRequest(
            "encrypted push (安全模式) is not supported: use 明文模式", content_type="text/plain"
        )
    if message.get("MsgType") == "event" and message.get("Event") == "subscribe_msg_sent_event":
        try:
            created = dt.datetime.fromtimestamp(int(message.get("CreateTime") or 0), tz=dt.UTC)
        except (TypeError, ValueError, OverflowError):
            created = timezone.now()
        actions.wechat_sent_events_receive(
            openid=str(message.get("FromUserName", "")),
            created_at=created,
            items=message["List"],
        )
    return HttpResponse("success", content_type="text/plain")
