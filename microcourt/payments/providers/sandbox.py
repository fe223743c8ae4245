"""The built-in sandbox payment provider: a real, local, end-to-end stand-in for WeChat Pay
and Alipay, and the default (ARCHITECTURE §4.13). No money moves.

How it behaves, like a real provider:

1. :meth:`SandboxProvider.create` answers a redirect to the sandbox's own hosted pay page
   ``/payments/sandbox/pay/<token>/``. The token is the order request signed with
   ``django.core.signing`` (salted, valid 30 minutes), so the sandbox keeps no state for
   orders nobody pays, and nobody can alter an amount on the way.
2. The pay page (``sandbox_views``, clearly marked 沙箱支付 · 不会真实扣款) shows amount
   and description with three buttons: 支付成功, 支付失败, 取消. Pressing one records the
   sandbox's decision in its own append-only record (below), enqueues the asynchronous
   callback (:func:`deliver_sandbox_callback`, a django-tasks task) and sends the browser
   to the order's ``return_url`` — before the callback has arrived, as with real providers.
3. The callback task POSTs JSON to the order's ``notify_url``, signed at sending time:
   ``X-Sandbox-Signature`` = hex HMAC-SHA256 under the sandbox secret over
   ``timestamp + "\\n" + nonce + "\\n" + body``, with ``X-Sandbox-Timestamp`` (Unix
   seconds) and ``X-Sandbox-Nonce``. Anything but a 2xx answer is retried later
   (``retry_delays``, shortened from WeChat Pay's 15s/15s/30s/3m/10m/… schedule).
4. :meth:`SandboxProvider.query` answers from the record, which is what reconciliation
   compares with our orders; :meth:`SandboxProvider.refund` records refunds there.

The record is the sandbox's "provider side": JSON lines in
``settings.DATA_DIR / "sandbox-payments.jsonl"``, one per decision or refund, each with an
HMAC under the sandbox secret (a hand-edited line is reported, not believed). Lines are
appended with ``O_APPEND`` in one ``write`` under an exclusive ``flock`` (the
check-then-append of a decision must not interleave across web processes), and fsynced:
a decision the payer saw must survive a crash. Queries only read.

Misbehaviour on purpose, from the provider's options, so the payments app is exercised
the way real providers exercise it: ``duplicate_callbacks`` (send each callback N times),
``delay_seconds`` (hold callbacks back), ``fail_rate`` (that fraction of :meth:`create`
calls fails with a clear, retryable :class:`ProviderError`).

The secret is ``settings.PAYMENT_SANDBOX_SECRET`` (or the provider's ``secret`` option);
without either it is derived from ``SECRET_KEY``.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import logging
import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from microcourt.core.effects import on_commit

from . import _http
from .base import (
    CallbackEvent,
    CallbackRejected,
    Checkout,
    OrderRequest,
    ProviderError,
    QueryResult,
    RefundResult,
    check_timestamp,
    format_yuan,
    get_provider,
    lower_headers,
    parse_yuan,
)

log = logging.getLogger(__name__)

TOKEN_SALT = "microcourt.payments.sandbox.pay"  # noqa: S105 — a signing salt, not a secret
TOKEN_MAX_AGE = 30 * 60  # seconds a pay page link stays usable
RECORD_FILE = "sandbox-payments.jsonl"
DECISIONS = ("paid", "failed", "closed")
FINAL = ("paid", "closed")  # after these the order takes no other decision
DEFAULT_RETRY_DELAYS = (15, 15, 30, 180, 600, 1200, 1800)
HEADER_TIMESTAMP = "X-Sandbox-Timestamp"
HEADER_NONCE = "X-Sandbox-Nonce"
HEADER_SIGNATURE = "X-Sandbox-Signature"


class SandboxTokenInvalid(Exception):
    """A pay page link that was altered, has expired or names no sandbox provider.
    ``message`` is for the payer."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class SandboxOrder:
    """An order as the sandbox pay page sees it, read from a verified token."""

    provider: SandboxProvider
    out_trade_no: str
    amount: Decimal
    description: str
    notify_url: str
    return_url: str
    expires_at: dt.datetime
    decided: dict[str, Any] | None  # the final decision already recorded, if any


