"""The signing app's reads: verifying a signed PDF (public), a signer's requests, the
certificates.

What a verification checks, per signature (互联网法院规定第十一条: e-signature, trusted
time-stamp, hash check):

- intact: the signed byte range still hashes to what was signed, and the signature on it
  verifies with the certificate's key;
- trusted: the certificate chains to one of our root CAs (pyhanko-certvalidator, offline,
  at the time-stamp's time), and our revocation records do not distrust it at that time;
- time-stamp: an RFC 3161 token over the signature, intact and from a trusted TSA, whose
  certificate was not revoked at the stamped time; its time is the signing time;
- changed after: what was appended after the signature is only further signatures (and
  their fields), per pyHanko's difference analysis; anything else makes it invalid;
- ledger: the entry whose subject is the file as it was right after this signature."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from microcourt.core.actor import Actor
from microcourt.core.errors import NotFound
from microcourt.ledger import selectors as ledger_selectors

from . import engine, pki, policies
from .models import (
    Certificate,
    CertificatePurpose,
    RequestStatus,
    SignatureRequest,
    SignedDocument,
)

log = logging.getLogger(__name__)

PURPOSE_OF = {CertificatePurpose.COURT_SEAL: "seal", CertificatePurpose.SIGNING: "signature"}


@dataclass
class SignatureReport:
    field_name: str
    signer_name: str
    subject: str
    serial: str
    purpose: str  # seal / signature / unknown (not one of our certificates)
    purpose_label: str
    court_code: str
    reason: str
    signing_time: dt.datetime | None  # from the time-stamp token
    intact: bool
    trusted: bool
    timestamp_valid: bool
    revoked: bool
    changed_after: bool
    valid: bool
    revision_sha256: str
    ledger_index: int | None = None
    receipt_url: str | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def status_lines(self) -> list[tuple[bool, str]]:
        """Each check in plain words, for the page."""
        return [
            (
                self.intact,
                _("签名后内容未被篡改") if self.intact else _("签名所覆盖的内容已被篡改"),
            ),
            (
                self.trusted,
                _("证书由本平台根证书签发，签署时有效")
                if self.trusted
                else _("证书不可信或签署时已被吊销"),
            ),
            (
                self.timestamp_valid,
                _("可信时间戳有效") if self.timestamp_valid else _("没有有效的可信时间戳"),
            ),
            (
                not self.changed_after,
                _("签名之后只追加了其他签名")
                if not self.changed_after
                else _("签名之后文件被改动"),
            ),
        ]


@dataclass
class VerificationReport:
    valid: bool
    summary: str
    sha256: str
    signatures: list[SignatureReport]
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        for item in data["signatures"]:
            moment = item["signing_time"]
            item["signing_time"] = moment.isoformat() if moment else None
        return data


# --- Verification -------------------------------------------------------------------------------


def _roots() -> list[asn1_x509.Certificate]:
    """Every root CA this platform ever had: a rotated (re-initialised) root still vouches
    for what was signed under it."""
    pems = Certificate.objects.filter(purpose=CertificatePurpose.ROOT_CA).values_list(
        "certificate_pem", flat=True
    )
    return [pki.as_asn1_certificate(text) for text in pems]


def _external_tsa_roots() -> list[asn1_x509.Certificate]:
    path = settings.SIGNING_TSA_CA_FILE
    if not path:
        return []
    found = []
    for _type, _headers, der in pem.unarmor(Path(path).read_bytes(), multiple=True):
        found.append(asn1_x509.Certificate.load(der))
    return found


def _timestamp_time(embedded) -> dt.datetime | None:
    """genTime of the signature's time-stamp token (unsigned attribute), unverified: it only
    picks the moment to validate at; the token itself is validated by pyHanko."""
    attributes = embedded.signer_info["unsigned_attrs"]
    if attributes.native is None:
        return None
    for attribute in attributes:
        if attribute["type"].native == "signature_time_stamp_token":
            token = attribute["values"][0]
            info = token["content"]["encap_content_info"]["content"].parsed
            return info["gen_time"].native
    return None


def _ours(certificate: asn1_x509.Certificate | None) -> Certificate | None:
    if certificate is None:
        return None
    return Certificate.objects.filter(sha256=certificate.sha256.hex()).first()


def _distrusted(row: Certificate | None, moment: dt.datetime | None) -> bool:
    start = None if row is None else row.distrusted_from
    return start is not None and (moment is None or moment >= start)


def _reason_label(row: Certificate) -> str:
    return str(row.get_revocation_reason_display() or _("未说明原因"))


def _ledger(revision: bytes) -> tuple[int | None, str | None]:
    digest = "sha256:" + hashlib.sha256(revision).hexdigest()
    found = ledger_selectors.matches(digest, limit=1)
    if not found:
        # Signed moments ago: the entry is committed but perhaps not yet in the tree.
        document = (
            SignedDocument.objects.filter(output_sha256=digest.removeprefix("sha256:"))
            .select_related("ledger_entry")
            .first()
        )
        if document is None:
            return None, None
        found = [ledger_selectors.receipt(document.ledger_entry)]
    index = found[0]["index"]
    return index, reverse("ledger:receipt", args=[index])


def _changed_after(embedded, status, signature_revisions: set[int], total: int) -> str | None:
    """Why the file was changed after this signature in a way not allowed, or None."""
    coverage = status.coverage
    if coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return None
    if coverage is None or coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        return _("签名没有覆盖它所在的完整文件版本")
    level = status.modification_level
    if level is None or level >= ModificationLevel.ANNOTATIONS or status.docmdp_ok is False:
        return _("签名之后，文件的页面内容或其他对象被修改（不是追加签名）")
    later = set(range(embedded.signed_revision + 1, total)) - signature_revisions
    if later and level >= ModificationLevel.FORM_FILLING:
        return _("签名之后，文件被追加了签名以外的修改（如填写表单）")
    return None


def _verify_one(
    embedded,
    data: bytes,
    *,
    roots: list,
    tsa_roots: list,
    signature_revisions: set[int],
    total_revisions: int,
) -> SignatureReport:
    moment = _timestamp_time(embedded)
    context = ValidationContext(trust_roots=roots, allow_fetching=False, moment=moment)
    ts_context = ValidationContext(
        trust_roots=roots + tsa_roots, allow_fetching=False, moment=moment
    )
    status = validate_pdf_signature(
        embedded, signer_validation_context=context, ts_validation_context=ts_context
    )
    problems: list[str] = []
    notes: list[str] = []
    certificate = status.signing_cert
    row = _ours(certificate)
    intact = bool(status.intact and status.valid)
    if not intact:
        problems.append(_("签名所覆盖的内容与签署时不一致（文件被篡改或签名已损坏）"))

    stamp = status.timestamp_validity
    signing_time = stamp.timestamp if stamp is not None else None
    timestamp_valid = bool(stamp is not None and stamp.intact and stamp.valid and stamp.trusted)
    if stamp is None:
        problems.append(_("签名没有可信时间戳，无法证明签署时间"))
    elif not timestamp_valid:
        problems.append(_("时间戳无效或不是由可信的时间戳服务签发"))
    elif _distrusted(_ours(stamp.signing_cert), signing_time):
        timestamp_valid = False
        problems.append(_("时间戳服务的证书已被吊销，时间戳不可信"))

    trusted = bool(status.trusted)
    revoked = False
    if not trusted:
        problems.append(_("签名证书不是由本平台的根证书签发，或证书在签署时已失效"))
    if row is not None and row.revoked_at is not None:
        when = timezone.localtime(row.revoked_at).strftime("%Y-%m-%d %H:%M")
        if _distrusted(row, signing_time if timestamp_valid else None):
            revoked, trusted = True, False
            problems.append(
                _("签名证书已被吊销（%(reason)s，%(when)s），签名不可信")
                % {"reason": _reason_label(row), "when": when}
            )
        else:
            notes.append(
                _(
                    "签名证书已于 %(when)s 吊销（%(reason)s），"
                    "但可信时间戳证明签名早于吊销，签名仍然有效"
                )
                % {"reason": _reason_label(row), "when": when}
            )

    why = _changed_after(embedded, status, signature_revisions, total_revisions)
    if why:
        problems.append(why)

    end = embedded.byte_range[2] + embedded.byte_range[3]
    revision = data[:end]
    ledger_index, receipt_url = _ledger(revision)
    if ledger_index is None:
        notes.append(_("司法链中没有这一签署版本的存证记录"))

    purpose = PURPOSE_OF.get(row.purpose, "unknown") if row is not None else "unknown"
    labels = {"seal": _("电子印章"), "signature": _("电子签名"), "unknown": _("其他签名")}
    subject_cn = certificate.subject.native.get("common_name", "") if certificate else ""
    name = embedded.sig_object.get("/Name")
    reason = embedded.sig_object.get("/Reason")
    valid = intact and trusted and timestamp_valid and not why and not revoked
    return SignatureReport(
        field_name=str(embedded.field_name),
        signer_name=str(name) if name is not None else str(subject_cn),
        subject=certificate.subject.human_friendly if certificate else "",
        serial=pki.serial_hex(certificate.serial_number) if certificate else "",
        purpose=purpose,
        purpose_label=str(labels[purpose]),
        court_code=row.court_code if row is not None else "",
        reason=str(reason) if reason is not None else "",
        signing_time=signing_time,
        intact=intact,
        trusted=trusted,
        timestamp_valid=timestamp_valid,
        revoked=revoked,
        changed_after=bool(why),
        valid=valid,
        revision_sha256=hashlib.sha256(revision).hexdigest(),
        ledger_index=ledger_index,
        receipt_url=receipt_url,
        problems=[str(p) for p in problems],
        notes=[str(n) for n in notes],
    )


def pdf_verify(data: bytes) -> VerificationReport:
    """Check every signature in a PDF (see the module's docstring). ``valid`` only when there
    is at least one signature and every one is valid. Bad input (not a PDF, broken) raises
    InvalidInput naming the field ``file``."""
    reader = engine.reader(data, field="file")
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        embedded = list(reader.embedded_signatures)
    except Exception as error:  # pyHanko raises several kinds on malformed signature fields
        log.info("unreadable signature fields: %s", error)
        return VerificationReport(
            valid=False,
            summary=_("无效：文件中的签名无法读取"),
            sha256=sha256,
            signatures=[],
            problems=[_("签名数据已损坏")],
        )
    if not embedded:
        return VerificationReport(
            valid=False, summary=_("没有电子签名"), sha256=sha256, signatures=[]
        )
    roots = _roots()
    tsa_roots = _external_tsa_roots()
    revisions = {sig.signed_revision for sig in embedded}
    total = reader.xrefs.total_revisions
    reports = []
    for sig in embedded:
        try:
            reports.append(
                _verify_one(
                    sig,
                    data,
                    roots=roots,
                    tsa_roots=tsa_roots,
                    signature_revisions=revisions,
                    total_revisions=total,
                )
            )
        except Exception as error:  # a malformed signature is a finding, not a crash
            log.info("signature %s could not be validated: %s", sig.field_name, error)
            reports.append(_broken(sig, data))
    valid = all(r.valid for r in reports)
    count = len(reports)
    if valid:
        summary = _("有效：%(n)s 个签名均有效") % {"n": count}
    else:
        bad = sum(1 for r in reports if not r.valid)
        summary = _("无效：%(bad)s 个签名（共 %(n)s 个）未通过验证") % {"bad": bad, "n": count}
    return VerificationReport(valid=valid, summary=summary, sha256=sha256, signatures=reports)


def _broken(embedded, data: bytes) -> SignatureReport:
    end = embedded.byte_range[2] + embedded.byte_range[3]
    return SignatureReport(
        field_name=str(embedded.field_name),
        signer_name="",
        subject="",
        serial="",
        purpose="unknown",
        purpose_label=_("其他签名"),
        court_code="",
        reason="",
        signing_time=None,
        intact=False,
        trusted=False,
        timestamp_valid=False,
        revoked=False,
        changed_after=False,
        valid=False,
        revision_sha256=hashlib.sha256(data[:end]).hexdigest(),
        problems=[_("签名数据已损坏，无法验证")],
    )


def appearance_rect(data: bytes, field_name: str) -> tuple[float, ...] | None:
    """Where a signature's appearance sits (to check a seal is visible)."""
    return engine.widget_rect(engine.reader(data, field="file"), field_name)


# --- Requests and certificates ------------------------------------------------------------------


def requests_for(actor: Actor) -> list[SignatureRequest]:
    """What the actor has been asked to sign (``policies.may_read_request``: the signer's
    alone): pending first, then newest."""
    if actor.is_system or actor.user_id is None:
        return []
    rows = SignatureRequest.objects.filter(signer_id=actor.user_id).order_by("-created_at", "-pk")[
        :200
    ]
    return sorted(rows, key=lambda r: r.status != RequestStatus.PENDING)


def request_for(actor: Actor, request_id: int) -> SignatureRequest:
    """One request, for its signer only; anyone else gets "not found" (ARCHITECTURE §4.4)."""
    row = SignatureRequest.objects.filter(pk=request_id).first()
    if row is None or not policies.may_read_request(actor, row):
        raise NotFound(policies.NOT_FOUND)
    return row


def certificates() -> list[Certificate]:
    return list(Certificate.objects.select_related("issuer").order_by("created_at", "pk"))


def read_stored(path: str) -> bytes:
    with default_storage.open(path, "rb") as handle:
        return handle.read()
