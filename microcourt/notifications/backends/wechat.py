"""微信小程序订阅消息 (subscription messages) over WeChat's server API.

- ``POST {api}/cgi-bin/stable_token`` gives the access token (``client_credential``); it is
  cached until shortly before ``expires_in`` and fetched again when a call answers 40001
  (invalid) or 42001 (expired). The stable-token endpoint does not invalidate the token
  other processes hold, unlike the older ``cgi-bin/token``.
- ``POST {api}/cgi-bin/message/subscribe/send?access_token=…`` with ``touser`` (openid),
  ``template_id``, ``page``, ``data`` (``{"thing1": {"value": …}}``), ``miniprogram_state``
  and ``lang``; the answer's ``msgid`` is the reference, which the
  ``subscribe_msg_sent_event`` push later names.
- ``GET {api}/sns/jscode2session`` turns a ``wx.login`` code into the openid
  (``wechat_bind``).

Templates and their fields per event come from ``NOTIFICATIONS_WECHAT_TEMPLATES``. A user
who has not subscribed (or whose one-time subscription is used up) is refused with 43101:
the message fails at once, there is nothing to retry."""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache

from microcourt.notifications import templates

from . import DeliveryError, DeliveryRejected, DeliveryUncertain, Found, GatewayConfigurationError
from . import http as gateway_http

log = logging.getLogger(__name__)

TOKEN_INVALID = {40001, 42001, 40014}
REFUSED = 43101
# WeChat's own trouble or our call rate: try again later.
TRANSIENT = {-1, 45009, 45011, 45047}
CONFIGURATION = {40013, 40125, 40164, 41030, 40037, 47003, 48001, 61024, 40243}

# Limits of the template data types (characters); longer values are refused with 47003.
FIELD_LIMITS = {
    "thing": 20,
    "character_string": 32,
    "number": 32,
    "letter": 32,
    "symbol": 5,
    "phrase": 5,
    "name": 10,
    "phone_number": 17,
    "car_number": 8,
    "amount": 32,
}


def clip(field: str, value: str) -> str:
    kind = field.rstrip("0123456789")
    limit = FIELD_LIMITS.get(kind)
    if limit is None or len(value) <= limit:
        return value
    return value[: limit - 1] + "…"


def lang_for(language: str) -> str:
    return "en_US" if language.startswith("en") else "zh_CN"


class WechatApi:
    """The calls, with the access-token cache. One per process is enough."""

    def __init__(self) -> None:
        self.base = settings.NOTIFICATIONS_WECHAT_API_BASE.rstrip("/")
        self.appid = settings.NOTIFICATIONS_WECHAT_APPID
        self.secret = settings.NOTIFICATIONS_WECHAT_SECRET
        self.timeout = settings.NOTIFICATIONS_WECHAT_TIMEOUT

    @property
    def cache_key(self) -> str:
        return f"notifications:wechat:token:{self.appid}"

    def _configured(self) -> None:
        if not (self.appid and self.secret):
            raise GatewayConfigurationError(
                "configuration error: NOTIFICATIONS_WECHAT_APPID/SECRET are not set"
            )

    def token(self, *, refresh: bool = False, stale: str = "") -> str:
        """The cached token; with ``refresh`` a new one. When the one WeChat gives back is
        the one it just refused (another process has not refreshed it), ask for a forced
        refresh — which WeChat rate-limits, so only then."""
        self._configured()
        if not refresh:
            cached = cache.get(self.cache_key)
            if cached:
                return cached
        token, expires_in = self._fetch(force=False)
        if stale and token == stale:
            token, expires_in = self._fetch(force=True)
        cache.set(self.cache_key, token, max(60, expires_in - 300))
        return token

    def _fetch(self, *, force: bool) -> tuple[str, int]:
        try:
            _, raw = gateway_http.post_json(
                f"{self.base}/cgi-bin/stable_token",
                {
                    "grant_type": "client_credential",
                    "appid": self.appid,
                    "secret": self.secret,
                    "force_refresh": force,
                },
                timeout=self.timeout,
            )
        except (gateway_http.NotSent, gateway_http.MaybeSent) as exc:
            raise DeliveryError(f"wechat stable_token: {exc}") from exc
        body = gateway_http.json_body(raw) or {}
        if not body.get("access_token"):
            code = int(body.get("errcode") or -1)
            text = f"wechat stable_token {code}: {body.get('errmsg', '')}"[:450]
            if code in (40013, 40125, 40164, 40243, 41002, 41004):
                log.error("WeChat refused our appid/secret: %s", code)
                raise GatewayConfigurationError(f"configuration error: {text}")
            raise DeliveryError(text)
        return str(body["access_token"]), int(body.get("expires_in") or 7200)

    def subscribe_send(self, payload: dict) -> dict:
        token = self.token()
        for attempt in (1, 2):
            url = f"{self.base}/cgi-bin/message/subscribe/send?" + urlencode(
                {"access_token": token}
            )
            try:
                _, raw = gateway_http.post_json(url, payload, timeout=self.timeout)
            except gateway_http.NotSent as exc:
                raise DeliveryError(f"wechat unreachable: {exc}") from exc
            except gateway_http.MaybeSent as exc:
                raise DeliveryUncertain(f"wechat subscribe/send, no answer: {exc}") from exc
            body = gateway_http.json_body(raw)
            if body is None:
                raise DeliveryUncertain("wechat subscribe/send answered without JSON")
            code = int(body.get("errcode") or 0)
            if code in TOKEN_INVALID and attempt == 1:
                token = self.token(refresh=True, stale=token)
                continue
            return body
        return body

    def jscode2session(self, code: str) -> dict:
        self._configured()
        try:
            _, raw = gateway_http.get(
                f"{self.base}/sns/jscode2session",
                {
                    "appid": self.appid,
                    "secret": self.secret,
                    "js_code": code,
                    "grant_type": "authorization_code",
                },
                timeout=self.timeout,
            )
        except (gateway_http.NotSent, gateway_http.MaybeSent) as exc:
            raise DeliveryError(f"wechat jscode2session: {exc}") from exc
        return gateway_http.json_body(raw) or {"errcode": -1, "errmsg": "no JSON"}


