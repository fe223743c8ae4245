"""The built-in time-stamp authority (RFC 3161), checked against an independent
implementation: OpenSSL builds the request, reads our reply and verifies the token."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest
from asn1crypto import tsp

from microcourt.signing import actions, selectors, tsa
from microcourt.signing.models import TimestampToken

pytestmark = pytest.mark.django_db

needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl CLI")


def openssl(*args: str, cwd) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def ask(client, body: bytes, content_type: str = tsa.QUERY_TYPE):
    return client.post("/tsa/", data=body, content_type=content_type)


def request_for(data: bytes, *, algorithm="sha256", nonce=12345, cert_req=True, **extra):
    digest = hashlib.new(algorithm.replace("_", "-") if "sha3" in algorithm else algorithm, data)
    fields = {
        "version": "v1",
        "message_imprint": {
            "hash_algorithm": {"algorithm": algorithm},
            "hashed_message": digest.digest(),
        },
        "cert_req": cert_req,
        **extra,
    }
    if nonce is not None:
        fields["nonce"] = nonce
    return tsp.TimeStampReq(fields)


@needs_openssl
def test_openssl_asks_our_tsa_and_accepts_the_token(client, tmp_path):
    """A lawyer's own tools: `openssl ts -query` asks, `openssl ts -verify` checks the reply
    against the root certificate anyone can download from /pki/ca.pem."""
    document = tmp_path / "transcript.txt"
    document.write_text("庭审笔录：原告张三、被告王五到庭。\n", encoding="utf-8")
    made = openssl(
        "ts", "-query", "-data", "transcript.txt", "-sha256", "-cert", "-out", "req.tsq",
        cwd=tmp_path,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr

    reply = ask(client, (tmp_path / "req.tsq").read_bytes())
    assert reply.status_code == 200
    assert reply["Content-Type"] == "application/timestamp-reply"
    (tmp_path / "resp.tsr").write_bytes(reply.content)
    (tmp_path / "root.pem").write_bytes(client.get("/pki/ca.pem").content)
    (tmp_path / "tsa.pem").write_text(actions.pki_ensure().tsa.certificate_pem)

    text = openssl("ts", "-reply", "-in", "resp.tsr", "-text", cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    assert "Status: Granted." in text.stdout
    row = TimestampToken.objects.get()
    assert f"Policy OID: {row.policy}" in text.stdout
    assert f"Serial number: 0x{row.serial:02X}" in text.stdout
    assert "Nonce: 0x" in text.stdout
    assert "Accuracy: 0x01 seconds" in text.stdout

    for extra in (["-untrusted", "tsa.pem"], []):  # -cert: the token carries the TSA's cert
        verified = openssl(
            "ts", "-verify", "-data", "transcript.txt", "-in", "resp.tsr",
            "-CAfile", "root.pem", *extra,
            cwd=tmp_path,
        )  # fmt: skip
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "Verification: OK" in verified.stdout

    # The audit row: the serial in the token, the digest stamped, and the time.
    assert row.message_imprint == hashlib.sha256(document.read_bytes()).hexdigest()
    assert row.hash_algorithm == "sha256"
    assert row.token_sha256


@needs_openssl
def test_a_token_does_not_verify_for_other_data(client, tmp_path):
    (tmp_path / "a.txt").write_text("调解协议第一稿")
    (tmp_path / "b.txt").write_text("调解协议第二稿")
    openssl("ts", "-query", "-data", "a.txt", "-sha256", "-cert", "-out", "q.tsq", cwd=tmp_path)
    (tmp_path / "r.tsr").write_bytes(ask(client, (tmp_path / "q.tsq").read_bytes()).content)
    (tmp_path / "root.pem").write_text(actions.pki_ensure().root.certificate_pem)
    (tmp_path / "tsa.pem").write_text(actions.pki_ensure().tsa.certificate_pem)
    result = openssl(
        "ts", "-verify", "-data", "b.txt", "-in", "r.tsr",
        "-CAfile", "root.pem", "-untrusted", "tsa.pem",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode != 0
    assert "message imprint mismatch" in (result.stdout + result.stderr)


def test_the_nonce_is_echoed_serials_are_unique_and_cert_req_is_honoured(client):
    first = tsa.TimeStampResponse.load(ask(client, request_for(b"one", nonce=777).dump()).content)
    second = tsa.TimeStampResponse.load(
        ask(client, request_for(b"two", nonce=None, cert_req=False).dump()).content
    )
    assert first["status"]["status"].native == "granted"
    info_1 = first["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
    info_2 = second["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
    assert info_1["nonce"].native == 777
    assert info_2["nonce"].native is None
    assert info_1["serial_number"].native != info_2["serial_number"].native
    assert info_1["message_imprint"]["hashed_message"].native == hashlib.sha256(b"one").digest()
    assert info_1["gen_time"].native.tzinfo is not None
    # certReq true: the TSA's certificate is in the token; false: it is left out.
    assert len(first["time_stamp_token"]["content"]["certificates"]) == 1
    assert not second["time_stamp_token"]["content"]["certificates"].native
    signed_attributes = {
        a["type"].native
        for a in first["time_stamp_token"]["content"]["signer_infos"][0]["signed_attrs"]
    }
    assert {"content_type", "message_digest", "signing_time", "signing_certificate_v2"} <= (
        signed_attributes
    )
    assert set(TimestampToken.objects.values_list("serial", flat=True)) == {
        info_1["serial_number"].native,
        info_2["serial_number"].native,
    }


@pytest.mark.parametrize(
    ("body", "fail_info"),
    [
        (lambda: request_for(b"x", algorithm="sha1").dump(), "bad_alg"),
        (lambda: request_for(b"x", algorithm="md5").dump(), "bad_alg"),
        (lambda: b"this is not DER", "bad_data_format"),
        (lambda: b"\x30\x03\x02\x01\x01", "bad_data_format"),  # a SEQUENCE missing fields
        (
            lambda: tsp.TimeStampReq(
                {
                    "version": "v1",
                    "message_imprint": {
                        "hash_algorithm": {"algorithm": "sha256"},
                        "hashed_message": b"too short",
                    },
                }
            ).dump(),
            "bad_data_format",
        ),
        (lambda: request_for(b"x", req_policy="1.2.3.4").dump(), "unaccepted_policy"),
    ],
)
def test_bad_requests_are_refused_with_the_right_failure(client, body, fail_info):
    reply = ask(client, body())
    assert reply.status_code == 200  # RFC 3161 answers refusals in a TimeStampResp
    response = tsa.TimeStampResponse.load(reply.content)
    assert response["status"]["status"].native == "rejection"
    assert response["status"]["fail_info"].native == {fail_info}
    assert response["status"]["status_string"].native
    assert not TimestampToken.objects.exists()


def test_the_tsa_endpoint_wants_the_timestamp_query_type(client):
    assert ask(client, request_for(b"x").dump(), "application/octet-stream").status_code == 415
    assert client.get("/tsa/").status_code == 405


def test_the_tsa_needs_no_csrf_token():
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    reply = strict.post("/tsa/", data=request_for(b"x").dump(), content_type=tsa.QUERY_TYPE)
    assert tsa.TimeStampResponse.load(reply.content)["status"]["status"].native == "granted"


def test_production_without_an_initialised_pki_answers_system_failure(client, settings):
    settings.SIGNING_AUTO_INIT = False
    response = tsa.TimeStampResponse.load(ask(client, request_for(b"x").dump()).content)
    assert response["status"]["status"].native == "rejection"
    assert response["status"]["fail_info"].native == {"system_failure"}


def test_signing_asks_the_built_in_tsa_in_process_once(signed_by_zhang):
    """One token per signature (pyHanko's size estimate uses an unsigned sample, never
    issued), for exactly the signature value's digest."""
    token = TimestampToken.objects.get()
    report = selectors.pdf_verify(signed_by_zhang.pdf)
    assert report.valid
    stamped = report.signatures[0].signing_time
    assert stamped == token.gen_time


@pytest.mark.django_db(transaction=True)
def test_an_external_tsa_is_asked_over_http(live_server, settings, zhang, agreement):
    """MICROCOURT_TSA_URL set: pyHanko's HTTP client asks that TSA. Here the external TSA
    is our own /tsa/ served by a live server, so its tokens are checked the same way."""
    # An external TSA has its own keys before anyone asks it. (Here it shares our database:
    # were the TSA certificate first created inside the signing transaction, the server's
    # thread would wait on that uncommitted row while the signer waits on the server.)
    actions.pki_ensure()
    settings.SIGNING_TSA_URL = f"{live_server.url}/tsa/"
    assert type(actions.timestamper()).__name__ == "HTTPTimeStamper"
    signed = actions.pdf_sign(pdf=agreement, actor=zhang, purpose="mediation", reason="确认")
    report = selectors.pdf_verify(signed.pdf)
    assert report.valid, report
    assert report.signatures[0].timestamp_valid
    assert TimestampToken.objects.count() >= 1  # issued by the "external" server's thread
