"""Sealing and signing PDFs (PAdES B-T): the court's e-seal on its documents, and a
participant's signature on transcripts, agreements, receipts and authorisations.

在线诉讼规则第三十三条 / 互联网法院规定第十九条: an electronic seal or signature satisfies
the signature requirement; 互联网法院规定第十一条: a signature, a trusted time-stamp and a
hash check make the data's authenticity provable. Every signed file's SHA-256 is the
subject of a ledger entry, so the file itself leads to its record."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from microcourt.core.actor import Actor
from microcourt.core.errors import InvalidInput
from microcourt.identity import selectors as identity_selectors
from microcourt.identity.models import VerificationPurpose
from microcourt.ledger import actions as ledger
from microcourt.ledger.models import Entry

from .. import engine, handwriting, pki, policies
from ..events import LedgerEvent
from ..models import Certificate, SignatureKind, SignedDocument
from .certificates import court_code_checked, pki_ensure
from .timestamps import timestamper

# What a signature may be for: the identity check it needs (identity's purposes, less the
# registration itself). The recheck page takes the same values.
PURPOSES = tuple(p for p in VerificationPurpose.values if p != VerificationPurpose.REGISTRATION)
MAX_TEXT = 200


@dataclass(frozen=True)
class SignedPdf:
    """A sealed or signed PDF: its bytes, SHA-256 (hex), the ``SignedDocument`` row and the
    ledger entry whose subject it is."""

    pdf: bytes
    sha256: str
    document: SignedDocument
    ledger_entry: Entry

    @property
    def digest(self) -> str:
        return f"sha256:{self.sha256}"

    @property
    def ledger_index(self) -> int | None:
        """The entry's index in the tree (None until integrated, right after the commit)."""
        leaf = getattr(self.ledger_entry, "leaf", None)
        return None if leaf is None else leaf.index


def _signer(certificate: Certificate) -> SimpleSigner:
    issuer = pki.as_asn1_certificate(certificate.issuer.certificate_pem)
    return SimpleSigner(
        signing_cert=pki.as_asn1_certificate(certificate.certificate_pem),
        signing_key=pki.as_asn1_key(pki.load_key(certificate.key_file)),
        cert_registry=SimpleCertificateStore.from_certs([issuer]),
    )


LABELS = {"court_name": _("法院名称"), "reason": _("签署事由"), "title": _("文件名称")}


