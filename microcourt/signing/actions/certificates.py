"""The PKI's writes: first use, ``pki init``, court seals, rotation, revocation and CRLs.
Each certificate issued, rotated or revoked is a ledger entry whose subject is the
certificate's SHA-256 fingerprint, so anyone can see which keys the court ever used."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, InvalidInput, NotFound
from microcourt.ledger import actions as ledger

from .. import pki, policies
from ..errors import PkiNotReady
from ..events import LedgerEvent
from ..models import Certificate, CertificatePurpose, CrlIssue, RevocationReason

Purpose = CertificatePurpose
# A CRL is re-signed at least this often, and promises the next one within a week.
CRL_REFRESH = dt.timedelta(days=1)
CRL_VALIDITY = dt.timedelta(days=7)
COMMON_NAMES = {
    Purpose.ROOT_CA: "根证书",
    Purpose.SIGNING: "平台签名",
    Purpose.TSA: "时间戳",
}
MAX_COURT_CODE = 32


@dataclass(frozen=True)
class ActivePki:
    """The certificates in use now (``seal`` only when a court was named)."""

    root: Certificate
    signing: Certificate
    tsa: Certificate
    seal: Certificate | None = None


def _system(reason: str) -> Actor:
    return Actor.system(reason)


def _active(purpose: str, court_code: str = "") -> Certificate | None:
    return (
        Certificate.objects.filter(purpose=purpose, court_code=court_code, active=True)
        .select_related("issuer")
        .first()
    )


def _expired(certificate: Certificate) -> bool:
    return certificate.not_after <= timezone.now()


def _record(code: int, certificate: Certificate, actor: Actor, **data) -> None:
    ledger.record(
        code=code,
        actor=actor,
        subject_digest=f"sha256:{certificate.sha256}",
        data={
            "certificate": certificate.pk,
            "purpose": certificate.purpose,
            "serial": certificate.serial,
            "court_code": certificate.court_code,
            **data,
        },
    )


def _save_issued(issued: pki.Issued, **fields) -> Certificate:
    """Insert the certificate row; a lost race (another process made the active one first)
    or any database refusal removes the key files just written."""
    try:
        with transaction.atomic():
            return Certificate.objects.create(
                serial=issued.serial,
                sha256=issued.sha256,
                certificate_pem=issued.pem,
                key_file=issued.key_file,
                not_before=issued.certificate.not_valid_before_utc,
                not_after=issued.certificate.not_valid_after_utc,
                active=True,
                **fields,
            )
    except Exception:
        pki.remove_files(issued.key_file)
        raise


def _issue_root(actor: Actor) -> Certificate:
    issued = pki.issue_root(COMMON_NAMES[Purpose.ROOT_CA])
    root = _save_issued(issued, purpose=Purpose.ROOT_CA, subject_cn=COMMON_NAMES[Purpose.ROOT_CA])
    _record(LedgerEvent.CERTIFICATE_ISSUED, root, actor)
    return root


def _issue_leaf(
    purpose: str, *, root: Certificate, actor: Actor, court_code: str = "", court_name: str = ""
) -> Certificate:
    if purpose == Purpose.COURT_SEAL:
        common_name, unit = f"{court_name}电子印章", court_code
    else:
        common_name, unit = COMMON_NAMES[purpose], str(Purpose(purpose).label)
    issued = pki.issue_leaf(
        purpose=purpose,
        common_name=common_name,
        unit=unit,
        issuer_key=pki.load_key(root.key_file),
        issuer_certificate=pki.load_certificate(root.certificate_pem),
    )
    certificate = _save_issued(
        issued,
        purpose=purpose,
        court_code=court_code,
        court_name=court_name,
        subject_cn=common_name,
        issuer=root,
    )
    _record(LedgerEvent.CERTIFICATE_ISSUED, certificate, actor)
    return certificate


def _not_ready(purpose: str, court_code: str = "", *, expired: bool = False) -> PkiNotReady:
    """What to tell the operator. The root comes first (``pki init``); a missing or expired
    signing, TSA or seal certificate under an existing root is a rotation (or ``pki seal``
    for a court's first seal) — e.g. after a revocation."""
    if purpose == Purpose.ROOT_CA:
        command = "microcourt pki init --force" if expired else "microcourt pki init"
        what = _("电子签名根证书")
    elif purpose == Purpose.COURT_SEAL:
        command = f"microcourt pki seal --court-code {court_code} --court-name <法院名称>"
        if expired:
            command = f"microcourt pki rotate --purpose seal --court-code {court_code}"
        what = _("法院 %(code)s 的电子印章证书") % {"code": court_code}
    else:
        short = "signing" if purpose == Purpose.SIGNING else "tsa"
        command = f"microcourt pki rotate --purpose {short}"
        what = _("%(purpose)s证书") % {"purpose": Purpose(purpose).label}
    state = _("已过期") if expired else _("尚未签发或已吊销")
    return PkiNotReady(
        _("%(what)s%(state)s：请管理员运行 %(command)s")
        % {"what": what, "state": state, "command": command}
    )


def _ensure(
    purpose: str, make: Callable[[], Certificate], *, actor: Actor, court_code: str = ""
) -> Certificate:
    """The active certificate, or a new one when ``SIGNING_AUTO_INIT`` allows."""
    found = _active(purpose, court_code)
    if found is not None and not _expired(found):
        return found
    if not settings.SIGNING_AUTO_INIT:
        raise _not_ready(purpose, court_code, expired=found is not None)
    try:
        with transaction.atomic():
            if found is not None:  # expired: retire it, keep it for verification
                found.active = False
                found.save(update_fields=["active"])
                _record(LedgerEvent.CERTIFICATE_ROTATED, found, actor, retired_by="expiry")
            return make()
    except IntegrityError:
        # Another process made it first: use theirs.
        winner = _active(purpose, court_code)
        if winner is None:
            raise
        return winner


def _root(actor: Actor) -> Certificate:
    """The root in use (made on first use where allowed); the operator's commands need only
    the root, whatever else is missing — e.g. rotating in a signing key after a revocation."""
    return _ensure(Purpose.ROOT_CA, lambda: _issue_root(actor), actor=actor)


@transaction.atomic
def pki_root(*, actor: Actor | None = None) -> Certificate:
    """The root CA in use (``/pki/ca.pem``); like ``pki_ensure`` for the root alone."""
    return _root(actor or _system("pki first use"))


@transaction.atomic
def pki_ensure(
    *, court_code: str = "", court_name: str = "", actor: Actor | None = None
) -> ActivePki:
    """The certificates a signature needs: root CA, platform signing, TSA and, when a court
    is named, that court's seal. What is missing is made on first use where
    ``SIGNING_AUTO_INIT`` is on (development, tests); in production it raises
    ``PkiNotReady`` naming the command to run (``microcourt pki init`` / ``pki seal``)."""
    actor = actor or _system("pki first use")
    root = _root(actor)
    signing = _ensure(
        Purpose.SIGNING, lambda: _issue_leaf(Purpose.SIGNING, root=root, actor=actor), actor=actor
    )
    tsa = _ensure(
        Purpose.TSA, lambda: _issue_leaf(Purpose.TSA, root=root, actor=actor), actor=actor
    )
    seal = None
    if court_code:
        court_code = court_code_checked(court_code)

        def make_seal() -> Certificate:
            if not court_name.strip():
                raise InvalidInput(
                    _("签发电子印章需要法院名称。"), fields={"court_name": _("必填")}
                )
            return _issue_leaf(
                Purpose.COURT_SEAL,
                root=root,
                actor=actor,
                court_code=court_code,
                court_name=court_name.strip(),
            )

        seal = _ensure(Purpose.COURT_SEAL, make_seal, actor=actor, court_code=court_code)
    return ActivePki(root=root, signing=signing, tsa=tsa, seal=seal)


def court_code_checked(value: str) -> str:
    code = (value or "").strip()
    if not code or len(code) > MAX_COURT_CODE or any(c.isspace() for c in code):
        raise InvalidInput(
            _("法院代码不正确。"),
            fields={"court_code": _("应为不含空格的法院代码，如 浙0203")},
        )
    return code


@transaction.atomic
def pki_init(*, actor: Actor, force: bool = False) -> ActivePki:
    """``microcourt pki init``: a new root CA, platform signing and TSA certificates. Refused
    when certificates are already in use, unless ``force``: then every certificate in use is
    retired (kept, so what it signed still verifies) and each court's seal is re-issued
    under the new root."""
    policies.require_run_pki(actor)
    in_use = list(Certificate.objects.filter(active=True).order_by("pk"))
    if in_use and not force:
        raise Conflict(
            _("PKI 已经初始化（%(count)s 张证书在用）。如确需重建根证书，请加 --force。")
            % {"count": len(in_use)},
            fields={"force": _("已初始化")},
        )
    for old in in_use:
        old.active = False
        old.save(update_fields=["active"])
        _record(LedgerEvent.CERTIFICATE_ROTATED, old, actor, retired_by="pki init --force")
    root = _issue_root(actor)
    signing = _issue_leaf(Purpose.SIGNING, root=root, actor=actor)
    tsa = _issue_leaf(Purpose.TSA, root=root, actor=actor)
    for old in in_use:
        if old.purpose == Purpose.COURT_SEAL:
            _issue_leaf(
                Purpose.COURT_SEAL,
                root=root,
                actor=actor,
                court_code=old.court_code,
                court_name=old.court_name,
            )
    crl_issue(actor=actor)
    return ActivePki(root=root, signing=signing, tsa=tsa)


@transaction.atomic
def pki_seal_issue(*, court_code: str, court_name: str, actor: Actor) -> Certificate:
    """``microcourt pki seal``: the court's e-seal certificate (电子印章, 互联网法院规定第十九
    条). A court has one in use; a replacement is a rotation."""
    policies.require_run_pki(actor)
    court_code = court_code_checked(court_code)
    court_name = (court_name or "").strip()
    if not court_name:
        raise InvalidInput(_("签发电子印章需要法院名称。"), fields={"court_name": _("必填")})
    if _active(Purpose.COURT_SEAL, court_code) is not None:
        raise Conflict(
            _("法院 %(code)s 已有在用的电子印章证书；如需更换，请运行 "
              "microcourt pki rotate --purpose seal --court-code %(code)s") % {"code": court_code},
            fields={"court_code": _("已有电子印章证书")},
        )  # fmt: skip
    root = _root(actor)
    return _issue_leaf(
        Purpose.COURT_SEAL, root=root, actor=actor, court_code=court_code, court_name=court_name
    )


@transaction.atomic
def pki_rotate(
    *, purpose: str, actor: Actor, court_code: str = "", court_name: str = ""
) -> Certificate:
    """``microcourt pki rotate``: a new certificate (and key) in use for ``purpose``; the old
    one is retired, not revoked — signatures and time-stamps it made stay valid."""
    policies.require_run_pki(actor)
    if purpose not in (Purpose.SIGNING, Purpose.TSA, Purpose.COURT_SEAL):
        raise InvalidInput(
            _("只能轮换平台签名、时间戳或电子印章证书。"),
            fields={"purpose": _("应为 signing、tsa 或 seal")},
        )
    code = court_code_checked(court_code) if purpose == Purpose.COURT_SEAL else ""
    root = _root(actor)
    old = _active(purpose, code)
    if old is not None:
        old.active = False
        old.save(update_fields=["active"])
    name = (court_name or "").strip() or (old.court_name if old else "")
    if purpose == Purpose.COURT_SEAL and not name:
        raise InvalidInput(_("签发电子印章需要法院名称。"), fields={"court_name": _("必填")})
    new = _issue_leaf(purpose, root=root, actor=actor, court_code=code, court_name=name)
    if old is not None:
        _record(LedgerEvent.CERTIFICATE_ROTATED, old, actor, replaced_by=new.serial)
    return new


@transaction.atomic
def pki_revoke(
    *, serial: str, reason: str, actor: Actor, invalid_since: dt.datetime | None = None
) -> Certificate:
    """``microcourt pki revoke``: list the certificate in the CRL (RFC 5280 §5.3.1 reason)
    and sign a fresh CRL. Signatures it made before the revocation stay trusted — their
    time-stamp proves when they were made — unless the key was compromised: then nothing
    it signed is trusted (from ``invalid_since``, by default the certificate's start)."""
    policies.require_run_pki(actor)
    try:
        normalised = pki.parse_serial(serial)
    except ValueError:
        raise InvalidInput(
            _("证书序列号格式不正确。"), fields={"serial": _("应为十六进制序列号")}
        ) from None
    if reason not in RevocationReason.values:
        raise InvalidInput(
            _("吊销原因不正确。"),
            fields={
                "reason": _("应为以下之一：%(list)s") % {"list": ", ".join(RevocationReason.values)}
            },
        )
    certificate = Certificate.objects.select_for_update().filter(serial=normalised).first()
    if certificate is None:
        raise NotFound(
            _("没有序列号为 %(serial)s 的证书（microcourt pki list 列出全部证书）。")
            % {"serial": normalised},
            fields={"serial": _("不存在")},
        )
    if certificate.purpose == Purpose.ROOT_CA:
        raise InvalidInput(
            _("根证书不能吊销；如根证书私钥泄露，请运行 microcourt pki init --force 重建。"),
            fields={"serial": _("这是根证书")},
        )
    if certificate.revoked_at is not None:
        raise Conflict(
            _("该证书已于 %(when)s 吊销。") % {"when": timezone.localtime(certificate.revoked_at)},
            fields={"serial": _("已吊销")},
        )
    now = timezone.now().replace(microsecond=0)
    if invalid_since is None and reason == RevocationReason.KEY_COMPROMISE:
        invalid_since = certificate.not_before
    certificate.revoked_at = now
    certificate.revocation_reason = reason
    certificate.invalid_since = invalid_since
    certificate.active = False
    certificate.save(update_fields=["revoked_at", "revocation_reason", "invalid_since", "active"])
    _record(LedgerEvent.CERTIFICATE_REVOKED, certificate, actor, reason=reason)
    crl_issue(actor=actor)
    return certificate


@transaction.atomic
def crl_issue(*, actor: Actor) -> CrlIssue:
    """Sign a new CRL for the root in use, listing every certificate it issued that was
    revoked. The row id is the CRL number, so numbers only grow."""
    policies.require_run_pki(actor)
    root = _root(actor)
    revoked = list(
        Certificate.objects.filter(issuer=root, revoked_at__isnull=False).order_by("revoked_at")
    )
    now = timezone.now().replace(microsecond=0)
    row = CrlIssue.objects.create(
        issuer=root, this_update=now, next_update=now + CRL_VALIDITY, revoked_count=len(revoked)
    )
    row.der = pki.build_crl(
        issuer_key=pki.load_key(root.key_file),
        issuer_certificate=pki.load_certificate(root.certificate_pem),
        number=row.number,
        this_update=now,
        next_update=now + CRL_VALIDITY,
        revoked=[
            pki.Revoked(c.serial_int, c.revoked_at, c.revocation_reason, c.invalid_since)
            for c in revoked
        ],
    )
    row.save(update_fields=["der"])
    ledger.record(
        code=LedgerEvent.CRL_ISSUED,
        actor=actor,
        subject_digest=f"sha256:{pki.sha256_hex(bytes(row.der))}",
        data={"crl": row.number, "revoked": [c.serial for c in revoked]},
    )
    return row


def crl_current() -> CrlIssue:
    """The CRL to publish: the latest, or a fresh one when it is a day old or a revocation
    happened since (what ``/pki/crl.der`` serves)."""
    root = pki_root()
    latest = CrlIssue.objects.filter(issuer=root).order_by("-number").first()
    revoked = Certificate.objects.filter(issuer=root, revoked_at__isnull=False).count()
    if (
        latest is None
        or timezone.now() - latest.this_update >= CRL_REFRESH
        or latest.revoked_count != revoked
    ):
        return crl_issue(actor=_system("CRL refresh"))
    return latest
