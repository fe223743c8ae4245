"""The payment provider interface: what the payments app asks of any provider.

A provider turns one of our orders into somewhere to send the payer (:meth:`create`),
verifies what the provider tells us asynchronously (:meth:`parse_callback`), says what
the provider expects back (:meth:`callback_response`), answers reconciliation
(:meth:`query`) and refunds (:meth:`refund`). Three implementations:

- :class:`~microcourt.payments.providers.sandbox.SandboxProvider` — the built-in provider
  that really runs end to end on this machine (the default, ARCHITECTURE §4.13);
- :class:`~microcourt.payments.providers.wechatpay.WeChatPayProvider` — WeChat Pay API v3;
- :class:`~microcourt.payments.providers.alipay.AlipayProvider` — Alipay open platform, RSA2.

``settings.PAYMENT_PROVIDERS`` maps a name to ``{"BACKEND": dotted path, **options}``;
:func:`get_provider` builds the provider with its options.

Money crosses this interface as ``Decimal`` yuan with fen precision only. Providers that
speak integer fen (WeChat ``amount.total``) or decimal yuan strings (Alipay
``total_amount``) convert with :func:`yuan_to_fen`, :func:`fen_to_yuan`,
:func:`format_yuan` and :func:`parse_yuan`, which refuse rather than round.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, Protocol, runtime_checkable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

DEFAULT_PROVIDERS: dict[str, dict[str, Any]] = {
    "sandbox": {"BACKEND": "microcourt.payments.providers.sandbox.SandboxProvider"},
}
# Callbacks and signed responses older (or newer) than this are refused: a replay window
# of five minutes is what WeChat Pay's own SDKs allow for Wechatpay-Timestamp.
MAX_CLOCK_SKEW = dt.timedelta(minutes=5)

FEN = Decimal("0.01")
CallbackStatus = Literal["paid", "failed", "closed", "pending"]
QueryStatus = Literal["paid", "pending", "failed", "closed", "not_found"]
RefundStatus = Literal["succeeded", "processing", "failed", "abnormal"]


# --------------------------------------------------------------------------- errors


class PaymentProviderError(Exception):
    """Base of everything a provider raises."""


class CallbackRejected(PaymentProviderError):
    """A callback that must not be acted on: bad or missing signature, stale timestamp,
    unknown key serial, undecryptable or malformed body, or meant for another merchant.
    ``reason`` says which, for the callback log (never shown to the payer)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ProviderError(PaymentProviderError):
    """A provider call that did not succeed. ``code`` is the provider's error code (or
    ours: ``NETWORK``, ``BAD_RESPONSE``, …), ``message`` its explanation; ``retryable``
    says whether trying the same call again later may succeed (network trouble, a 5xx,
    a simulated failure) as opposed to a refusal that will not change."""

    def __init__(self, code: str, message: str, *, retryable: bool = False) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retryable = retryable


class UnknownProvider(LookupError):
    """No provider of that name in ``settings.PAYMENT_PROVIDERS``."""


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class PayerHint:
    """What a provider may need to know about where the payer is paying from."""

    mobile: bool = False  # a phone browser: Alipay wap pay, WeChat H5
    client_ip: str = ""  # WeChat H5 requires the payer's IP (scene_info.payer_client_ip)
    openid: str = ""  # inside WeChat: JSAPI payment for this openid of our appid


@dataclass(frozen=True)
class OrderRequest:
    """One of our orders as sent to a provider. ``out_trade_no`` is our order number
    (WeChat: 6–32 of ``[0-9A-Za-z_\\-|*]``); ``amount`` is yuan, fen-exact, > 0."""

    out_trade_no: str
    amount: Decimal
    description: str
    notify_url: str
    return_url: str = ""
    payer: PayerHint = field(default_factory=PayerHint)
    expires_at: dt.datetime | None = None  # aware; the provider stops accepting payment

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[0-9A-Za-z_\-|*]{6,32}", self.out_trade_no or ""):
            raise ValueError(f"out_trade_no {self.out_trade_no!r} is not 6-32 of [0-9A-Za-z_-|*]")
        yuan_to_fen(self.amount)  # refuses floats, negatives and fractions of a fen
        if self.amount <= 0:
            raise ValueError("amount must be more than zero")
        if not self.description.strip():
            raise ValueError("description is empty")
        if self.expires_at is not None and self.expires_at.tzinfo is None:
            raise ValueError("expires_at must be an aware datetime")


