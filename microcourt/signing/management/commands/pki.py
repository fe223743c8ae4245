"""``microcourt pki init|seal|rotate|revoke|crl|list`` — the signing PKI (docs/signatures.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from microcourt.core.actor import Actor
from microcourt.core.errors import DomainError
from microcourt.signing import actions, pki, selectors
from microcourt.signing.models import CertificatePurpose, RevocationReason

PURPOSES = {
    "signing": CertificatePurpose.SIGNING,
    "tsa": CertificatePurpose.TSA,
    "seal": CertificatePurpose.COURT_SEAL,
}


def _when(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--since {value!r} is not an ISO date/time, e.g. 2025-03-01T08:00"
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = (
        "The signing PKI: root CA, platform signing, court seals, TSA; rotation, revocation, CRL."
    )

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        init = commands.add_parser(
            "init", help="create the root CA, the platform signing and the TSA certificates"
        )
        init.add_argument(
            "--force",
            action="store_true",
            help="re-create even if certificates exist (the old ones are retired, not deleted)",
        )
        seal = commands.add_parser("seal", help="issue a court's e-seal certificate (电子印章)")
        seal.add_argument("--court-code", required=True, help="e.g. 浙0203")
        seal.add_argument("--court-name", required=True, help="e.g. 宁波市海曙区人民法院")
        rotate = commands.add_parser(
            "rotate", help="put a new certificate in use; the old one stays valid for verification"
        )
        rotate.add_argument("--purpose", required=True, choices=sorted(PURPOSES))
        rotate.add_argument("--court-code", default="", help="required with --purpose seal")
        rotate.add_argument("--court-name", default="", help="defaults to the old seal's")
        revoke = commands.add_parser("revoke", help="revoke a certificate and sign a fresh CRL")
        revoke.add_argument("serial", help="hexadecimal serial number (see `pki list`)")
        revoke.add_argument("--reason", required=True, choices=RevocationReason.values)
        revoke.add_argument(
            "--since",
            default="",
            help="distrust signatures from this time (default: the revocation; for "
            "key_compromise the certificate's start)",
        )
        crl = commands.add_parser("crl", help="sign a fresh CRL and write it (DER)")
        crl.add_argument("--out", default="", help="file to write; PEM to stdout without it")
        commands.add_parser("list", help="list every certificate")

    def handle(self, *args, command, **options):
        actor = Actor.system(f"microcourt pki {command}")
        try:
            getattr(self, f"_{command}")(actor, **options)
        except DomainError as error:
            details = "; ".join(f"{k}: {v}" for k, v in error.fields.items())
            raise CommandError(f"{error.message}" + (f" ({details})" if details else "")) from None
        except pki.PkiFileError as error:
            raise CommandError(str(error)) from None

    def _show(self, certificate) -> None:
        court = f" {certificate.court_code}" if certificate.court_code else ""
        self.stdout.write(
            f"  {certificate.get_purpose_display()}{court}: {certificate.subject_cn}  "
            f"serial {certificate.serial}  until {certificate.not_after:%Y-%m-%d}"
        )

    def _init(self, actor, *, force, **_):
        state = actions.pki_init(actor=actor, force=force)
        self.stdout.write(self.style.SUCCESS("PKI initialised:"))
        for certificate in (state.root, state.signing, state.tsa):
            self._show(certificate)
        self.stdout.write(f"keys in {pki.directory()} (back them up with the database)")

    def _seal(self, actor, *, court_code, court_name, **_):
        certificate = actions.pki_seal_issue(
            court_code=court_code, court_name=court_name, actor=actor
        )
        self.stdout.write(self.style.SUCCESS("court seal issued:"))
        self._show(certificate)

    def _rotate(self, actor, *, purpose, court_code, court_name, **_):
        certificate = actions.pki_rotate(
            purpose=PURPOSES[purpose], court_code=court_code, court_name=court_name, actor=actor
        )
        self.stdout.write(self.style.SUCCESS("rotated; now in use:"))
        self._show(certificate)

    def _revoke(self, actor, *, serial, reason, since, **_):
        certificate = actions.pki_revoke(
            serial=serial, reason=reason, actor=actor, invalid_since=_when(since) if since else None
        )
        self.stdout.write(
            self.style.WARNING(f"revoked {certificate.serial} ({reason}); a fresh CRL is published")
        )
        if certificate.purpose != CertificatePurpose.ROOT_CA:
            short = {v: k for k, v in PURPOSES.items()}[certificate.purpose]
            extra = f" --court-code {certificate.court_code}" if certificate.court_code else ""
            self.stdout.write(
                f"issue its replacement: microcourt pki rotate --purpose {short}{extra}"
            )

    def _crl(self, actor, *, out, **_):
        crl = actions.crl_issue(actor=actor)
        der = bytes(crl.der)
        if out:
            Path(out).write_bytes(der)
            self.stdout.write(f"CRL #{crl.number} ({crl.revoked_count} revoked) written to {out}")
        else:
            pem = x509.load_der_x509_crl(der).public_bytes(serialization.Encoding.PEM)
            self.stdout.write(pem.decode("ascii"), ending="")

    def _list(self, actor, **_):
        rows = selectors.certificates()
        if not rows:
            self.stdout.write("no certificates: run `microcourt pki init`")
        for c in rows:
            state = "in use" if c.active else "retired"
            if c.revoked_at:
                state = f"REVOKED {c.revoked_at:%Y-%m-%d %H:%M} ({c.revocation_reason})"
            court = f" [{c.court_code}]" if c.court_code else ""
            self.stdout.write(
                f"{c.serial:>40}  {c.purpose:<10}{court} {c.subject_cn}  "
                f"{c.not_before:%Y-%m-%d}…{c.not_after:%Y-%m-%d}  {state}"
            )
