"""Test helpers: keys, a local HTTP server standing in for a provider's API, and callbacks
built exactly as WeChat Pay and Alipay build them (signed with keys the tests generate).
Used by the provider tests and by the payments app's own callback tests and benchmarks;
never by production code."""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID

from . import _keys
from .alipay import check_content

# --------------------------------------------------------------------------- keys


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def public_pem(key: rsa.RSAPrivateKey | rsa.RSAPublicKey) -> str:
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def bare_base64(pem: str) -> str:
    """A PEM's body without armour, as Alipay's key tool hands keys out."""
    return "".join(line for line in pem.splitlines() if not line.startswith("-----"))


def certificate_pem(
    key: rsa.RSAPrivateKey, *, serial: int, not_after: dt.datetime | None = None
) -> str:
    """A self-signed certificate for ``key``, like a WeChat Pay platform certificate."""
    now = dt.datetime.now(dt.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA test")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now - dt.timedelta(days=400))
        .not_valid_after(not_after or now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


# --------------------------------------------------------------------------- a local server


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Handler = Callable[[Seen], tuple[int, Mapping[str, str], bytes]]


@dataclass
class LocalServer:
    """An HTTP server on 127.0.0.1 answering with ``handler(request)``; records requests.
    Use as a context manager; ``url`` is its base URL."""

    handler: Handler
    requests: list[Seen] = field(default_factory=list)
    url: str = ""

    def __enter__(self) -> LocalServer:
        outer = self

        class _Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(
                    method=self.command,
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length),
                )
                outer.requests.append(seen)
                status, headers, body = outer.handler(seen)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _serve  # http.server dispatches on these names

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


# --------------------------------------------------------------------------- WeChat Pay


def wechat_signature(key: rsa.RSAPrivateKey, timestamp: str, nonce: str, body: bytes) -> str:
    """What WeChat Pay puts in ``Wechatpay-Signature`` (《签名验证》)."""
    return _keys.sign(key, timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n")


def wechat_headers(
    key: rsa.RSAPrivateKey, serial: str, body: bytes, *, timestamp: int | None = None
) -> dict[str, str]:
    """Headers of a WeChat Pay answer or callback signed with the platform ``key``."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = secrets.token_hex(16)
    return {
        "Wechatpay-Timestamp": stamp,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": wechat_signature(key, stamp, nonce, body),
        "Wechatpay-Serial": serial,
        "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
    }


def wechat_encrypt(
    apiv3_key: str, data: Mapping[str, Any], *, associated_data: str = "transaction"
) -> dict[str, str]:
    """A ``resource`` object: AEAD_AES_256_GCM under the APIv3 key (《证书和回调报文解密》)."""
    nonce = secrets.token_urlsafe(9)[:12]
    plain = json.dumps(data, ensure_ascii=False).encode("utf-8")
    ciphertext = AESGCM(apiv3_key.encode()).encrypt(nonce.encode(), plain, associated_data.encode())
    return {
        "original_type": "transaction",
        "algorithm": "AEAD_AES_256_GCM",
        "ciphertext": base64.b64encode(ciphertext).decode(),
        "associated_data": associated_data,
        "nonce": nonce,
    }


def wechat_transaction(
    *,
    mchid: str,
    appid: str,
    out_trade_no: str,
    total_fen: int,
    trade_state: str = "SUCCESS",
    transaction_id: str = "4200000000202311230000000001",
) -> dict[str, Any]:
    """A transaction object as in 《支付成功回调通知》 and 《商户订单号查询订单》."""
    data: dict[str, Any] = {
        "appid": appid,
        "mchid": mchid,
        "out_trade_no": out_trade_no,
        "transaction_id": transaction_id,
        "trade_type": "NATIVE",
        "trade_state": trade_state,
        "trade_state_desc": "支付成功" if trade_state == "SUCCESS" else trade_state,
        "bank_type": "OTHERS",
        "attach": "",
        "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        "amount": {"total": total_fen, "payer_total": total_fen, "currency": "CNY"},
    }
    if trade_state in ("SUCCESS", "REFUND"):
        data["success_time"] = "2026-11-23T10:34:56+08:00"
    return data


def wechat_callback(
    *,
    platform_key: rsa.RSAPrivateKey,
    serial: str,
    apiv3_key: str,
    transaction: Mapping[str, Any],
    timestamp: int | None = None,
) -> tuple[dict[str, str], bytes]:
    """(headers, body) of a WeChat Pay payment notification, built as WeChat builds it."""
    body = json.dumps(
        {
            "id": "EV-2018022511223320873",
            "create_time": "2026-11-23T10:35:00+08:00",
            "resource_type": "encrypt-resource",
            "event_type": "TRANSACTION.SUCCESS",
            "summary": "支付成功",
            "resource": wechat_encrypt(apiv3_key, transaction),
        },
        ensure_ascii=False,
    ).encode("utf-8")
    return wechat_headers(platform_key, serial, body, timestamp=timestamp), body


def wechat_authorization(header: str) -> dict[str, str]:
    """The fields of an ``Authorization: WECHATPAY2-SHA256-RSA2048 k="v",…`` header."""
    schema, _, rest = header.partition(" ")
    fields = {"schema": schema}
    for part in rest.split(","):
        name, _, value = part.partition("=")
        fields[name.strip()] = value.strip().strip('"')
    return fields


# --------------------------------------------------------------------------- Alipay


def alipay_notification(key: rsa.RSAPrivateKey, params: Mapping[str, str]) -> bytes:
    """A form-encoded Alipay notification signed with the "Alipay" ``key`` (《异步通知验签》)."""
    signed = dict(params, sign_type="RSA2")
    signed["sign"] = _keys.sign(key, check_content(signed).encode("utf-8"))
    return urlencode(signed).encode("ascii")


def alipay_answer(key: rsa.RSAPrivateKey | None, method: str, response: Mapping[str, Any]) -> bytes:
    """An Alipay gateway answer: the ``…_response`` text signed as sent (《同步返回验签》)."""
    inner = json.dumps(response, ensure_ascii=False, separators=(",", ":"))
    name = method.replace(".", "_") + "_response"
    if key is None:
        return f'{{"{name}":{inner}}}'.encode()
    signature = _keys.sign(key, inner.encode("utf-8"))
    return f'{{"{name}":{inner},"sign":"{signature}"}}'.encode()