def callback_signature(secret: bytes, timestamp: str, nonce: str, body: bytes) -> str:
    """Hex HMAC-SHA256 over ``timestamp\\nnonce\\nbody``."""
    message = timestamp.encode("ascii") + b"\n" + nonce.encode("ascii") + b"\n" + body
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _now() -> dt.datetime:
    return timezone.now().astimezone(dt.UTC)


class SandboxProvider:
    """The local provider; see the module docstring."""

    def __init__(
        self,
        *,
        name: str = "sandbox",
        secret: str = "",
        duplicate_callbacks: int = 1,
        delay_seconds: int = 0,
        fail_rate: Decimal | str | int = "0",
        retry_delays: tuple[int, ...] | list[int] = DEFAULT_RETRY_DELAYS,
        record_path: str = "",
        timeout: float = 5.0,
    ) -> None:
        self.name = name
        self._secret_option = secret
        try:
            self.duplicate_callbacks = int(duplicate_callbacks)
            self.delay_seconds = int(delay_seconds)
            # Through str: a rate written as 0.3 in settings must not become 0.2999…
            self.fail_rate = Decimal(str(fail_rate))
            self.retry_delays = tuple(int(delay) for delay in retry_delays)
            self.timeout = float(timeout)
        except (TypeError, ValueError, InvalidOperation) as exc:
            raise ImproperlyConfigured(f"sandbox provider {name!r}: {exc}") from None
        if not 1 <= self.duplicate_callbacks <= 20:
            raise ImproperlyConfigured("sandbox duplicate_callbacks must be within 1..20")
        if not 0 <= self.delay_seconds <= 24 * 3600:
            raise ImproperlyConfigured("sandbox delay_seconds must be within 0..86400")
        if not (self.fail_rate.is_finite() and 0 <= self.fail_rate <= 1):
            raise ImproperlyConfigured("sandbox fail_rate must be within 0..1")
        if any(delay < 0 for delay in self.retry_delays):
            raise ImproperlyConfigured("sandbox retry_delays must not be negative")
        if not self.timeout > 0:
            raise ImproperlyConfigured("sandbox timeout must be > 0 seconds")
        self._record_option = record_path

    def __repr__(self) -> str:
        return f"<SandboxProvider {self.name}>"

    # ------------------------------------------------------------------ settings

    @property
    def secret(self) -> bytes:
        # Read on use: settings may differ between the web process, the worker and tests.
        configured = self._secret_option or getattr(settings, "PAYMENT_SANDBOX_SECRET", "")
        if configured:
            return str(configured).encode("utf-8")
        return hmac.new(
            settings.SECRET_KEY.encode("utf-8"), b"microcourt.payments.sandbox", hashlib.sha256
        ).digest()

    @property
    def record_path(self) -> Path:
        if self._record_option:
            return Path(self._record_option)
        return Path(settings.DATA_DIR) / RECORD_FILE

    # ------------------------------------------------------------------ create

    def create(self, order: OrderRequest) -> Checkout:
        if self.fail_rate and secrets.randbelow(1_000_000) < self.fail_rate * 1_000_000:
            raise ProviderError(
                "SANDBOX_SIMULATED_FAILURE",
                f"sandbox {self.name}: create() failed on purpose (fail_rate={self.fail_rate})",
                retryable=True,
            )
        for url, what in ((order.notify_url, "notify_url"), (order.return_url, "return_url")):
            if url and urlsplit(url).scheme not in ("", "http", "https"):
                raise ProviderError("PARAM_ERROR", f"{what} must be an http(s) URL or a path")
        payload: dict[str, str | int] = {
            "p": self.name,
            "o": order.out_trade_no,
            "a": format_yuan(order.amount),
            "d": order.description.strip()[:200],
            "n": order.notify_url,
            "r": order.return_url,
        }
        if order.expires_at is not None:
            payload["x"] = int(order.expires_at.timestamp())
        token = signing.dumps(payload, salt=TOKEN_SALT, compress=True)
        return Checkout(
            kind="redirect",
            redirect_url=reverse("payments_sandbox:pay", args=[token]),
            provider_reference=order.out_trade_no,
        )

    # ------------------------------------------------------------------ the pay page

    def decide(self, order: SandboxOrder, decision: str) -> dict[str, Any]:
        """Record the payer's choice on the pay page and send the callback(s); returns the
        recorded decision. An order already paid or closed keeps that decision (pressing
        again re-sends its callback, as a provider re-notifies)."""
        if decision not in DECISIONS:
            raise ValueError(f"unknown decision {decision!r}")
        with self._locked_record() as append:
            final = self.final_decision(order.out_trade_no)
            if final is not None:
                record = final
            else:
                at = _now()
                record = {
                    "kind": "payment",
                    "provider": self.name,
                    "out_trade_no": order.out_trade_no,
                    "trade_no": f"SBX{at:%Y%m%d%H%M%S}{secrets.token_hex(6).upper()}",
                    "status": decision,
                    "amount": format_yuan(order.amount),
                    "at": at.isoformat(timespec="seconds"),
                }
                append(record)
        body = self.callback_body(record)
        run_after = None
        if self.delay_seconds:
            run_after = timezone.now() + dt.timedelta(seconds=self.delay_seconds)
        for _copy in range(self.duplicate_callbacks):
            on_commit(_enqueue_delivery, self.name, order.notify_url, body, 1, run_after)
        return record

    def callback_body(self, record: Mapping[str, Any]) -> str:
        event_id = hashlib.sha256(
            f"{record['provider']}:{record['trade_no']}:{record['status']}".encode()
        ).hexdigest()[:24]
        return json.dumps(
            {
                "id": f"EV-{event_id}",
                "event_type": f"PAYMENT.{str(record['status']).upper()}",
                "provider": record["provider"],
                "out_trade_no": record["out_trade_no"],
                "trade_no": record["trade_no"],
                "status": record["status"],
                "amount": record["amount"],
                "paid_at": record["at"] if record["status"] == "paid" else None,
                "decided_at": record["at"],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    # ------------------------------------------------------------------ delivery

    def signed_headers(self, body: bytes) -> dict[str, str]:
        timestamp, nonce = str(int(_now().timestamp())), secrets.token_hex(16)
        return {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "microcourt-sandbox-pay/1",
            HEADER_TIMESTAMP: timestamp,
            HEADER_NONCE: nonce,
            HEADER_SIGNATURE: callback_signature(self.secret, timestamp, nonce, body),
        }

    def deliver(self, notify_url: str, body: str, attempt: int = 1) -> str:
        """POST one callback (signed now, so a delayed one is not stale); schedule the
        next attempt unless the merchant answered 2xx."""
        url = notify_url
        if not urlsplit(url).scheme:  # a path: the site's public address
            url = urljoin(settings.PUBLIC_BASE_URL.rstrip("/") + "/", url.lstrip("/"))
        data = body.encode("utf-8")
        try:
            answer = _http.send(
                "POST", url, body=data, headers=self.signed_headers(data), timeout=self.timeout
            )
            problem = None if 200 <= answer.status < 300 else f"HTTP {answer.status}"
        except ProviderError as exc:
            problem = exc.message
        if problem is None:
            return f"delivered on attempt {attempt}"
        if attempt > len(self.retry_delays):
            log.warning(
                "sandbox %s: giving up on %s after %d attempts: %s",
                self.name,
                url,
                attempt,
                problem,
            )
            return f"gave up after attempt {attempt}: {problem}"
        delay = self.retry_delays[attempt - 1]
        _enqueue_delivery(
            self.name, notify_url, body, attempt + 1, timezone.now() + dt.timedelta(seconds=delay)
        )
        log.info(
            "sandbox %s: callback to %s failed (%s); retry in %ds", self.name, url, problem, delay
        )
        return f"attempt {attempt} failed: {problem}; retry in {delay}s"

    # ------------------------------------------------------------------ callbacks

    def parse_callback(self, headers: Mapping[str, str], body: bytes) -> CallbackEvent:
        names = lower_headers(headers)
        timestamp = names.get(HEADER_TIMESTAMP.lower(), "")
        nonce = names.get(HEADER_NONCE.lower(), "")
        signature = names.get(HEADER_SIGNATURE.lower(), "")
        if not (timestamp and nonce and signature):
            raise CallbackRejected("missing X-Sandbox-Timestamp/Nonce/Signature headers")
        check_timestamp(timestamp)
        try:
            expected = callback_signature(self.secret, timestamp, nonce, body)
        except UnicodeEncodeError:
            raise CallbackRejected("malformed nonce") from None
        if not hmac.compare_digest(expected, signature.lower()):
            raise CallbackRejected("bad signature")
        try:
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            if data.get("provider") != self.name:
                raise CallbackRejected(
                    f"callback for another sandbox provider {str(data.get('provider'))[:32]!r}"
                )
            status = data["status"]
            if status not in DECISIONS:
                raise ValueError(f"unknown status {str(status)[:16]!r}")
            amount = parse_yuan(data["amount"])
            paid_at = None
            if status == "paid":
                paid_at = dt.datetime.fromisoformat(str(data["paid_at"]))
                if paid_at.tzinfo is None:
                    raise ValueError("paid_at without a time zone")
            out_trade_no, trade_no = str(data["out_trade_no"]), str(data["trade_no"])
        except CallbackRejected:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise CallbackRejected(f"malformed callback: {exc}") from None
        return CallbackEvent(
            out_trade_no=out_trade_no,
            provider_trade_no=trade_no,
            status=status,
            amount=amount,
            paid_at=paid_at,
            raw=data,
        )

    def callback_response(self, ok: bool, message: str = "") -> tuple[int, str, bytes]:
        if ok:
            return 200, "application/json", b'{"code":"SUCCESS"}'
        body = json.dumps({"code": "FAIL", "message": message or "FAIL"}, ensure_ascii=False)
        return 400, "application/json", body.encode("utf-8")

    # ------------------------------------------------------------------ query, refund

    def query(self, out_trade_no: str) -> QueryResult:
        final = self.final_decision(out_trade_no)
        record = final or next(
            (r for r in reversed(self._records(out_trade_no)) if r["kind"] == "payment"), None
        )
        if record is None:
            return QueryResult(out_trade_no=out_trade_no, status="not_found")
        paid = record["status"] == "paid"
        return QueryResult(
            out_trade_no=out_trade_no,
            status=record["status"],
            provider_trade_no=record["trade_no"],
            amount=parse_yuan(record["amount"]),
            paid_at=dt.datetime.fromisoformat(record["at"]) if paid else None,
            raw=dict(record),
        )

    def refund(
        self, out_trade_no: str, refund_no: str, amount: Decimal, total: Decimal
    ) -> RefundResult:
        wanted = format_yuan(amount)
        if not Decimal(0) < amount <= total:
            raise ProviderError("PARAM_ERROR", "refund: amount must be within (0, total]")
        with self._locked_record() as append:
            records = self._records(out_trade_no)
            paid = next(
                (r for r in records if r["kind"] == "payment" and r["status"] == "paid"), None
            )
            if paid is None:
                raise ProviderError(
                    "ORDER_NOT_PAID", f"refund: {out_trade_no} was not paid in the sandbox"
                )
            if parse_yuan(paid["amount"]) != total:
                raise ProviderError(
                    "PARAM_ERROR", f"refund: total {total} is not the paid {paid['amount']}"
                )
            refunds = [r for r in records if r["kind"] == "refund"]
            same = next((r for r in refunds if r["refund_no"] == refund_no), None)
            if same is not None:
                if same["amount"] != wanted:
                    raise ProviderError(
                        "PARAM_ERROR", f"refund: {refund_no} was made for {same['amount']}"
                    )
                record = same  # the same refund number twice refunds once
            else:
                refunded = sum((parse_yuan(r["amount"]) for r in refunds), Decimal("0.00"))
                if refunded + parse_yuan(wanted) > parse_yuan(paid["amount"]):
                    raise ProviderError(
                        "NOT_ENOUGH",
                        f"refund: only {parse_yuan(paid['amount']) - refunded} left to refund",
                    )
                at = _now()
                record = {
                    "kind": "refund",
                    "provider": self.name,
                    "out_trade_no": out_trade_no,
                    "refund_no": refund_no,
                    "refund_id": f"SBR{at:%Y%m%d%H%M%S}{secrets.token_hex(6).upper()}",
                    "amount": wanted,
                    "at": at.isoformat(timespec="seconds"),
                }
                append(record)
        return RefundResult(
            refund_no=refund_no,
            status="succeeded",
            amount=parse_yuan(record["amount"]),
            provider_refund_no=record["refund_id"],
            raw=dict(record),
        )

    # ------------------------------------------------------------------ the record

    def _mac(self, record: Mapping[str, Any]) -> str:
        content = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hmac.new(
            self.secret, b"sandbox-record\n" + content.encode("utf-8"), hashlib.sha256
        ).hexdigest()

    def _records(self, out_trade_no: str) -> list[dict[str, Any]]:
        """This provider's verified lines about one order, oldest first."""
        path = self.record_path
        try:
            with path.open("rb") as file:
                lines = file.read().split(b"\n")
        except FileNotFoundError:
            return []
        found = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                if number == len(lines):  # a torn last write (a crash mid-append): not recorded
                    continue
                raise ProviderError("RECORD_CORRUPT", f"{path} line {number} is not JSON") from None
            if not isinstance(record, dict) or record.get("provider") != self.name:
                continue
            mac = record.pop("mac", "")
            if not hmac.compare_digest(str(mac), self._mac(record)):
                raise ProviderError("RECORD_TAMPERED", f"{path} line {number} fails its HMAC")
            if record.get("out_trade_no") == out_trade_no:
                found.append(record)
        return found

    def final_decision(self, out_trade_no: str) -> dict[str, Any] | None:
        """The order's "paid" or "closed" decision, if one was recorded."""
        return next(
            (
                r
                for r in self._records(out_trade_no)
                if r["kind"] == "payment" and r["status"] in FINAL
            ),
            None,
        )

    @contextmanager
    def _locked_record(self) -> Iterator[Any]:
        """Exclusive access for check-then-append; yields ``append(record)``."""
        path = self.record_path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)

            def append(record: dict[str, Any]) -> None:
                line = dict(record, mac=self._mac(record))
                data = json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
                os.write(fd, data + b"\n")  # one write: O_APPEND keeps lines whole
                os.fsync(fd)

            yield append
        finally:
            os.close(fd)  # also releases the lock


def open_order(token: str) -> SandboxOrder:
    """The order behind a pay page link; :class:`SandboxTokenInvalid` if it was altered,
    expired or names no sandbox provider."""
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise SandboxTokenInvalid(_("支付链接已过期，请回到缴费单重新发起支付。")) from None
    except signing.BadSignature:
        raise SandboxTokenInvalid(_("支付链接无效。")) from None
    try:
        provider = get_provider(str(payload["p"]))
        issued = signing.b62_decode(token.split(":")[-2])
        expires = dt.datetime.fromtimestamp(issued + TOKEN_MAX_AGE, dt.UTC)
        if payload.get("x") is not None:
            expires = min(expires, dt.datetime.fromtimestamp(int(payload["x"]), dt.UTC))
        amount = parse_yuan(payload["a"])
    except (LookupError, ImproperlyConfigured, TypeError, ValueError, IndexError):
        raise SandboxTokenInvalid(_("支付链接无效。")) from None
    if not isinstance(provider, SandboxProvider):
        raise SandboxTokenInvalid(_("支付链接无效。"))
    if _now() >= expires:
        raise SandboxTokenInvalid(_("支付链接已过期，请回到缴费单重新发起支付。"))
    return SandboxOrder(
        provider=provider,
        out_trade_no=str(payload["o"]),
        amount=amount,
        description=str(payload["d"]),
        notify_url=str(payload["n"]),
        return_url=str(payload["r"]),
        expires_at=expires,
        decided=provider.final_decision(str(payload["o"])),
    )


def _enqueue_delivery(
    provider: str, notify_url: str, body: str, attempt: int, run_after: dt.datetime | None
) -> None:
    queued = (
        deliver_sandbox_callback.using(run_after=run_after)
        if run_after
        else deliver_sandbox_callback
    )
    queued.enqueue(provider, notify_url, body, attempt)


@task()
def deliver_sandbox_callback(provider: str, notify_url: str, body: str, attempt: int = 1) -> str:
    """Send one sandbox callback (see :meth:`SandboxProvider.deliver`)."""
    sandbox = get_provider(provider)
    if not isinstance(sandbox, SandboxProvider):
        raise ImproperlyConfigured(f"payment provider {provider!r} is not a sandbox")
    return sandbox.deliver(notify_url, body, attempt)
