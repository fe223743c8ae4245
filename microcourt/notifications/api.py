from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from microcourt.core.actor import actor_of
from microcourt.core.pagination import Pages

from . import actions, selectors
from .schemas import (
    CategoryOut,
    NotificationOut,
    PreferenceIn,
    UnreadCountOut,
    WechatBindIn,
    WechatBindingOut,
)

router = Router(tags=["notifications"])


@router.get("/notifications", response=list[NotificationOut])
@paginate(Pages)
def list_notifications(request: HttpRequest):
    return selectors.inbox(actor_of(request))


@router.post("/notifications/{notification_id}/read", response=UnreadCountOut)
def mark_read(request: HttpRequest, notification_id: int):
    actions.notification_mark_read(user=request.auth, notification_id=notification_id)
    return {"unread": actions.unread_count(request.auth.pk)}


@router.get("/notifications/preferences", response=list[CategoryOut])
def preferences(request: HttpRequest):
    """Which notices reach you on which channel. Notices the law requires are locked on."""
    return selectors.preferences_for(request.auth)


@router.put("/notifications/preferences", response=list[CategoryOut])
def preference_set(request: HttpRequest, payload: PreferenceIn):
    actions.preference_set(
        user=request.auth,
        category=payload.category,
        channel=payload.channel,
        enabled=payload.enabled,
    )
    return selectors.preferences_for(request.auth)


@router.post("/notifications/wechat/bind", response=WechatBindingOut)
def wechat_bind(request: HttpRequest, payload: WechatBindIn):
    """Bind your WeChat to receive subscription messages: the mini-program's wx.login code."""
    return actions.wechat_bind(user=request.auth, code=payload.code)
