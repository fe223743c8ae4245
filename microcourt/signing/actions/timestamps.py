"""The built-in TSA's writes, and ``timestamper()``: the one adapter every signature asks
for its RFC 3161 time-stamp (互联网法院规定第十一条: e-signature + trusted time-stamp).

A token is not a ledger entry: the TSA answers the public (``POST /tsa/``), and a public,
unauthenticated endpoint must not be able to grow the court's ledger. Its audit trail is
``TimestampToken`` (one row per token; the row id is the serial), and each token is
itself signed; the signatures it dates are in the ledger."""

from __future__ import annotations

import hashlib

from asn1crypto import cms, tsp
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction
from pyhanko.sign.timestamps import TimeStamper

from .. import pki, tsa
from ..errors import PkiNotReady
from ..models import TimestampToken
from .certificates import pki_ensure

# The sample token pyHanko sizes signatures with: serial and nonce at their largest.
SAMPLE_SERIAL = 2**63 - 1
SAMPLE_NONCE = 2**64 - 1


@transaction.atomic
def timestamp_issue(*, request: tsp.TimeStampReq) -> tsa.TimeStampResponse:
    """Answer one TimeStampReq (RFC 3161 §2.4): a granted TimeStampToken over the message
    imprint, or a rejection with the failInfo that names the problem."""
    try:
        checked = tsa.check(request)
    except tsa.Refusal as refusal:
        return tsa.rejection(refusal)
    try:
        certificate = pki_ensure().tsa
        key = pki.load_key(certificate.key_file)
    except (PkiNotReady, pki.PkiFileError):
        return tsa.rejection(
            tsa.Refusal("system_failure", "the time-stamp authority is not set up")
        )
    gen_time = tsa.gen_time_now()
    row = TimestampToken.objects.create(
        hash_algorithm=checked.hash_algorithm,
        message_imprint=checked.imprint.hex(),
        gen_time=gen_time,
        nonce="" if checked.nonce is None else format(checked.nonce, "x"),
        policy=settings.SIGNING_TSA_POLICY_OID,
        tsa_certificate=certificate,
    )
    asn1_certificate = pki.as_asn1_certificate(certificate.certificate_pem)
    info = tsa.tst_info(
        checked, serial=row.serial, gen_time=gen_time, tsa_name=asn1_certificate.subject
    )
    token = tsa.token(
        info, certificate=asn1_certificate, key=key, include_certificate=checked.cert_req
    )
    row.token_sha256 = hashlib.sha256(token.dump()).hexdigest()
    row.save(update_fields=["token_sha256"])
    return tsa.granted(token)


def timestamp_respond(*, request_der: bytes) -> bytes:
    """``POST /tsa/``: DER in, DER out; a request that does not parse is answered too."""
    try:
        request = tsa.parse(request_der)
    except tsa.Refusal as refusal:
        return tsa.rejection(refusal).dump()
    return timestamp_issue(request=request).dump()


# One sample per TSA certificate and hash: building it costs as much as a real token.
_SAMPLES: dict[tuple[str, str], cms.ContentInfo] = {}


def _sample(md_algorithm: str) -> cms.ContentInfo:
    """A token shaped like a real one (our certificate, the largest serial and nonce) but
    signed with a throwaway key: pyHanko only measures it, and it is never issued."""
    pem = pki_ensure().tsa.certificate_pem
    key = (pem, md_algorithm)
    if key not in _SAMPLES:
        _SAMPLES.clear()  # a rotated certificate: the old sample is of no more use
        _SAMPLES[key] = _build_sample(pem, md_algorithm)
    return _SAMPLES[key]


def _build_sample(pem: str, md_algorithm: str) -> cms.ContentInfo:
    certificate = pki.as_asn1_certificate(pem)
    length = tsa.HASH_LENGTHS.get(md_algorithm, 64)
    request = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": md_algorithm},
                "hashed_message": bytes(length),
            },
            "nonce": SAMPLE_NONCE,
            "cert_req": True,
        }
    )
    checked = tsa.Checked(request, md_algorithm, bytes(length), SAMPLE_NONCE, True)
    info = tsa.tst_info(
        checked, serial=SAMPLE_SERIAL, gen_time=tsa.gen_time_now(), tsa_name=certificate.subject
    )
    throwaway = ec.generate_private_key(ec.SECP256R1())
    return tsa.token(info, certificate=certificate, key=throwaway, include_certificate=True)


def timestamper() -> TimeStamper:
    """The built-in TSA, in-process, when ``SIGNING_TSA_URL`` is blank; otherwise pyHanko's
    HTTP client to that external RFC 3161 TSA (e.g. a national time service)."""
    if settings.SIGNING_TSA_URL:
        return tsa.external(settings.SIGNING_TSA_URL)
    return tsa.BuiltInTimeStamper(lambda request: timestamp_issue(request=request), _sample)
