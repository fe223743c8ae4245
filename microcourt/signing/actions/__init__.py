"""The signing app's writes (ARCHITECTURE §4.2). Other apps import this package:
``from microcourt.signing import actions as signing_actions``."""

from .certificates import (
    ActivePki,
    crl_current,
    crl_issue,
    pki_ensure,
    pki_init,
    pki_revoke,
    pki_root,
    pki_rotate,
    pki_seal_issue,
)
from .requests import signature_request_cancel, signature_request_create, signature_request_sign
from .signatures import PURPOSES, SignedPdf, pdf_seal, pdf_sign
from .timestamps import timestamp_issue, timestamp_respond, timestamper

__all__ = [
    "PURPOSES",
    "ActivePki",
    "SignedPdf",
    "crl_current",
    "crl_issue",
    "pdf_seal",
    "pdf_sign",
    "pki_ensure",
    "pki_init",
    "pki_revoke",
    "pki_root",
    "pki_rotate",
    "pki_seal_issue",
    "signature_request_cancel",
    "signature_request_create",
    "signature_request_sign",
    "timestamp_issue",
    "timestamp_respond",
    "timestamper",
]
