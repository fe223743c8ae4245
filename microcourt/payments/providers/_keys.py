"""RSA keys and SHA256withRSA (PKCS #1 v1.5) signatures, as WeChat Pay API v3
(``WECHATPAY2-SHA256-RSA2048``) and Alipay (``RSA2``) both use them, with
``cryptography``."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.core.exceptions import ImproperlyConfigured

MIN_BITS = 2048


def key_text(value: str, path: str, *, option: str) -> str:
    """A key given inline (``value``) or as a file (``path``), exactly one of them."""
    if bool(value) == bool(path):
        raise ImproperlyConfigured(f"give exactly one of {option} and {option}_file")
    if path:
        try:
            return Path(path).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise ImproperlyConfigured(f"{option}_file {path!r}: {exc}") from None
    return value


def _der(text: str, *, option: str) -> bytes:
    # Alipay's key tool hands out bare base64 (no PEM armour): accept it as DER.
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{option} is neither PEM nor base64 DER") from None


def _rsa_size(key: rsa.RSAPrivateKey | rsa.RSAPublicKey, *, option: str) -> None:
    if key.key_size < MIN_BITS:
        raise ImproperlyConfigured(f"{option} is a {key.key_size}-bit key; at least 2048")


def load_private_key(text: str, *, option: str) -> rsa.RSAPrivateKey:
    """PEM (PKCS #8 or PKCS #1) or bare base64 DER of an RSA private key."""
    try:
        if "-----BEGIN" in text:
            key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        else:
            key = serialization.load_der_private_key(_der(text, option=option), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm, UnicodeEncodeError) as exc:
        raise ImproperlyConfigured(f"{option} is not a readable private key: {exc}") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ImproperlyConfigured(f"{option} is not an RSA key")
    _rsa_size(key, option=option)
    return key


def load_public_key(text: str, *, option: str) -> tuple[rsa.RSAPublicKey, dt.datetime | None]:
    """An RSA public key from a PEM public key, a PEM X.509 certificate (then also its
    expiry) or bare base64 DER of a public key."""
    not_after: dt.datetime | None = None
    try:
        if "-----BEGIN CERTIFICATE" in text:
            cert = x509.load_pem_x509_certificate(text.encode("ascii"))
            key = cert.public_key()
            not_after = cert.not_valid_after_utc
        elif "-----BEGIN" in text:
            key = serialization.load_pem_public_key(text.encode("ascii"))
        else:
            key = serialization.load_der_public_key(_der(text, option=option))
    except (ValueError, TypeError, UnsupportedAlgorithm, UnicodeEncodeError) as exc:
        raise ImproperlyConfigured(f"{option} is not a readable public key: {exc}") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise ImproperlyConfigured(f"{option} is not an RSA key")
    _rsa_size(key, option=option)
    return key, not_after


def sign(key: rsa.RSAPrivateKey, message: bytes) -> str:
    """SHA256withRSA, base64."""
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def verify(key: rsa.RSAPublicKey, message: bytes, signature: str) -> bool:
    """Whether ``signature`` (base64) is SHA256withRSA of ``message`` under ``key``."""
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return False
    try:
        key.verify(raw, message, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True
