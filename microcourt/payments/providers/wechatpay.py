"""WeChat Pay API v3 (微信支付 APIv3), direct merchant (普通商户) mode.

Implemented from WeChat Pay's published API v3 rules (《微信支付APIv3接口规则》):

- **Request signing** (《签名生成》): SHA256withRSA with the merchant API private key over
  ``METHOD\\nURL\\nTIMESTAMP\\nNONCE\\nBODY\\n`` (URL = path plus ``?query``; body empty
  for GET), sent as ``Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",
  signature="…",timestamp="…",serial_no="…"`` (serial of the merchant API certificate).
- **Response and callback verification** (《签名验证》, 《如何使用微信支付公钥验签》):
  SHA256withRSA over ``TIMESTAMP\\nNONCE\\nBODY\\n`` from ``Wechatpay-Timestamp``,
  ``Wechatpay-Nonce`` and the raw body, signature in ``Wechatpay-Signature`` (base64),
  key chosen by ``Wechatpay-Serial``: a platform certificate serial or a WeChat Pay
  public key ID (``PUB_KEY_ID_…``). A 2xx answer without a valid signature is treated
  as forged, as the rules require; timestamps more than five minutes off are refused.
  WeChat's signature probes (``WECHATPAY/SIGNTEST/…``) fail verification, as they must.
- **Callback decryption** (《证书和回调报文解密》): ``resource`` with ``algorithm``
  ``AEAD_AES_256_GCM``, ``ciphertext`` (base64, tag appended), ``nonce`` and
  ``associated_data``, decrypted with the 32-byte APIv3 key (RFC 5116).
- **Orders**: 《Native下单》 ``POST /v3/pay/transactions/native`` → ``code_url``;
  《H5下单》 ``POST /v3/pay/transactions/h5`` → ``h5_url`` (needs ``scene_info``);
  《JSAPI下单》 ``POST /v3/pay/transactions/jsapi`` → ``prepay_id``, with the
  《JSAPI调起支付》 parameters signed over ``appId\\ntimeStamp\\nnonceStr\\npackage\\n``.
  Amounts are integer fen in ``amount.total`` with ``currency`` ``CNY``.
- **Query**: 《商户订单号查询订单》 ``GET /v3/pay/transactions/out-trade-no/{out_trade_no}
  ?mchid=…``; ``trade_state`` SUCCESS / REFUND / NOTPAY / CLOSED / REVOKED / USERPAYING /
  PAYERROR; 404 ``ORDER_NOT_EXIST``.
- **Refund**: 《退款申请》 ``POST /v3/refund/domestic/refunds`` with ``out_trade_no``,
  ``out_refund_no`` and ``amount`` {refund, total, currency}; ``status`` SUCCESS /
  PROCESSING / CLOSED / ABNORMAL.
- **Callback answer** (《支付成功回调通知》): HTTP 200 (or 204) on success; 4XX/5XX with
  ``{"code": "FAIL", "message": …}`` makes WeChat retry (15s/15s/30s/3m/… over 24 h).

Options (``settings.PAYMENT_PROVIDERS[name]``): ``mchid``, ``appid``, ``private_key`` or
``private_key_file`` (merchant API key, PEM), ``merchant_serial``, ``apiv3_key`` (32
bytes), ``platform_keys`` ({serial or public key ID: PEM public key or certificate}),
``base_url`` (default ``https://api.mch.weixin.qq.com``), ``timeout`` (seconds).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
import secrets
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured

from . import _http, _keys
from .base import (
    CallbackEvent,
    CallbackRejected,
    CallbackStatus,
    Checkout,
    OrderRequest,
    ProviderError,
    QueryResult,
    QueryStatus,
    RefundResult,
    RefundStatus,
    check_timestamp,
    fen_to_yuan,
    lower_headers,
    yuan_to_fen,
)

DEFAULT_BASE_URL = "https://api.mch.weixin.qq.com"
AUTH_SCHEMA = "WECHATPAY2-SHA256-RSA2048"
BEIJING = dt.timezone(dt.timedelta(hours=8))

# 《商户订单号查询订单》 trade_state → ours. REFUND means the order was paid and a refund
# followed: for reconciliation the money arrived (refunds are tracked by refund number).
TRADE_STATES: dict[str, QueryStatus] = {
    "SUCCESS": "paid",
    "REFUND": "paid",
    "NOTPAY": "pending",
    "USERPAYING": "pending",
    "CLOSED": "closed",
    "REVOKED": "closed",
    "PAYERROR": "failed",
}
# The same states as a notification: REFUND there is a paid order's refund notice, which
# changes nothing about the payment.
CALLBACK_STATES: dict[str, CallbackStatus] = {
    "SUCCESS": "paid",
    "REFUND": "paid",
    "NOTPAY": "pending",
    "USERPAYING": "pending",
    "CLOSED": "closed",
    "REVOKED": "closed",
    "PAYERROR": "failed",
}
REFUND_STATES: dict[str, RefundStatus] = {
    "SUCCESS": "succeeded",
    "PROCESSING": "processing",
    "CLOSED": "failed",
    "ABNORMAL": "abnormal",
}


def _rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(BEIJING).isoformat(timespec="seconds")


def _nonce() -> str:
    return secrets.token_hex(16).upper()


class WeChatPayProvider:
    """WeChat Pay API v3 for a direct merchant. See the module docstring for the rules."""

    def __init__(
        self,
        *,
        name: str = "wechatpay",
        mchid: str,
        appid: str,
        merchant_serial: str,
        apiv3_key: str,
        platform_keys: Mapping[str, str],
        private_key: str = "",
        private_key_file: str = "",
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 10.0,
    ) -> None:
        self.name = name
        if not mchid or not appid or not merchant_serial:
            raise ImproperlyConfigured("WeChat Pay needs mchid, appid and merchant_serial")
        self.mchid, self.appid, self.merchant_serial = str(mchid), str(appid), merchant_serial
        key = apiv3_key.encode("utf-8") if isinstance(apiv3_key, str) else b""
        if len(key) != 32:
            raise ImproperlyConfigured("WeChat Pay apiv3_key must be exactly 32 bytes")
        self._aead = AESGCM(key)
        self._private_key = _keys.load_private_key(
            _keys.key_text(private_key, private_key_file, option="private_key"),
            option=f"{name} private_key",
        )
        if not platform_keys:
            raise ImproperlyConfigured(
                "WeChat Pay needs platform_keys: {serial or PUB_KEY_ID_…: PEM}"
            )
        # Keyed by the upper-cased serial: a certificate serial is a hexadecimal number, and
        # WeChat's own SDKs compare it whatever the case of its letters (WeChat sends upper
        # case; a merchant's configuration copied from openssl is often lower case).
        self._platform: dict[str, tuple[rsa.RSAPublicKey, dt.datetime | None]] = {
            str(serial).strip().upper(): _keys.load_public_key(
                pem, option=f"{name} platform_keys[{serial}]"
            )
            for serial, pem in platform_keys.items()
        }
        self.base_url = _http.check_url(base_url, option=f"{name} base_url", allow_path=False)
        self.timeout = float(timeout)
        if not self.timeout > 0:
            raise ImproperlyConfigured("WeChat Pay timeout must be > 0 seconds")

    def __repr__(self) -> str:  # never show keys, e.g. in a traceback's locals
        return f"<WeChatPayProvider {self.name} mchid={self.mchid}>"

    # ------------------------------------------------------------------ signing

    def authorization(
        self, method: str, url_path: str, body: str, *, timestamp: int, nonce: str
    ) -> str:
        """The ``Authorization`` header for one request (《签名生成》)."""
        message = f"{method}\n{url_path}\n{timestamp}\n{nonce}\n{body}\n"
        signature = _keys.sign(self._private_key, message.encode("utf-8"))
        return (
            f'{AUTH_SCHEMA} mchid="{self.mchid}",nonce_str="{nonce}",'
            f'signature="{signature}",timestamp="{timestamp}",serial_no="{self.merchant_serial}"'
        )

    def _verify(self, headers: Mapping[str, str], body: bytes) -> str | None:
        """Check a WeChat signature over ``body``; the reason it fails, or None."""
        names = lower_headers(headers)
        timestamp = names.get("wechatpay-timestamp", "")
        nonce = names.get("wechatpay-nonce", "")
        signature = names.get("wechatpay-signature", "")
        serial = names.get("wechatpay-serial", "")
        if not (timestamp and nonce and signature and serial):
            return "missing Wechatpay-Timestamp/Nonce/Signature/Serial headers"
        kind = names.get("wechatpay-signature-type", AUTH_SCHEMA)
        if kind != AUTH_SCHEMA:
            return f"unsupported signature type {kind[:40]!r}"
        try:
            check_timestamp(timestamp)
        except CallbackRejected as exc:
            return exc.reason
        found = self._platform.get(serial.strip().upper())
        if found is None:
            return f"unknown Wechatpay-Serial {serial[:64]!r}"
        key, not_after = found
        if not_after is not None and dt.datetime.now(dt.UTC) > not_after:
            return f"platform certificate {serial[:64]} expired {not_after:%Y-%m-%d}"
        message = timestamp.encode() + b"\n" + nonce.encode("utf-8") + b"\n" + body + b"\n"
        if not _keys.verify(key, message, signature):
            return "bad signature"
        return None

    # ------------------------------------------------------------------ HTTP

    def _call(
        self, method: str, path: str, payload: dict[str, Any] | None = None
    ) -> _http.Response:
        body = (
            ""
            if payload is None
            else json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        )
        timestamp, nonce = int(time.time()), _nonce()
        headers = {
            "Authorization": self.authorization(
                method, path, body, timestamp=timestamp, nonce=nonce
            ),
            "Accept": "application/json",
            "User-Agent": "microcourt-wechatpay/1",
        }
        if payload is not None:
            headers["Content-Type"] = "application/json"
        return _http.send(
            method,
            self.base_url + path,
            body=body.encode("utf-8") if payload is not None else None,
            headers=headers,
            timeout=self.timeout,
        )

    def _answer(
        self, response: _http.Response, *, what: str, accept: tuple[int, ...] = ()
    ) -> dict[str, Any]:
        """The verified JSON of a 2xx answer (or of a status in ``accept``); any other
        status raises :class:`ProviderError` with WeChat's ``code`` and ``message``."""
        if 200 <= response.status < 300 or response.status in accept:
            problem = self._verify(response.headers, response.body)
            if problem is not None:
                raise ProviderError("BAD_SIGNATURE", f"{what}: answer not trusted: {problem}")
            try:
                data = json.loads(response.body or b"{}")
            except ValueError:
                raise ProviderError("BAD_RESPONSE", f"{what}: answer is not JSON") from None
            if not isinstance(data, dict):
                raise ProviderError("BAD_RESPONSE", f"{what}: answer is not a JSON object")
            return data
        code, message = f"HTTP_{response.status}", response.body[:200].decode("utf-8", "replace")
        try:
            error = json.loads(response.body)
            if isinstance(error, dict):
                code = str(error.get("code") or code)
                message = str(error.get("message") or message)
        except ValueError:
            pass
        # 5xx and rate limits may pass; a 4xx refusal will not change on retry.
        retryable = response.status >= 500 or response.status == 429
        raise ProviderError(code, f"{what}: {message}", retryable=retryable)

    # ------------------------------------------------------------------ create

    def create(self, order: OrderRequest) -> Checkout:
        """Native by default (a QR ``code_url``); JSAPI when the payer is inside WeChat
        (``payer.openid``); H5 for a phone browser (``payer.mobile``, needs
        ``payer.client_ip``)."""
        payload: dict[str, Any] = {
            "appid": self.appid,
            "mchid": self.mchid,
            "description": order.description.strip()[:127],
            "out_trade_no": order.out_trade_no,
            "notify_url": order.notify_url,
            "amount": {"total": yuan_to_fen(order.amount), "currency": "CNY"},
        }
        if order.expires_at is not None:
            payload["time_expire"] = _rfc3339(order.expires_at)
        if order.payer.openid:
            payload["payer"] = {"openid": order.payer.openid}
            data = self._answer(
                self._call("POST", "/v3/pay/transactions/jsapi", payload), what="JSAPI order"
            )
            prepay_id = str(data.get("prepay_id") or "")
            if not prepay_id:
                raise ProviderError("BAD_RESPONSE", "JSAPI order: no prepay_id in the answer")
            return Checkout(
                kind="jsapi",
                jsapi_params=self.jsapi_params(prepay_id),
                provider_reference=prepay_id,
            )
        if order.payer.mobile:
            if not order.payer.client_ip:
                raise ProviderError("PARAM_ERROR", "H5 order: the payer's client_ip is required")
            payload["scene_info"] = {
                "payer_client_ip": order.payer.client_ip,
                "h5_info": {"type": "Wap"},
            }
            data = self._answer(
                self._call("POST", "/v3/pay/transactions/h5", payload), what="H5 order"
            )
            h5_url = str(data.get("h5_url") or "")
            if not h5_url.startswith("https://"):
                raise ProviderError("BAD_RESPONSE", "H5 order: no https h5_url in the answer")
            if order.return_url:
                # 《H5调起支付》: where WeChat sends the payer back, URL-encoded.
                h5_url += "&redirect_url=" + quote(order.return_url, safe="")
            return Checkout(kind="redirect", redirect_url=h5_url)
        data = self._answer(
            self._call("POST", "/v3/pay/transactions/native", payload), what="Native order"
        )
        code_url = str(data.get("code_url") or "")
        if not code_url:
            raise ProviderError("BAD_RESPONSE", "Native order: no code_url in the answer")
        return Checkout(kind="qr", code_url=code_url)

    def jsapi_params(
        self, prepay_id: str, *, timestamp: int | None = None, nonce: str | None = None
    ) -> dict[str, str]:
        """《JSAPI调起支付》: parameters for ``getBrandWCPayRequest``, ``paySign`` being
        SHA256withRSA with the merchant key over ``appId\\ntimeStamp\\nnonceStr\\npackage\\n``."""
        params = {
            "appId": self.appid,
            "timeStamp": str(timestamp if timestamp is not None else int(time.time())),
            "nonceStr": nonce or _nonce(),
            "package": f"prepay_id={prepay_id}",
            "signType": "RSA",
        }
        message = (
            f"{params['appId']}\n{params['timeStamp']}\n{params['nonceStr']}\n{params['package']}\n"
        )
        params["paySign"] = _keys.sign(self._private_key, message.encode("utf-8"))
        return params

    # ------------------------------------------------------------------ callbacks

    def parse_callback(self, headers: Mapping[str, str], body: bytes) -> CallbackEvent:
        problem = self._verify(headers, body)
        if problem is not None:
            raise CallbackRejected(problem)
        try:
            notice = json.loads(body)
        except ValueError:
            raise CallbackRejected("body is not JSON") from None
        if not isinstance(notice, dict) or not isinstance(notice.get("resource"), dict):
            raise CallbackRejected("no resource in the notification")
        resource = notice["resource"]
        if resource.get("original_type", "transaction") != "transaction":
            raise CallbackRejected(
                f"not a payment notification ({str(resource.get('original_type'))[:20]}); "
                "refund notifications are not handled by this endpoint"
            )
        transaction = self._decrypt(resource)
        if str(transaction.get("mchid", "")) != self.mchid:
            raise CallbackRejected("notification for another merchant (mchid)")
        if "appid" in transaction and str(transaction["appid"]) != self.appid:
            raise CallbackRejected("notification for another app (appid)")
        try:
            result = self._transaction(transaction)
        except (KeyError, TypeError, ValueError) as exc:
            raise CallbackRejected(f"malformed transaction: {exc}") from None
        status = CALLBACK_STATES[str(transaction["trade_state"])]
        paid_at = result.paid_at
        if status == "paid" and paid_at is None:
            paid_at = _parse_time(str(notice.get("create_time", "")))
            if paid_at is None:
                raise CallbackRejected("paid notification without a payment time")
        raw = dict(notice)
        raw["resource"] = {k: v for k, v in resource.items() if k != "ciphertext"}
        raw["transaction"] = transaction
        return CallbackEvent(
            out_trade_no=result.out_trade_no,
            provider_trade_no=result.provider_trade_no,
            status=status,
            amount=result.amount if result.amount is not None else Decimal("0.00"),
            paid_at=paid_at if status == "paid" else None,
            raw=raw,
        )

    def _decrypt(self, resource: Mapping[str, Any]) -> dict[str, Any]:
        if resource.get("algorithm") != "AEAD_AES_256_GCM":
            raise CallbackRejected(f"unsupported algorithm {str(resource.get('algorithm'))[:30]!r}")
        try:
            ciphertext = base64.b64decode(str(resource["ciphertext"]), validate=True)
            nonce = str(resource["nonce"]).encode("utf-8")
            associated = str(resource.get("associated_data") or "").encode("utf-8")
            plain = self._aead.decrypt(nonce, ciphertext, associated)
            data = json.loads(plain)
        except (KeyError, binascii.Error, ValueError, InvalidTag):
            raise CallbackRejected("resource does not decrypt under the APIv3 key") from None
        if not isinstance(data, dict):
            raise CallbackRejected("decrypted resource is not a JSON object")
        return data

    def _transaction(self, data: Mapping[str, Any]) -> QueryResult:
        """A transaction object (callback resource or query answer) → our terms."""
        state = str(data["trade_state"])
        status = TRADE_STATES.get(state)
        if status is None:
            raise ValueError(f"unknown trade_state {state[:20]!r}")
        amount_block = data.get("amount") or {}
        currency = amount_block.get("currency", "CNY")
        if currency != "CNY":
            raise ValueError(f"currency {str(currency)[:8]!r} is not CNY")
        total = amount_block.get("total")
        amount = fen_to_yuan(total) if total is not None else None
        if status == "paid" and amount is None:
            raise ValueError("paid without amount.total")
        out_trade_no = str(data["out_trade_no"])
        paid_at = _parse_time(str(data.get("success_time", ""))) if status == "paid" else None
        return QueryResult(
            out_trade_no=out_trade_no,
            status=status,
            provider_trade_no=str(data.get("transaction_id") or ""),
            amount=amount,
            paid_at=paid_at,
            raw=dict(data),
        )

    def callback_response(self, ok: bool, message: str = "") -> tuple[int, str, bytes]:
        if ok:
            return 200, "application/json", b'{"code":"SUCCESS"}'
        body = json.dumps({"code": "FAIL", "message": message or "失败"}, ensure_ascii=False)
        return 400, "application/json", body.encode("utf-8")

    # ------------------------------------------------------------------ query, refund

    def query(self, out_trade_no: str) -> QueryResult:
        path = f"/v3/pay/transactions/out-trade-no/{quote(out_trade_no, safe='')}?" + urlencode(
            {"mchid": self.mchid}
        )
        response = self._call("GET", path)
        data = self._answer(response, what="order query", accept=(404,))
        if response.status == 404:
            if data.get("code") == "ORDER_NOT_EXIST":
                return QueryResult(out_trade_no=out_trade_no, status="not_found", raw=data)
            raise ProviderError(
                str(data.get("code") or "HTTP_404"), f"order query: {data.get('message', '')}"
            )
        try:
            result = self._transaction(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise ProviderError("BAD_RESPONSE", f"order query: {exc}") from None
        if result.out_trade_no != out_trade_no or str(data.get("mchid", self.mchid)) != self.mchid:
            raise ProviderError("BAD_RESPONSE", "order query: answer is about another order")
        return result

    def refund(
        self, out_trade_no: str, refund_no: str, amount: Decimal, total: Decimal
    ) -> RefundResult:
        refund_fen, total_fen = yuan_to_fen(amount), yuan_to_fen(total)
        if not 0 < refund_fen <= total_fen:
            raise ProviderError("PARAM_ERROR", "refund: amount must be within (0, total]")
        payload = {
            "out_trade_no": out_trade_no,
            "out_refund_no": refund_no,
            "amount": {"refund": refund_fen, "total": total_fen, "currency": "CNY"},
        }
        data = self._answer(
            self._call("POST", "/v3/refund/domestic/refunds", payload), what="refund"
        )
        state = str(data.get("status", ""))
        status = REFUND_STATES.get(state)
        if status is None:
            raise ProviderError("BAD_RESPONSE", f"refund: unknown status {state[:20]!r}")
        if str(data.get("out_refund_no", refund_no)) != refund_no:
            raise ProviderError("BAD_RESPONSE", "refund: answer is about another refund")
        refunded = (data.get("amount") or {}).get("refund", refund_fen)
        return RefundResult(
            refund_no=refund_no,
            status=status,
            amount=fen_to_yuan(refunded),
            provider_refund_no=str(data.get("refund_id") or ""),
            raw=data,
        )


def _parse_time(text: str) -> dt.datetime | None:
    """RFC 3339 as WeChat writes it (``2018-06-08T10:34:56+08:00``); aware, or None."""
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)", text):
        return None
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo is not None else None
