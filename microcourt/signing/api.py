"""The signing API: anyone verifies a signed PDF (no log-in, like the page)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja import Router

from microcourt.core import uploads

from . import selectors
from .schemas import SignatureVerifyOut

router = Router(tags=["signing"])
PDF = frozenset({"application/pdf"})


@router.post(
    "/signing/verify",
    response=SignatureVerifyOut,
    auth=None,
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                }
            },
            "required": True,
        }
    },
)
def verify(request: HttpRequest):
    """Check every e-signature and e-seal in a PDF (multipart ``file``, at most
    ``SIGNING_VERIFY_MAX_MB``): integrity, the certificate chain to this court's root CA,
    revocation at the time-stamped signing time, the RFC 3161 time-stamp, changes after each
    signature, and the ledger entry of each signed version. The file is not stored."""
    data = uploads.read_limited(
        request.FILES.get("file"),
        field="file",
        max_bytes=settings.SIGNING_VERIFY_MAX_MB * 1024 * 1024,
    )
    uploads.sniff(data, field="file", allowed=PDF)
    return selectors.pdf_verify(data).as_dict()
