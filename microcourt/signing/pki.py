"""The platform's small PKI: a root CA, the platform signing certificate (平台签名), one
e-seal certificate per court (电子印章) and the time-stamp authority's certificate (时间戳).

Pure building blocks: keys, certificates, CRLs and the key files. Which certificate is in
use, rotation and revocation are ``actions``; this module writes only key files.

Keys are EC P-256. Each private key is a PEM file under ``settings.SIGNING_PKI_DIR``,
encrypted (PKCS#8, ``BestAvailableEncryption``) under ``settings.SIGNING_KEY_PASSPHRASE``;
the certificate is written beside it so that the directory alone is a complete backup of
the key material."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

# Validity periods. The root outlives everything it issues; a time-stamp certificate must
# outlive the period in which people check what it dated, so it is long too.
ROOT_YEARS = 20
SIGNING_YEARS = 3
SEAL_YEARS = 3
TSA_YEARS = 10
# Certificates start a little in the past: a verifier whose clock is behind ours would
# otherwise find a fresh certificate "not yet valid".
BACKDATE = dt.timedelta(minutes=5)
CRL_PATH = "/pki/crl.der"

SERIAL_HEX = re.compile(r"[0-9a-f]{1,64}")


class PkiFileError(RuntimeError):
    """A key file is missing or cannot be decrypted: the operator must act (say which)."""


@dataclass(frozen=True)
class Issued:
    """A new key pair and its certificate, with the key file already written."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    key_file: str  # relative to the PKI directory

    @property
    def pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")

    @property
    def serial(self) -> str:
        return serial_hex(self.certificate.serial_number)

    @property
    def sha256(self) -> str:
        return fingerprint(self.certificate)


def serial_hex(number: int) -> str:
    return format(number, "x")


def parse_serial(text: str) -> str:
    """A serial as people copy it (``0A:1B…``, ``0x0a1b``, upper case) → our lowercase hex."""
    value = text.strip().lower().removeprefix("0x").replace(":", "").replace(" ", "")
    value = value.lstrip("0") or "0"
    if not SERIAL_HEX.fullmatch(value):
        raise ValueError(f"{text!r} is not a hexadecimal certificate serial number")
    return value


def fingerprint(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA256()).hex()


def directory() -> Path:
    path = Path(settings.SIGNING_PKI_DIR)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def passphrase() -> bytes:
    value = settings.SIGNING_KEY_PASSPHRASE
    if not value:
        raise PkiFileError("SIGNING_KEY_PASSPHRASE (MICROCOURT_PKI_PASSPHRASE) is empty")
    return value.encode("utf-8")


def _name(common_name: str, unit: str = "") -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, settings.SIGNING_PKI_ORGANISATION),
    ]
    if unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _key_usage(*, sign: bool = False, ca: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _write_key(key: ec.EllipticCurvePrivateKey, certificate: x509.Certificate, stem: str) -> str:
    """Write the encrypted key (0600) and the certificate beside it; return the key's name."""
    folder = directory()
    key_name = f"{stem}.key.pem"
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase()),
    )
    # O_EXCL: a key file is never overwritten (its serial is in the name).
    fd = os.open(folder / key_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(encrypted)
    (folder / f"{stem}.cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_name


def remove_files(key_file: str) -> None:
    """Undo ``_write_key`` when the database refused the certificate (e.g. a race lost)."""
    folder = directory()
    stem = key_file.removesuffix(".key.pem")
    for name in (key_file, f"{stem}.cert.pem"):
        (folder / name).unlink(missing_ok=True)


def load_key(key_file: str) -> ec.EllipticCurvePrivateKey:
    path = directory() / key_file
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PkiFileError(
            f"private key file {path} is missing: restore SIGNING_PKI_DIR from backup, or "
            "issue a new certificate (microcourt pki rotate)"
        ) from None
    try:
        key = serialization.load_pem_private_key(data, password=passphrase())
    except (ValueError, TypeError):
        raise PkiFileError(
            f"cannot decrypt {path}: MICROCOURT_PKI_PASSPHRASE is not the passphrase the key "
            "was written with"
        ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise PkiFileError(f"{path} does not hold an EC private key")
    return key


def load_certificate(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode("ascii"))


def as_asn1_certificate(pem: str) -> asn1_x509.Certificate:
    """The certificate as pyHanko and asn1crypto want it."""
    return asn1_x509.Certificate.load(
        load_certificate(pem).public_bytes(serialization.Encoding.DER)
    )


def as_asn1_key(key: ec.EllipticCurvePrivateKey) -> asn1_keys.PrivateKeyInfo:
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return asn1_keys.PrivateKeyInfo.load(der)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _years(start: dt.datetime, years: int) -> dt.datetime:
    return start + dt.timedelta(days=365 * years + years // 4)


def issue_root(common_name: str) -> Issued:
    """A self-signed root CA: BasicConstraints(ca), KeyUsage(keyCertSign, cRLSign)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name)
    start = _now() - BACKDATE
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(_years(start, ROOT_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    stem = f"root_ca-{serial_hex(certificate.serial_number)}"
    return Issued(key, certificate, _write_key(key, certificate, stem))


def issue_leaf(
    *,
    purpose: str,
    common_name: str,
    unit: str,
    issuer_key: ec.EllipticCurvePrivateKey,
    issuer_certificate: x509.Certificate,
) -> Issued:
    """A certificate for signing (platform or seal) or for time-stamping, issued by the root.

    Signing and seal certificates carry KeyUsage(digitalSignature, nonRepudiation); the TSA's
    carries the critical ExtendedKeyUsage(timeStamping) RFC 3161 §2.3 requires. All carry
    AKI/SKI and the CRL distribution point where verifiers find revocations."""
    years = {"signing": SIGNING_YEARS, "court_seal": SEAL_YEARS, "tsa": TSA_YEARS}[purpose]
    key = ec.generate_private_key(ec.SECP256R1())
    start = _now() - BACKDATE
    not_after = min(_years(start, years), issuer_certificate.not_valid_after_utc)
    crl_url = settings.PUBLIC_BASE_URL.rstrip("/") + CRL_PATH
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, unit))
        .issuer_name(issuer_certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(crl_url)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
    )
    if purpose == "tsa":
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    certificate = builder.sign(issuer_key, hashes.SHA256())
    stem = f"{purpose}-{serial_hex(certificate.serial_number)}"
    return Issued(key, certificate, _write_key(key, certificate, stem))


@dataclass(frozen=True)
class Revoked:
    serial: int
    revoked_at: dt.datetime
    reason: str  # a RevocationReason value
    invalid_since: dt.datetime | None = None


def build_crl(
    *,
    issuer_key: ec.EllipticCurvePrivateKey,
    issuer_certificate: x509.Certificate,
    number: int,
    this_update: dt.datetime,
    next_update: dt.datetime,
    revoked: list[Revoked],
) -> bytes:
    """A DER CRL (RFC 5280 §5) signed by the root: each revoked serial with its date, its
    reason code and, where the key is distrusted from earlier, the invalidity date."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer_certificate.subject)
        .last_update(this_update)
        .next_update(next_update)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    for item in revoked:
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(item.serial)
            .revocation_date(item.revoked_at)
            .add_extension(x509.CRLReason(x509.ReasonFlags[item.reason]), critical=False)
        )
        if item.invalid_since is not None:
            entry = entry.add_extension(
                x509.InvalidityDate(item.invalid_since.astimezone(dt.UTC).replace(tzinfo=None)),
                critical=False,
            )
        builder = builder.add_revoked_certificate(entry.build())
    return builder.sign(issuer_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
