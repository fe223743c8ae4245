"""Signature requests: another app (service, hearings, mediation…) asks one person to sign
a PDF — a transcript (笔录), a mediation agreement, a service receipt, an authorisation —
and the person signs it from the phone at /sign/<id>/ after a fresh identity check."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from microcourt.core import uploads
from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, InvalidInput, NotFound
from microcourt.ledger import actions as ledger
from microcourt.notifications import actions as notifications
from microcourt.notifications.models import Channel

from .. import engine, policies
from ..events import LedgerEvent
from ..models import SignatureRequest
from ..states import SIGNATURE_REQUEST
from .signatures import MAX_TEXT, PURPOSES, pdf_sign

PDF = frozenset({"application/pdf"})
STORAGE_PREFIX = "signing"


@transaction.atomic
def signature_request_create(
    *,
    pdf: bytes,
    title: str,
    purpose: str,
    signer,
    case_id: int | None = None,
    actor: Actor,
) -> SignatureRequest:
    """Ask ``signer`` to sign ``pdf``. The PDF is stored content-addressed before the request
    exists; ``purpose`` names the identity check the signature will need (``PURPOSES``).
    The caller tells the signer (its own notification) where to sign: the request's page."""
    title = (title or "").strip()
    if not title or len(title) > MAX_TEXT:
        raise InvalidInput(
            _("请填写文件名称。"),
            fields={"title": _("必填，不超过 %(n)s 个字") % {"n": MAX_TEXT}},
        )
    if purpose not in PURPOSES:
        raise InvalidInput(
            _("签署用途不正确。"),
            fields={"purpose": _("应为以下之一：%(list)s") % {"list": "、".join(PURPOSES)}},
        )
    if signer is None or not getattr(signer, "is_active", False):
        raise InvalidInput(_("签署人不存在或已停用。"), fields={"signer": _("请指定签署人")})
    if not isinstance(pdf, bytes | bytearray) or not pdf:
        raise InvalidInput(_("请提供 PDF 文件。"), fields={"pdf": _("文件为空")})
    pdf = bytes(pdf)
    uploads.sniff(pdf, field="pdf", allowed=PDF)
    engine.reader(pdf, field="pdf")
    stored = uploads.store(pdf, mime="application/pdf", prefix=STORAGE_PREFIX)
    row = SignatureRequest.objects.create(
        title=title,
        purpose=purpose,
        source_path=stored.path,
        source_sha256=stored.sha256,
        signer=signer,
        case_id=case_id,
        created_by=actor.user,
    )
    ledger.record(
        code=LedgerEvent.REQUEST_CREATED,
        actor=actor,
        case_id=case_id,
        subject_digest=stored.digest,
        data={"request": row.pk, "title": title, "purpose": purpose, "signer": signer.pk},
    )
    if signer.pk != actor.user_id:  # someone else asks: tell the signer where to sign
        url = reverse("signing:request", args=[row.pk])
        notifications.notify(
            event="signing.requested",
            params={"title": title, "url": settings.PUBLIC_BASE_URL.rstrip("/") + url},
            recipient=signer,
            url=url,
            idempotency_key=f"signing.requested:{row.pk}",
            channels=[Channel.INAPP, Channel.SMS],
        )
    return row


def _read_checked(path: str, sha256: str) -> bytes:
    with default_storage.open(path, "rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise Conflict(
            _("待签署文件与发起时不一致，已停止签署。请联系发起人。"),
            fields={"pdf": _("文件校验失败")},
        )
    return data


@transaction.atomic
def signature_request_sign(
    *, request_id: int, actor: Actor, handwriting_png: bytes | None
) -> SignatureRequest:
    """The signer signs the requested PDF (在线诉讼规则第三十三条). Only the named signer
    sees the request — anyone else gets "not found" — and signs only after a fresh identity
    check (``policies.require_sign``; ``pdf_sign`` checks again)."""
    row = SignatureRequest.objects.select_for_update().filter(pk=request_id).first()
    if row is None or not policies.may_read_request(actor, row):
        raise NotFound(policies.NOT_FOUND)
    if row.status not in SIGNATURE_REQUEST["sign"].sources:
        raise Conflict(
            _("这份文件%(status)s，不能再签署。") % {"status": row.get_status_display()},
            fields={"status": row.get_status_display()},
        )
    policies.require_sign(actor, row)
    source = _read_checked(row.source_path, row.source_sha256)
    signed = pdf_sign(
        pdf=source,
        actor=actor,
        purpose=row.purpose,
        reason=gettext("签署《%(title)s》") % {"title": row.title},
        handwriting_png=handwriting_png,
        case_id=row.case_id,
        title=row.title,
        request_id=row.pk,
    )
    stored = uploads.store(signed.pdf, mime="application/pdf", prefix=STORAGE_PREFIX)
    return SIGNATURE_REQUEST.apply(
        row,
        "sign",
        actor=actor,
        updates={
            "signed_path": stored.path,
            "signed_sha256": stored.sha256,
            "signed_document": signed.document,
            "signed_at": timezone.now(),
        },
    )


@transaction.atomic
def signature_request_cancel(*, request_id: int, actor: Actor) -> SignatureRequest:
    """Withdraw a pending request: by whoever made it, or by the system for another app
    (``policies.require_cancel``; anyone else: "not found")."""
    row = SignatureRequest.objects.select_for_update().filter(pk=request_id).first()
    if row is None:
        raise NotFound(_("没有找到这份签署请求。"))
    policies.require_cancel(actor, row)
    if row.status not in SIGNATURE_REQUEST["cancel"].sources:
        raise Conflict(
            _("这份文件%(status)s，不能撤回。") % {"status": row.get_status_display()},
            fields={"status": row.get_status_display()},
        )
    return SIGNATURE_REQUEST.apply(
        row, "cancel", actor=actor, updates={"cancelled_at": timezone.now()}
    )