@dataclass(frozen=True)
class Checkout:
    """How to send the payer to the provider; exactly one of the first four is set.

    - ``redirect_url``: send the browser there (sandbox pay page, WeChat H5 ``h5_url``,
      Alipay gateway URL);
    - ``form_html``: serve this page, it posts itself to the provider (Alipay page/wap pay);
    - ``code_url``: show it as a QR code for the WeChat app to scan (WeChat Native);
    - ``jsapi_params``: pass to ``WeixinJSBridge.invoke("getBrandWCPayRequest", …)``
      inside WeChat (WeChat JSAPI).
    """

    kind: Literal["redirect", "form", "qr", "jsapi"]
    redirect_url: str = ""
    form_html: str = ""
    code_url: str = ""
    jsapi_params: Mapping[str, str] = field(default_factory=dict)
    provider_reference: str = ""  # e.g. WeChat prepay_id, for the record

    def qr_svg(self, *, scale: int = 4) -> str:
        """The ``code_url`` as an inline SVG QR code (segno, UTF-8)."""
        if not self.code_url:
            raise ValueError("this checkout has no code_url")
        import segno

        return segno.make(self.code_url, encoding="utf-8", error="m").svg_inline(scale=scale)


@dataclass(frozen=True)
class CallbackEvent:
    """A verified (and decrypted) provider notification about one of our orders.

    ``status``: ``paid`` — money received; ``failed`` — the attempt failed (the order
    may be paid again); ``closed`` — the provider will take no payment for this order
    (with Alipay also a paid trade fully refunded: see ``refunded_amount``; never un-pay
    a paid order on it); ``pending`` — a verified notice that changes nothing (Alipay
    ``WAIT_BUYER_PAY``, WeChat ``NOTPAY``): acknowledge it. ``paid_at`` is set (aware)
    exactly when ``status == "paid"``; ``raw`` is the verified payload, for the record."""

    out_trade_no: str
    provider_trade_no: str
    status: CallbackStatus
    amount: Decimal
    paid_at: dt.datetime | None
    raw: dict[str, Any]
    refunded_amount: Decimal | None = None


@dataclass(frozen=True)
class QueryResult:
    """What the provider's own record says about one of our orders (reconciliation).
    Same fields as :class:`CallbackEvent` so a ``paid`` result settles an order the same
    way; ``not_found`` — the provider never saw the order (or never saw it decided)."""

    out_trade_no: str
    status: QueryStatus
    provider_trade_no: str = ""
    amount: Decimal | None = None
    paid_at: dt.datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    """``succeeded`` — money is on its way back; ``processing`` — accepted, ask again
    later; ``failed`` — refused or closed; ``abnormal`` — stuck at the provider (WeChat
    ``ABNORMAL``: the payer's card was cancelled), needs handling at the provider."""

    refund_no: str
    status: RefundStatus
    amount: Decimal
    provider_refund_no: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class PaymentProvider(Protocol):
    name: str

    def create(self, order: OrderRequest) -> Checkout:
        """Register the order with the provider; raises :class:`ProviderError`."""
        ...

    def parse_callback(self, headers: Mapping[str, str], body: bytes) -> CallbackEvent:
        """Verify and decode a notification; raises :class:`CallbackRejected`."""
        ...

    def callback_response(self, ok: bool, message: str = "") -> tuple[int, str, bytes]:
        """(HTTP status, content type, body) the provider expects back."""
        ...

    def query(self, out_trade_no: str) -> QueryResult:
        """The provider's record of the order; raises :class:`ProviderError`."""
        ...

    def refund(
        self, out_trade_no: str, refund_no: str, amount: Decimal, total: Decimal
    ) -> RefundResult:
        """Refund ``amount`` of a paid order of ``total``; the same ``refund_no`` twice
        refunds once. Raises :class:`ProviderError`."""
        ...


# --------------------------------------------------------------------------- money