def _text(value: str, field: str, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(
            _("请填写%(label)s。") % {"label": LABELS[field]}, fields={field: _("必填")}
        )
    if len(text) > MAX_TEXT:
        raise InvalidInput(
            _("%(label)s太长。") % {"label": LABELS[field]},
            fields={field: _("不能超过 %(n)s 个字") % {"n": MAX_TEXT}},
        )
    return text


def _record(
    *,
    kind: str,
    code: int,
    signed: bytes,
    source: bytes,
    certificate: Certificate,
    field_name: str,
    actor: Actor,
    case_id: int | None,
    extra: dict,
    **fields,
) -> SignedPdf:
    sha256 = hashlib.sha256(signed).hexdigest()
    input_sha256 = hashlib.sha256(source).hexdigest()
    entry = ledger.record(
        code=code,
        actor=actor,
        case_id=case_id,
        subject_digest=f"sha256:{sha256}",
        data={
            "input_sha256": input_sha256,
            "field": field_name,
            "certificate": certificate.serial,
            "title": fields.get("title", ""),
            **extra,
        },
    )
    document = SignedDocument.objects.create(
        kind=kind,
        input_sha256=input_sha256,
        output_sha256=sha256,
        case_id=case_id,
        field_name=field_name,
        certificate=certificate,
        ledger_entry=entry,
        **fields,
    )
    return SignedPdf(pdf=signed, sha256=sha256, document=document, ledger_entry=entry)


@transaction.atomic
def pdf_seal(
    *,
    pdf: bytes,
    reason: str,
    actor: Actor,
    court: Any = None,
    court_code: str = "",
    court_name: str = "",
    case_id: int | None = None,
    title: str = "",
) -> SignedPdf:
    """Apply the court's electronic seal (电子印章; 互联网法院规定第十九条) to a court
    document: PAdES B-T with the court's seal certificate, a visible round red seal at the
    bottom right of the last page.

    Who seals (``policies.require_seal``): the system, for a document the court issues on a
    decision, or a court employee at that court. Staff pass ``court`` (the court itself: its
    id, code and name come from one object, so they cannot disagree); the system may name
    the court by ``court_code`` and ``court_name`` alone."""
    if court is not None:
        court_code, court_name = court.code, court.name
    policies.require_seal(actor, None if court is None else court.pk)
    court_code = court_code_checked(court_code)
    court_name = _text(court_name, "court_name", required=True)
    reason = _text(reason, "reason")
    title = _text(title, "title")
    reader = engine.reader(pdf, field="pdf")
    seal = pki_ensure(court_code=court_code, court_name=court_name, actor=actor).seal
    assert seal is not None  # a court was named (court_code_checked refuses a blank one)
    placement = engine.place(reader, seal=True)
    signed = engine.sign(
        pdf=pdf,
        signer=_signer(seal),
        placement=placement,
        appearance=engine.seal_image(court_name),
        name=court_name,
        reason=reason,
        location=court_name,
        timestamper=timestamper(),
    )
    return _record(
        kind=SignatureKind.SEAL,
        code=LedgerEvent.SEAL_APPLIED,
        signed=signed,
        source=pdf,
        certificate=seal,
        field_name=placement.field_name,
        actor=actor,
        case_id=case_id,
        extra={"court_code": seal.court_code},
        court_code=seal.court_code,
        signer_name=court_name,
        reason=reason,
        title=title,
    )


@transaction.atomic
def pdf_sign(
    *,
    pdf: bytes,
    actor: Actor,
    purpose: str,
    reason: str,
    handwriting_png: bytes | None = None,
    max_age: dt.timedelta = dt.timedelta(minutes=10),
    case_id: int | None = None,
    title: str = "",
    request_id: int | None = None,
) -> SignedPdf:
    """Sign a PDF on the actor's behalf (在线诉讼规则第三十三条: online confirmation or an
    e-signature satisfies the signature requirement).

    Only after a fresh identity check (在线诉讼规则第七条): ``require_fresh_verification``
    comes first and its ``VerificationRequired`` leaves nothing stored. The platform's signing
    certificate signs; the signature dictionary's /Name is the signer's verified real name;
    the handwriting (if any) is the visible appearance on the last page, in a new field
    beside any earlier ones, appended as an incremental update so earlier signatures stay
    valid. PAdES B-T: the signature carries an RFC 3161 time-stamp."""
    fresh = identity_selectors.require_fresh_verification(actor, purpose, max_age)
    if purpose not in PURPOSES:
        raise InvalidInput(
            _("签署用途不正确。"),
            fields={"purpose": _("应为以下之一：%(list)s") % {"list": "、".join(PURPOSES)}},
        )
    user = actor.user
    real_name = user.real_name.name  # verified: require_fresh_verification saw it
    reason = _text(reason, "reason")
    title = _text(title, "title")
    reader = engine.reader(pdf, field="pdf")
    strokes = None if handwriting_png is None else handwriting.check_png(handwriting_png)
    certificate = pki_ensure(actor=actor).signing
    placement = engine.place(reader, seal=False)
    caption = f"{real_name} {timezone.localtime():%Y-%m-%d %H:%M}"
    appearance = (
        engine.handwriting_image(strokes, caption)
        if strokes is not None
        else engine.typed_signature_image(real_name, caption)
    )
    signed = engine.sign(
        pdf=pdf,
        signer=_signer(certificate),
        placement=placement,
        appearance=appearance,
        name=real_name,
        reason=reason,
        location=settings.SITE_ORIGIN,
        timestamper=timestamper(),
    )
    extra = {"purpose": purpose, "verification": fresh.pk, "handwritten": strokes is not None}
    if request_id is not None:
        extra["request"] = request_id
    return _record(
        kind=SignatureKind.SIGNATURE,
        code=LedgerEvent.SIGNATURE_APPLIED,
        signed=signed,
        source=pdf,
        certificate=certificate,
        field_name=placement.field_name,
        actor=actor,
        case_id=case_id,
        extra=extra,
        signer=user,
        signer_name=real_name,
        purpose=purpose,
        reason=reason,
        title=title,
    )
