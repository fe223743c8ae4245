"""Alipay open platform (支付宝开放平台), public-key mode with ``RSA2`` signatures.

Implemented from Alipay's published rules:

- **Request signing** (《自行实现签名》/《签名》): every request parameter except ``sign``
  whose value is not empty, sorted by name (ASCII), joined as ``k=v&k=v`` without URL
  encoding, signed SHA256withRSA (``sign_type=RSA2``) with the application private key,
  base64 in ``sign``. Public parameters: ``app_id``, ``method``, ``format=JSON``,
  ``charset=utf-8``, ``sign_type``, ``timestamp`` (``yyyy-MM-dd HH:mm:ss``, Beijing
  time), ``version=1.0``, ``notify_url``/``return_url`` where used, ``biz_content`` (JSON).
- **Payment**: 《电脑网站支付》 ``alipay.trade.page.pay`` (``product_code``
  ``FAST_INSTANT_TRADE_PAY``) and 《手机网站支付》 ``alipay.trade.wap.pay``
  (``QUICK_WAP_WAY``): the browser is sent to the gateway with the signed parameters,
  by an auto-submitting form (POST) or a URL (GET).
- **Asynchronous notification** (《异步通知说明》, 《异步通知验签》): a form-encoded POST;
  verification removes ``sign`` and ``sign_type``, sorts the rest — empty values included
  (``body=``) — and joins ``k=v`` with ``&`` (values URL-decoded), then checks ``sign``
  (SHA256withRSA) with the Alipay public key: :func:`check_content`, as Alipay's SDK
  (``AlipaySignature.getSignCheckContentV1``) and python-alipay-sdk (``AliPay.verify``) do.
  Dropping the empty ones, as request signing does, would refuse genuine notifications. The
  merchant checks ``app_id`` (and ``seller_id``) are its own and answers the plain text
  ``success`` — anything else makes Alipay resend (up to 8 times over 25 hours).
  ``trade_status``: ``WAIT_BUYER_PAY``, ``TRADE_CLOSED``, ``TRADE_SUCCESS``,
  ``TRADE_FINISHED``; ``total_amount`` is decimal yuan.
- **Synchronous answers** (《同步返回验签》): the answer is
  ``{"<method with _>_response": {…}, "sign": "…"}``; the signature is over the exact
  characters of the ``…_response`` value as sent (never re-serialised JSON). ``code``
  ``10000`` is success; 《统一收单交易查询》 ``alipay.trade.query`` answers ``40004`` /
  ``ACQ.TRADE_NOT_EXIST`` for an unknown order; 《统一收单交易退款接口》
  ``alipay.trade.refund`` takes ``refund_amount`` and ``out_request_no`` (the refund
  number: the same number twice refunds once) and answers ``fund_change``.

Alipay notifications carry no freshness guarantee the merchant can check (a resend
repeats the same trade facts), so unlike WeChat there is no time window: a replayed
genuine notification is harmless because settling is idempotent.

Options: ``app_id``, ``private_key`` or ``private_key_file`` (application private key,
PEM or Alipay's bare base64), ``alipay_public_key`` (PEM or bare base64), ``gateway``
(default ``https://openapi.alipay.com/gateway.do``), ``seller_id`` (optional, checked on
notifications), ``sign_type`` (``RSA2`` only), ``timeout`` (seconds).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode

from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured
from django.utils.html import escape
from django.utils.translation import gettext

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
    format_yuan,
    parse_yuan,
)

DEFAULT_GATEWAY = "https://openapi.alipay.com/gateway.do"
BEIJING = dt.timezone(dt.timedelta(hours=8))
TRADE_STATUS: dict[str, CallbackStatus] = {
    "WAIT_BUYER_PAY": "pending",
    "TRADE_CLOSED": "closed",
    "TRADE_SUCCESS": "paid",
    "TRADE_FINISHED": "paid",
}
_CHARSETS = {"utf-8": "utf-8", "utf8": "utf-8", "gbk": "gbk", "gb2312": "gbk", "gb18030": "gb18030"}


def sign_content(params: Mapping[str, str], *, exclude: tuple[str, ...] = ("sign",)) -> str:
    """The string Alipay signs: non-empty parameters except ``exclude``, sorted, ``k=v&…``."""
    return "&".join(
        f"{key}={params[key]}" for key in sorted(params) if key not in exclude and params[key] != ""
    )


def check_content(params: Mapping[str, str]) -> str:
    """The string Alipay signed in a notification: every parameter except ``sign`` and
    ``sign_type``, empty values included, sorted by name, ``k=v&…`` (《异步通知验签》)."""
    return "&".join(
        f"{key}={params[key]}" for key in sorted(params) if key not in ("sign", "sign_type")
    )


def _beijing(moment: dt.datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def _parse_beijing(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError:
        return None


def response_members(text: str) -> dict[str, str]:
    """The raw text of each top-level member's value of a JSON object, exactly as sent:
    Alipay signs the characters of ``…_response``, so it must not be re-serialised."""
    decoder = json.JSONDecoder()
    length = len(text)

    def skip(i: int) -> int:
        while i < length and text[i] in " \t\r\n":
            i += 1
        return i

    i = skip(0)
    if i >= length or text[i] != "{":
        raise ValueError("not a JSON object")
    members: dict[str, str] = {}
    i = skip(i + 1)
    if i < length and text[i] == "}":
        return members
    while True:
        if i >= length or text[i] != '"':
            raise ValueError("expected a member name")
        key, i = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
        i = skip(i)
        if i >= length or text[i] != ":":
            raise ValueError("expected ':'")
        i = skip(i + 1)
        _value, end = decoder.raw_decode(text, i)
        if key in members:
            raise ValueError(f"duplicate member {key!r}")
        members[key] = text[i:end]
        i = skip(end)
        if i < length and text[i] == ",":
            i = skip(i + 1)
            continue
        if i < length and text[i] == "}":
            i += 1
            break
        raise ValueError("expected ',' or '}'")
    if skip(i) != length:
        raise ValueError("trailing characters after the object")
    return members


class AlipayProvider:
    """Alipay (RSA2, public-key mode). See the module docstring for the rules."""

    def __init__(
        self,
        *,
        name: str = "alipay",
        app_id: str,
        alipay_public_key: str,
        private_key: str = "",
        private_key_file: str = "",
        gateway: str = DEFAULT_GATEWAY,
        seller_id: str = "",
        sign_type: str = "RSA2",
        timeout: float = 10.0,
    ) -> None:
        self.name = name
        if not app_id:
            raise ImproperlyConfigured("Alipay needs app_id")
        if sign_type != "RSA2":
            # RSA (SHA1withRSA) is deprecated by Alipay and too weak for money.
            raise ImproperlyConfigured("Alipay sign_type must be RSA2")
        self.app_id, self.seller_id, self.sign_type = str(app_id), str(seller_id), sign_type
        self._private_key = _keys.load_private_key(
            _keys.key_text(private_key, private_key_file, option="private_key"),
            option=f"{name} private_key",
        )
        self._alipay_key: rsa.RSAPublicKey = _keys.load_public_key(
            alipay_public_key, option=f"{name} alipay_public_key"
        )[0]
        self.gateway = _http.check_url(gateway, option=f"{name} gateway")
        self.timeout = float(timeout)
        if not self.timeout > 0:
            raise ImproperlyConfigured("Alipay timeout must be > 0 seconds")

    def __repr__(self) -> str:  # never show keys, e.g. in a traceback's locals
        return f"<AlipayProvider {self.name} app_id={self.app_id}>"

    # ------------------------------------------------------------------ signing

    def signed_params(
        self, method: str, biz_content: Mapping[str, Any], **extra: str
    ) -> dict[str, str]:
        """Public parameters plus ``biz_content`` and ``extra`` (notify_url, return_url),
        with ``sign``."""
        params = {
            "app_id": self.app_id,
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": self.sign_type,
            "timestamp": _beijing(dt.datetime.now(dt.UTC)),
            "version": "1.0",
            "biz_content": json.dumps(biz_content, ensure_ascii=False, separators=(",", ":")),
            **{key: value for key, value in extra.items() if value},
        }
        params["sign"] = _keys.sign(self._private_key, sign_content(params).encode("utf-8"))
        return params

    # ------------------------------------------------------------------ create

    def create(self, order: OrderRequest) -> Checkout:
        """Page pay on a desktop browser, wap pay on a phone (``payer.mobile``)."""
        mobile = order.payer.mobile
        biz: dict[str, Any] = {
            "out_trade_no": order.out_trade_no,
            "total_amount": format_yuan(order.amount),
            "subject": order.description.strip()[:256],
            "product_code": "QUICK_WAP_WAY" if mobile else "FAST_INSTANT_TRADE_PAY",
        }
        if order.expires_at is not None:
            biz["time_expire"] = _beijing(order.expires_at)
        if mobile and order.return_url:
            biz["quit_url"] = order.return_url  # where the payer lands on giving up
        params = self.signed_params(
            "alipay.trade.wap.pay" if mobile else "alipay.trade.page.pay",
            biz,
            notify_url=order.notify_url,
            return_url=order.return_url,
        )
        action = f"{self.gateway}?charset=utf-8"
        inputs = "".join(
            f'<input type="hidden" name="{escape(key)}" value="{escape(value)}">'
            for key, value in params.items()
        )
        label = escape(gettext("前往支付宝付款"))
        html = (
            '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{label}</title></head><body>"
            f'<form id="alipay" method="post" action="{escape(action)}">{inputs}'
            f'<button type="submit">{label}</button></form>'
            "<script>document.getElementById('alipay').submit();</script>"
            "</body></html>"
        )
        return Checkout(
            kind="form",
            form_html=html,
            redirect_url=f"{self.gateway}?{urlencode(params)}",
        )

    # ------------------------------------------------------------------ callbacks

    def parse_callback(self, headers: Mapping[str, str], body: bytes) -> CallbackEvent:
        params = self._notification_params(body)
        signature = params.get("sign", "")
        if not signature:
            raise CallbackRejected("no sign in the notification")
        if params.get("sign_type", "RSA2") != "RSA2":
            raise CallbackRejected(f"sign_type {params.get('sign_type', '')[:10]!r} is not RSA2")
        charset = _CHARSETS.get(params.get("charset", "utf-8").lower(), "utf-8")
        content = check_content(params).encode(charset)
        if not _keys.verify(self._alipay_key, content, signature):
            raise CallbackRejected("bad signature")
        if params.get("app_id") != self.app_id:
            raise CallbackRejected("notification for another app (app_id)")
        if self.seller_id and params.get("seller_id") != self.seller_id:
            raise CallbackRejected("notification for another seller (seller_id)")
        state = params.get("trade_status", "")
        status = TRADE_STATUS.get(state)
        if status is None:
            raise CallbackRejected(f"unknown trade_status {state[:24]!r}")
        try:
            amount = parse_yuan(params.get("total_amount", ""))
            refunded = parse_yuan(params["refund_fee"]) if params.get("refund_fee") else None
        except ValueError as exc:
            raise CallbackRejected(f"malformed amount: {exc}") from None
        out_trade_no, trade_no = params.get("out_trade_no", ""), params.get("trade_no", "")
        if not out_trade_no or not trade_no:
            raise CallbackRejected("notification without out_trade_no or trade_no")
        paid_at = None
        if status == "paid":
            paid_at = _parse_beijing(params.get("gmt_payment", "")) or _parse_beijing(
                params.get("notify_time", "")
            )
            if paid_at is None:
                raise CallbackRejected("paid notification without gmt_payment")
        return CallbackEvent(
            out_trade_no=out_trade_no,
            provider_trade_no=trade_no,
            status=status,
            amount=amount,
            paid_at=paid_at,
            raw={key: value for key, value in params.items() if key != "sign"},
            refunded_amount=refunded,
        )

    @staticmethod
    def _notification_params(body: bytes) -> dict[str, str]:
        try:
            text = body.decode("ascii")
        except UnicodeDecodeError:
            raise CallbackRejected("notification body is not form-encoded ASCII") from None
        if not text.strip():
            raise CallbackRejected("empty notification")

        def parse(encoding: str) -> dict[str, str]:
            pairs = parse_qsl(
                text,
                keep_blank_values=True,
                strict_parsing=True,
                encoding=encoding,
                errors="strict",
            )
            params: dict[str, str] = {}
            for key, value in pairs:
                if key in params:
                    raise CallbackRejected(f"parameter {key[:30]!r} given twice")
                params[key] = value
            return params

        try:
            params = parse("utf-8")
            charset = _CHARSETS.get(params.get("charset", "utf-8").lower())
            if charset is None:
                raise CallbackRejected(f"unsupported charset {params['charset'][:16]!r}")
            if charset != "utf-8":
                params = parse(charset)
        except (ValueError, UnicodeDecodeError):
            raise CallbackRejected("malformed form-encoded notification") from None
        return params

    def callback_response(self, ok: bool, message: str = "") -> tuple[int, str, bytes]:
        # Alipay looks only at the body: exactly "success" stops the resending.
        if ok:
            return 200, "text/plain; charset=utf-8", b"success"
        return 400, "text/plain; charset=utf-8", b"fail"

    # ------------------------------------------------------------------ gateway calls

    def _call(self, method: str, biz: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """POST one API call; (the verified ``…_response`` object, the whole answer)."""
        params = self.signed_params(method, biz)
        response = _http.send(
            "POST",
            f"{self.gateway}?charset=utf-8",
            body=urlencode(params).encode("ascii"),
            headers={
                "Content-Type": "application/x-www-form-urlencoded;charset=utf-8",
                "Accept": "application/json",
                "User-Agent": "microcourt-alipay/1",
            },
            timeout=self.timeout,
        )
        if response.status != 200:
            raise ProviderError(
                f"HTTP_{response.status}",
                f"{method}: gateway answered {response.status}",
                retryable=response.status >= 500 or response.status == 429,
            )
        key = method.replace(".", "_") + "_response"
        try:
            text = response.body.decode("utf-8")
            members = response_members(text)
            answer = json.loads(members[key])
            signature = json.loads(members["sign"]) if "sign" in members else ""
        except (UnicodeDecodeError, ValueError, KeyError):
            raise ProviderError("BAD_RESPONSE", f"{method}: not an Alipay answer") from None
        if not isinstance(answer, dict) or not isinstance(signature, str):
            raise ProviderError("BAD_RESPONSE", f"{method}: not an Alipay answer")
        code = str(answer.get("code", ""))
        trusted = bool(signature) and _keys.verify(
            self._alipay_key, members[key].encode("utf-8"), signature
        )
        if signature and not trusted:
            raise ProviderError("BAD_SIGNATURE", f"{method}: answer signature does not verify")
        if code == "10000" or answer.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
            if not trusted:
                # A success (or "no such trade") we would act on must be signed.
                raise ProviderError("BAD_SIGNATURE", f"{method}: answer is not signed")
            return answer, json.loads(text)
        sub_code = str(answer.get("sub_code") or code or "UNKNOWN")
        message = str(answer.get("sub_msg") or answer.get("msg") or "")
        # 20000 (service unavailable) and ACQ.SYSTEM_ERROR are worth another try.
        retryable = code == "20000" or sub_code == "ACQ.SYSTEM_ERROR"
        raise ProviderError(sub_code, f"{method}: {message}", retryable=retryable)

    def query(self, out_trade_no: str) -> QueryResult:
        answer, raw = self._call("alipay.trade.query", {"out_trade_no": out_trade_no})
        if answer.get("code") != "10000":  # the signed "no such trade"
            return QueryResult(out_trade_no=out_trade_no, status="not_found", raw=raw)
        state = str(answer.get("trade_status", ""))
        mapped = TRADE_STATUS.get(state)
        if mapped is None:
            raise ProviderError(
                "BAD_RESPONSE", f"alipay.trade.query: unknown trade_status {state[:24]!r}"
            )
        if str(answer.get("out_trade_no", out_trade_no)) != out_trade_no:
            raise ProviderError("BAD_RESPONSE", "alipay.trade.query: answer is about another order")
        status: QueryStatus = mapped
        try:
            amount = parse_yuan(str(answer["total_amount"])) if "total_amount" in answer else None
        except ValueError as exc:
            raise ProviderError("BAD_RESPONSE", f"alipay.trade.query: {exc}") from None
        paid_at = None
        if status == "paid":
            paid_at = _parse_beijing(str(answer.get("send_pay_date", "")))
            if paid_at is None or amount is None:
                raise ProviderError(
                    "BAD_RESPONSE", "alipay.trade.query: paid without send_pay_date or total_amount"
                )
        return QueryResult(
            out_trade_no=out_trade_no,
            status=status,
            provider_trade_no=str(answer.get("trade_no") or ""),
            amount=amount,
            paid_at=paid_at,
            raw=raw,
        )

    def refund(
        self, out_trade_no: str, refund_no: str, amount: Decimal, total: Decimal
    ) -> RefundResult:
        refund_amount = format_yuan(amount)
        format_yuan(total)  # Decimal, fen-exact
        if not Decimal(0) < amount <= total:
            raise ProviderError("PARAM_ERROR", "refund: amount must be within (0, total]")
        answer, raw = self._call(
            "alipay.trade.refund",
            {
                "out_trade_no": out_trade_no,
                "refund_amount": refund_amount,
                "out_request_no": refund_no,
            },
        )
        if answer.get("code") != "10000":
            raise ProviderError("ACQ.TRADE_NOT_EXIST", "alipay.trade.refund: no such trade")
        if str(answer.get("out_trade_no", out_trade_no)) != out_trade_no:
            raise ProviderError(
                "BAD_RESPONSE", "alipay.trade.refund: answer is about another order"
            )
        # fund_change "N" is not a failure: the refund may already have been made (a
        # repeated out_request_no); Alipay says to confirm with the refund query.
        changed = answer.get("fund_change") == "Y"
        return RefundResult(
            refund_no=refund_no,
            status="succeeded" if changed else "processing",
            amount=parse_yuan(refund_amount),
            provider_refund_no=str(answer.get("trade_no") or ""),
            raw=raw,
        )


__all__ = ["AlipayProvider", "check_content", "response_members", "sign_content"]
