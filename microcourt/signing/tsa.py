"""The built-in time-stamp authority (RFC 3161, with RFC 5816's ESSCertIDv2) and the
time-stampers pyHanko uses to date signatures (PAdES B-T; 互联网法院规定第十一条).

This module builds and checks the ASN.1; ``actions.timestamp_issue`` allocates the serial
number (the audit row's id) and signs. ``timestamper()`` is the adapter every signature
goes through: the built-in TSA in-process when ``SIGNING_TSA_URL`` is blank, otherwise
pyHanko's ``HTTPTimeStamper`` to that external TSA."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from pyhanko.sign.general import as_signing_certificate_v2, simple_cms_attribute
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
# Message imprints we accept, with their lengths. SHA-1 and MD5 are refused (badAlg): a
# collision would let one token date two documents.
HASH_LENGTHS = {"sha256": 32, "sha384": 48, "sha512": 64, "sha3_256": 32, "sha3_512": 64}
MAX_REQUEST_BYTES = 16 * 1024


class Refusal(Exception):
    """A request the TSA answers with PKIStatus rejection and this failInfo."""

    def __init__(self, fail_info: str, text: str) -> None:
        super().__init__(text)
        self.fail_info = fail_info
        self.text = text


@dataclass(frozen=True)
class Checked:
    request: tsp.TimeStampReq
    hash_algorithm: str
    imprint: bytes
    nonce: int | None
    cert_req: bool


def parse(der: bytes) -> tsp.TimeStampReq:
    """A DER TimeStampReq, fully parsed, or Refusal(badDataFormat)."""
    if not der or len(der) > MAX_REQUEST_BYTES:
        raise Refusal("bad_data_format", "empty or oversized request")
    try:
        request = tsp.TimeStampReq.load(der, strict=True)
        request.native  # noqa: B018 — asn1crypto parses lazily; force it to find errors now
    except (ValueError, TypeError, KeyError) as error:
        raise Refusal("bad_data_format", f"not a DER TimeStampReq: {error}") from None
    return request


def check(request: tsp.TimeStampReq) -> Checked:
    """RFC 3161 §2.4.1: the version, a hash we accept with a digest of its length, our
    policy if one is asked for, and no extensions (we support none)."""
    if request["version"].native != "v1":
        raise Refusal("bad_data_format", "version must be 1")
    imprint = request["message_imprint"]
    algorithm = imprint["hash_algorithm"]["algorithm"].native
    if algorithm not in HASH_LENGTHS:
        raise Refusal("bad_alg", f"hash algorithm {algorithm} is not accepted")
    hashed = imprint["hashed_message"].native
    if len(hashed) != HASH_LENGTHS[algorithm]:
        raise Refusal(
            "bad_data_format", f"a {algorithm} digest has {HASH_LENGTHS[algorithm]} bytes"
        )
    policy = request["req_policy"].native
    if policy is not None and policy != settings.SIGNING_TSA_POLICY_OID:
        raise Refusal("unaccepted_policy", f"policy {policy} is not this TSA's")
    if request["extensions"].native:
        raise Refusal("unaccepted_extensions", "this TSA supports no request extensions")
    return Checked(
        request=request,
        hash_algorithm=algorithm,
        imprint=hashed,
        nonce=request["nonce"].native,
        cert_req=bool(request["cert_req"].native),
    )


def gen_time_now() -> dt.datetime:
    """genTime in whole seconds (the TSTInfo states an accuracy of one second)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def tst_info(checked: Checked, *, serial: int, gen_time: dt.datetime, tsa_name) -> tsp.TSTInfo:
    fields = {
        "version": "v1",
        "policy": settings.SIGNING_TSA_POLICY_OID,
        "message_imprint": checked.request["message_imprint"],
        "serial_number": serial,
        "gen_time": gen_time,
        "accuracy": {"seconds": 1},
        "ordering": False,
        "tsa": asn1_x509.GeneralName(name="directory_name", value=tsa_name),
    }
    if checked.nonce is not None:
        fields["nonce"] = checked.nonce
    return tsp.TSTInfo(fields)