class WechatSubscribeBackend:
    def __init__(self) -> None:
        self.api = WechatApi()
        self.templates = settings.NOTIFICATIONS_WECHAT_TEMPLATES
        self.state = settings.NOTIFICATIONS_WECHAT_MINIPROGRAM_STATE

    def template(self, notification) -> dict:
        key = templates.lookup(notification.event).wechat_key
        spec = self.templates.get(key) or self.templates.get(notification.event)
        if not spec or not spec.get("template_id"):
            raise GatewayConfigurationError(
                f"configuration error: no WeChat template for {key!r} in "
                "NOTIFICATIONS_WECHAT_TEMPLATES"
            )
        return spec

    def payload(self, notification, openid: str) -> dict:
        spec = self.template(notification)
        params = {k: "" if v is None else str(v) for k, v in (notification.params or {}).items()}
        values = {"title": notification.title, "body": notification.body, "url": notification.url}
        data = {}
        for field, source in (spec.get("data") or {}).items():
            if source.startswith("$"):
                value = values.get(source[1:], "")
            elif source in params:
                value = params[source]
            else:
                raise DeliveryRejected(
                    f"WeChat template field {field} needs {source!r}, which the message lacks"
                )
            data[field] = {"value": clip(field, value)}
        payload = {
            "touser": openid,
            "template_id": spec["template_id"],
            "data": data,
            "miniprogram_state": self.state,
            "lang": lang_for(notification.language or settings.LANGUAGE_CODE),
        }
        page = spec.get("page", "")
        if page:
            try:
                payload["page"] = page.format(**params)
            except (KeyError, IndexError):
                payload["page"] = page.split("?")[0]
        return payload

    def send(self, notification, address: str) -> str:
        body = self.api.subscribe_send(self.payload(notification, address))
        code = int(body.get("errcode") or 0)
        if code == 0:
            return str(body.get("msgid", ""))
        text = f"wechat {code}: {body.get('errmsg', '')}"[:450]
        if code == REFUSED:
            raise DeliveryRejected(f"{text} (the user has not subscribed to this message)")
        if code in TRANSIENT:
            raise DeliveryError(text)
        if code in CONFIGURATION or code in TOKEN_INVALID:
            log.error("WeChat refused our subscription message: %s", code)
            raise GatewayConfigurationError(f"configuration error: {text}")
        raise DeliveryRejected(text)

    def find(self, notification, address: str) -> Found | None:
        """WeChat has no query for sent subscription messages; what it does give is the
        ``subscribe_msg_sent_event`` push for each message. A pushed msgid for this openid
        and template, since the message was queued, that no other row claims, is the one a
        dead worker sent. Without the push (not configured, or not arrived yet) the message
        is sent again — and a used-up one-time subscription then refuses it (43101)."""
        from microcourt.notifications.models import Channel, Notification, WechatSentEvent

        template_id = self.template(notification).get("template_id")
        since = notification.send_at or notification.created_at
        taken = Notification.objects.filter(channel=Channel.WECHAT).exclude(provider_ref="")
        event = (
            WechatSentEvent.objects.filter(
                openid=address,
                template_id=template_id,
                created_at__gte=since - dt.timedelta(minutes=1),
            )
            .exclude(msgid__in=taken.values("provider_ref"))
            .order_by("created_at")
            .first()
        )
        return Found(event.msgid, event.created_at) if event else None