def _check_decimal(amount: object) -> Decimal:
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        # A float has already lost fen; a string is for parse_yuan.
        raise ValueError(f"amount must be Decimal yuan, got {type(amount).__name__}")
    value = Decimal(amount)
    if not value.is_finite():
        raise ValueError("amount is not a finite number")
    return value


def yuan_to_fen(amount: Decimal) -> int:
    """Decimal yuan → integer fen, exactly: 1050.00 → 105000. Refuses fractions of a fen
    and negatives instead of rounding money."""
    value = _check_decimal(amount)
    if value < 0:
        raise ValueError("amount is negative")
    fen = value * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"{value} yuan is not a whole number of fen")
    return int(fen)


def fen_to_yuan(fen: int) -> Decimal:
    """Integer fen → Decimal yuan with two places: 105000 → Decimal("1050.00")."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise ValueError(f"fen must be an integer, got {type(fen).__name__}")
    if fen < 0:
        raise ValueError("fen is negative")
    return Decimal(fen).scaleb(-2)


def format_yuan(amount: Decimal) -> str:
    """Decimal yuan → "1050.00" (Alipay ``total_amount``, ``refund_amount``)."""
    fen = yuan_to_fen(amount)
    return f"{fen // 100}.{fen % 100:02d}"


_YUAN = re.compile(r"(0|[1-9][0-9]{0,13})(\.[0-9]{1,2})?")


def parse_yuan(text: str) -> Decimal:
    """A provider's decimal yuan string → Decimal with two places; anything that is not
    a plain non-negative amount with at most two decimals is refused."""
    if not isinstance(text, str) or not _YUAN.fullmatch(text):
        raise ValueError(f"{text!r} is not an amount in yuan")
    try:
        return Decimal(text).quantize(FEN)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        raise ValueError(f"{text!r} is not an amount in yuan") from None


# --------------------------------------------------------------------------- registry

_cache: dict[str, tuple[dict[str, Any], PaymentProvider]] = {}
_cache_lock = threading.Lock()


def provider_settings() -> dict[str, dict[str, Any]]:
    config = getattr(settings, "PAYMENT_PROVIDERS", DEFAULT_PROVIDERS)
    if not isinstance(config, Mapping):
        raise ImproperlyConfigured("PAYMENT_PROVIDERS must be a dict of name → options")
    return {str(name): dict(options) for name, options in config.items()}


def provider_names() -> list[str]:
    return list(provider_settings())


def get_provider(name: str) -> PaymentProvider:
    """The provider configured under ``name``. Built once per configuration: loading
    RSA keys costs milliseconds, and callbacks arrive in bursts."""
    config = provider_settings().get(name)
    if config is None:
        raise UnknownProvider(f"no payment provider {name!r} in PAYMENT_PROVIDERS")
    with _cache_lock:
        cached = _cache.get(name)
        if cached is not None and cached[0] == config:
            return cached[1]
    options = dict(config)
    backend = options.pop("BACKEND", None)
    if not backend:
        raise ImproperlyConfigured(f"PAYMENT_PROVIDERS[{name!r}] has no BACKEND")
    try:
        cls = import_string(backend)
    except ImportError as exc:
        raise ImproperlyConfigured(f"PAYMENT_PROVIDERS[{name!r}]: {exc}") from None
    try:
        provider = cls(name=name, **options)
    except TypeError as exc:  # unknown or missing options
        raise ImproperlyConfigured(f"PAYMENT_PROVIDERS[{name!r}]: {exc}") from None
    with _cache_lock:
        _cache[name] = (config, provider)
    return provider


def lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Header names compared case-insensitively (HTTP), whatever mapping we were given."""
    return {str(key).lower(): str(value) for key, value in headers.items()}


def check_timestamp(value: str, *, now: dt.datetime | None = None) -> int:
    """A Unix-seconds timestamp header within :data:`MAX_CLOCK_SKEW` of now, or
    :class:`CallbackRejected`."""
    if not re.fullmatch(r"[0-9]{1,12}", value or ""):
        raise CallbackRejected(f"malformed timestamp {value[:20]!r}")
    stamp = int(value)
    current = (now or dt.datetime.now(dt.UTC)).timestamp()
    if abs(current - stamp) > MAX_CLOCK_SKEW.total_seconds():
        raise CallbackRejected(f"stale timestamp {stamp} (now {int(current)})")
    return stamp
