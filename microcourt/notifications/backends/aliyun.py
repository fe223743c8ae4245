"""阿里云短信服务 (Dysmsapi, API version 2017-05-25) over its RPC API, signed as Aliyun
documents it (signature version 1.0):

- common parameters Format, Version, AccessKeyId, SignatureMethod=HMAC-SHA1,
  SignatureVersion=1.0, SignatureNonce (unique per request), Timestamp (ISO 8601, UTC);
- every name and value percent-encoded as RFC 3986 unreserved characters (A-Z a-z 0-9 - _ .
  ~ stay, space is %20, * is %2A), sorted by name, joined as name=value with &;
- StringToSign = "POST" & percentEncode("/") & percentEncode(that canonical query);
- Signature = Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign)).

SendSms sends one approved template (TemplateCode) under an approved signature (SignName)
with its variables (TemplateParam, JSON); OutId carries the outbox row's id for the
message, so QuerySendDetails (by number and date) can tell whether a message a dead
worker was sending got through, and the status report (SmsReport) names the row.
Settings: ``NOTIFICATIONS_ALIYUN_*`` (docs/notifications.md)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import uuid
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from microcourt.notifications import templates

from . import (
    DeliveryError,
    DeliveryRejected,
    DeliveryUncertain,
    Found,
    GatewayConfigurationError,
    national,
)
from . import http as gateway_http

log = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")
API_VERSION = "2017-05-25"

# Codes a later attempt may get past: throttling, the platform's own faults, an empty
# balance (topped up), a nonce collision.
TRANSIENT = {
    "isp.SYSTEM_ERROR",
    "isp.GATEWAY_ERROR",
    "isv.BUSINESS_LIMIT_CONTROL",
    "isv.DAY_LIMIT_CONTROL",
    "isv.AMOUNT_NOT_ENOUGH",
    "SignatureNonceUsed",
    "InvalidTimeStamp.Expired",
    "ServiceUnavailable",
    "InternalError",
}
# Our configuration is wrong: failing at once makes an operator look, retrying would not.
CONFIGURATION = {
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "InvalidAccessKeyId.NotFound",
    "InvalidAccessKeyId.Inactive",
    "InvalidVersion",
    "InvalidAction.NotFound",
    "MissingParameter",
    "Forbidden.RAM",
    "isp.RAM_PERMISSION_DENY",
    "isv.ACCOUNT_NOT_EXISTS",
    "isv.ACCOUNT_ABNORMAL",
    "isv.PRODUCT_UN_SUBSCRIPT",
    "isv.PRODUCT_UNSUBSCRIBE",
    "isv.OUT_OF_SERVICE",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.SMS_SIGN_ILLEGAL",
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.TEMPLATE_PARAMS_ILLEGAL",
    "isv.INVALID_PARAMETERS",
    "isv.INVALID_JSON_PARAM",
    "isv.DENY_IP_RANGE",
}


def percent_encode(value: str) -> str:
    return quote(str(value), safe="~")


def string_to_sign(params: dict[str, str], method: str = "POST") -> str:
    canonical = "&".join(
        f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items())
    )
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"


def signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    digest = hmac.new(
        (secret + "&").encode(), string_to_sign(params, method).encode(), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode()


def classify(code: str, message: str) -> Exception:
    text = f"aliyun {code}: {message}"[:450]
    if code in TRANSIENT or code.startswith("Throttling"):
        return DeliveryError(text)
    if code in CONFIGURATION:
        return GatewayConfigurationError(f"configuration error: {text}")
    if code.startswith("isp."):
        return DeliveryError(text)
    return DeliveryRejected(text)


class AliyunSmsBackend:
    def __init__(self) -> None:
        self.endpoint = settings.NOTIFICATIONS_ALIYUN_ENDPOINT
        self.key_id = settings.NOTIFICATIONS_ALIYUN_ACCESS_KEY_ID
        self.secret = settings.NOTIFICATIONS_ALIYUN_ACCESS_KEY_SECRET
        self.sign_name = settings.NOTIFICATIONS_ALIYUN_SIGN_NAME
        self.region = settings.NOTIFICATIONS_ALIYUN_REGION
        self.templates = settings.NOTIFICATIONS_ALIYUN_TEMPLATES
        self.timeout = settings.NOTIFICATIONS_ALIYUN_TIMEOUT

    # -- the RPC call ----------------------------------------------------------------------
    def signed(self, action: str, params: dict[str, str]) -> dict[str, str]:
        full = {
            "Action": action,
            "Version": API_VERSION,
            "Format": "JSON",
            "RegionId": self.region,
            "AccessKeyId": self.key_id,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
            "SignatureNonce": uuid.uuid4().hex,
            "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            **params,
        }
        full["Signature"] = signature(full, self.secret)
        return full

    def call(self, action: str, params: dict[str, str], *, idempotent: bool) -> dict:
        if not (self.key_id and self.secret):
            raise GatewayConfigurationError(
                "configuration error: NOTIFICATIONS_ALIYUN_ACCESS_KEY_ID/SECRET are not set"
            )
        try:
            status, raw = gateway_http.post_form(
                self.endpoint, self.signed(action, params), timeout=self.timeout
            )
        except gateway_http.NotSent as exc:
            raise DeliveryError(f"aliyun unreachable: {exc}") from exc
        except gateway_http.MaybeSent as exc:
            if idempotent:
                raise DeliveryError(f"aliyun {action}: {exc}") from exc
            raise DeliveryUncertain(f"aliyun {action}, no answer: {exc}") from exc
        body = gateway_http.json_body(raw)
        if body is None:
            if status >= 500:
                raise (DeliveryError if idempotent else DeliveryUncertain)(
                    f"aliyun {action}: HTTP {status}"
                )
            raise GatewayConfigurationError(
                f"configuration error: aliyun {action} answered HTTP {status} without JSON "
                "(is NOTIFICATIONS_ALIYUN_ENDPOINT right?)"
            )
        code = str(body.get("Code", ""))
        if code != "OK":
            error = classify(code, str(body.get("Message", "")))
            if isinstance(error, GatewayConfigurationError):
                # The message, not the number, goes to the log: personal data stays out.
                log.error("Aliyun SMS %s refused our request: %s", action, code)
            raise error
        return body

    # -- what the outbox uses ----------------------------------------------------------------
    def template(self, notification) -> tuple[str, dict[str, str]]:
        key = templates.lookup(notification.event).sms_key
        spec = self.templates.get(key) or self.templates.get(notification.event)
        if not spec:
            raise GatewayConfigurationError(
                f"configuration error: no approved SMS template for {key!r} in "
                "NOTIFICATIONS_ALIYUN_TEMPLATES"
            )
        params = notification.params or {}
        if isinstance(spec, str):
            return spec, {k: str(v) for k, v in params.items() if v is not None}
        mapping = spec.get("params")
        if mapping is None:
            values = {k: str(v) for k, v in params.items() if v is not None}
        else:
            values = {}
            for variable, source in mapping.items():
                value = _source(notification, source)
                if value is None:
                    raise DeliveryRejected(
                        f"SMS template {key!r} needs {source!r}, which the message lacks"
                    )
                values[variable] = value
        return spec["code"], values

    def send(self, notification, address: str) -> str:
        code, values = self.template(notification)
        body = self.call(
            "SendSms",
            {
                "PhoneNumbers": national(address),
                "SignName": self.sign_name,
                "TemplateCode": code,
                "TemplateParam": json.dumps(values, ensure_ascii=False, separators=(",", ":")),
                "OutId": notification.out_id,
            },
            idempotent=False,
        )
        return str(body.get("BizId", ""))

    def find(self, notification, address: str) -> Found | None:
        """QuerySendDetails for the number on each day the message may have gone out
        (newest first; the API keeps 30 days), looking for its OutId. The answer has no
        BizId: the reference becomes ``out:<OutId>`` until the status report brings it."""
        today = timezone.now().astimezone(SHANGHAI).date()
        earliest = max(notification.created_at, notification.send_at or notification.created_at)
        first = max(earliest.astimezone(SHANGHAI).date(), today - dt.timedelta(days=29))
        day = today
        while day >= first:
            page = 1
            while True:
                body = self.call(
                    "QuerySendDetails",
                    {
                        "PhoneNumber": national(address),
                        "SendDate": day.strftime("%Y%m%d"),
                        "PageSize": "50",
                        "CurrentPage": str(page),
                    },
                    idempotent=True,
                )
                details = (body.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
                for detail in details:
                    if detail.get("OutId") == notification.out_id:
                        return Found(f"out:{notification.out_id}", _when(detail.get("SendDate")))
                if page * 50 >= int(body.get("TotalCount") or 0) or not details:
                    break
                page += 1
            day -= dt.timedelta(days=1)
        return None


def _source(notification, source: str) -> str | None:
    """A template variable's value: a param name, or $title / $body / $url."""
    if source.startswith("$"):
        value = getattr(notification, source[1:], None)
    else:
        value = (notification.params or {}).get(source)
    return None if value is None else str(value)


def _when(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)
    except ValueError:
        return None