def token(
    info: tsp.TSTInfo,
    *,
    certificate: asn1_x509.Certificate,
    key: ec.EllipticCurvePrivateKey,
    include_certificate: bool,
) -> cms.ContentInfo:
    """The TimeStampToken: CMS SignedData over the TSTInfo (id-ct-TSTInfo), signed by the
    TSA with signed attributes content-type, message-digest, signing-time and
    signing-certificate-v2 (RFC 5816 ESSCertIDv2, which binds the token to this cert)."""
    content = info.dump()
    gen_time = info["gen_time"].native
    attributes = cms.CMSAttributes(
        [
            simple_cms_attribute("content_type", "tst_info"),
            simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(gen_time)})),
            simple_cms_attribute("message_digest", hashlib.sha256(content).digest()),
            simple_cms_attribute("signing_certificate_v2", as_signing_certificate_v2(certificate)),
        ]
    )
    signature = key.sign(attributes.dump(), ec.ECDSA(hashes.SHA256()))
    digest_algorithm = algos.DigestAlgorithm({"algorithm": "sha256"})
    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                        {"issuer": certificate.issuer, "serial_number": certificate.serial_number}
                    )
                }
            ),
            "digest_algorithm": digest_algorithm,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
            "signed_attrs": attributes,
            "signature": signature,
        }
    )
    signed_data = {
        "version": "v3",
        "digest_algorithms": [digest_algorithm],
        "encap_content_info": {
            "content_type": "tst_info",
            "content": cms.ParsableOctetString(content),
        },
        "signer_infos": [signer_info],
    }
    if include_certificate:  # certReq (RFC 3161 §2.4.1)
        signed_data["certificates"] = [certificate]
    return cms.ContentInfo({"content_type": "signed_data", "content": cms.SignedData(signed_data)})


class TimeStampResponse(core.Sequence):
    """RFC 3161's TimeStampResp, whose token is OPTIONAL (absent in a rejection);
    asn1crypto's own class requires it."""

    _fields = [
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


def granted(time_stamp_token: cms.ContentInfo) -> TimeStampResponse:
    return TimeStampResponse(
        {"status": {"status": "granted"}, "time_stamp_token": time_stamp_token}
    )


def rejection(refusal: Refusal) -> TimeStampResponse:
    return TimeStampResponse(
        {
            "status": {
                "status": "rejection",
                "status_string": [refusal.text],
                "fail_info": tsp.PKIFailureInfo({refusal.fail_info}),
            }
        }
    )


class BuiltInTimeStamper(TimeStamper):
    """pyHanko's client side of our own TSA, without an HTTP round trip to ourselves.

    pyHanko runs its signing coroutine on an event loop; the TSA writes its audit row with
    the ORM, which must run synchronously on the caller's thread (and in its transaction).
    ``sync_to_async(thread_sensitive=True)`` sends it back there when the signing was
    started with ``async_to_sync`` — which is how ``engine`` calls pyHanko."""

    def __init__(self, issue: Callable[[tsp.TimeStampReq], TimeStampResponse], sample) -> None:
        super().__init__(include_nonce=True)
        self._issue = issue
        self._sample = sample

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> TimeStampResponse:
        return await sync_to_async(self._issue, thread_sensitive=True)(req)

    async def async_dummy_response(self, md_algorithm) -> cms.ContentInfo:
        """pyHanko sizes the signature with a sample token. Ours has the real certificate and
        the largest serial's length, but a throwaway key: it is never issued, so it is
        neither signed by the TSA key nor counted."""
        cached = self._dummy_response_cache.get(md_algorithm)
        if cached is not None:
            return cached
        dummy = await sync_to_async(self._sample, thread_sensitive=True)(md_algorithm)
        self._register_dummy(md_algorithm, dummy)
        return dummy


def external(url: str) -> HTTPTimeStamper:
    return HTTPTimeStamper(url, timeout=10)
