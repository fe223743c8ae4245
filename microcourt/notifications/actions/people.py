"""What a person sets: which optional notices reach them on which channel, and the WeChat
account subscription messages go to."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from microcourt.core.errors import DomainError, InvalidInput

from .. import templates
from ..backends import DeliveryError, GatewayConfigurationError
from ..backends.wechat import WechatApi
from ..models import Channel, Preference, WechatBinding
from .delivery import wechat_appid

# The channels a person may switch off; in-app stays: it is the record of what was said.
SWITCHABLE = [Channel.SMS, Channel.WECHAT, Channel.EMAIL]


class GatewayUnavailable(DomainError):
    status = 503
    code = "unavailable"


def _switchable(category: str, channel: str) -> templates.Category:
    spec = templates.CATEGORIES.get(category)
    if spec is None:
        raise InvalidInput(_("没有这一类通知"), fields={"category": _("没有这一类通知")})
    if channel not in SWITCHABLE:
        raise InvalidInput(
            _("站内消息是通知的记录，不能关闭"), fields={"channel": _("站内消息不能关闭")}
        )
    if spec.mandatory:
        raise InvalidInput(spec.reason or templates.LEGAL_REASON, fields={"category": spec.reason})
    return spec


@transaction.atomic
def preference_set(*, user, category: str, channel: str, enabled: bool) -> Preference:
    """Switch one optional category on one channel. Notices the law requires (service of
    documents, legal deadlines, log-in codes) have no switch: 依法必须送达的通知不能关闭."""
    _switchable(category, channel)
    preference, _created = Preference.objects.update_or_create(
        user=user, category=category, channel=channel, defaults={"enabled": bool(enabled)}
    )
    return preference


@transaction.atomic
def preferences_save(*, user, enabled: Iterable[tuple[str, str]]) -> int:
    """The preferences page's form: every switchable (category, channel) is on exactly when
    it is in ``enabled``. Returns how many switches changed."""
    wanted = {(str(c), str(ch)) for c, ch in enabled}
    for category, channel in wanted:
        spec = templates.CATEGORIES.get(category)
        if spec is None or channel not in Channel.values:
            raise InvalidInput(_("没有这一类通知"), fields={"category": _("没有这一类通知")})
        # "On" for a mandatory category or in-app is what they always are: nothing to do.
    current = {(p.category, p.channel): p.enabled for p in Preference.objects.filter(user=user)}
    changed = 0
    for category in templates.CATEGORIES.values():
        if category.mandatory:
            continue
        for channel in SWITCHABLE:
            on = (category.code, channel) in wanted
            if current.get((category.code, channel), True) != on:
                Preference.objects.update_or_create(
                    user=user,
                    category=category.code,
                    channel=channel,
                    defaults={"enabled": on},
                )
                changed += 1
    return changed


JSCODE_ERRORS = {
    40029: _("微信登录凭证无效或已过期，请重新打开小程序再试。"),
    40163: _("微信登录凭证已使用过，请重新打开小程序再试。"),
    45011: _("操作太频繁，请稍后再试。"),
    40226: _("该微信账号存在安全风险，暂时无法绑定。"),
}


@transaction.atomic
def wechat_bind(*, user, code: str) -> WechatBinding:
    """Bind the user's WeChat (the mini-program's ``wx.login`` code → openid through
    ``jscode2session``) so subscription messages can reach them. A WeChat account bound
    before to another user moves to this one: the code proves who holds it now. Without a
    configured mini-program (development) the local gateway's binding is made from the
    code."""
    code = (code or "").strip()
    if not code or len(code) > 128:
        raise InvalidInput(_("缺少微信登录凭证"), fields={"code": _("请提供 wx.login 的 code")})
    appid = wechat_appid()
    unionid = ""
    if settings.NOTIFICATIONS_WECHAT_APPID:
        try:
            answer = WechatApi().jscode2session(code)
        except (DeliveryError, GatewayConfigurationError):
            raise GatewayUnavailable(_("暂时无法连接微信，请稍后再试。")) from None
        errcode = int(answer.get("errcode") or 0)
        if errcode or not answer.get("openid"):
            raise InvalidInput(
                JSCODE_ERRORS.get(errcode, _("微信绑定失败，请重新打开小程序再试。")),
                fields={"code": _("无效")},
            )
        openid, unionid = str(answer["openid"]), str(answer.get("unionid") or "")
    else:
        openid = "local-" + hashlib.sha256(f"{user.pk}:{code}".encode()).hexdigest()[:24]
    WechatBinding.objects.filter(appid=appid, openid=openid).exclude(user=user).delete()
    binding, _created = WechatBinding.objects.update_or_create(
        user=user, appid=appid, defaults={"openid": openid, "unionid": unionid[:64]}
    )
    return binding
