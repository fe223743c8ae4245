"""The PKI an operator runs with `microcourt pki …`: what each certificate says about
itself, encrypted key files, init/seal/rotate/revoke/crl/list, and first use."""

from __future__ import annotations

import datetime as dt
import io
import stat
import subprocess
import sys

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID
from django.core.management import CommandError, call_command
from django.utils import timezone

from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, InvalidInput, NotFound
from microcourt.ledger.models import Entry
from microcourt.signing import actions, pki
from microcourt.signing.errors import PkiNotReady
from microcourt.signing.events import LedgerEvent
from microcourt.signing.models import Certificate, CrlIssue

pytestmark = pytest.mark.django_db

OPERATOR = Actor.system("test operator")


def pki_cmd(*args: str) -> str:
    out = io.StringIO()
    call_command("pki", *args, stdout=out)
    return out.getvalue()


def cert(row: Certificate) -> x509.Certificate:
    return pki.load_certificate(row.certificate_pem)


def test_init_makes_a_root_a_signing_and_a_tsa_certificate_with_the_right_extensions(settings):
    output = pki_cmd("init")
    assert "PKI initialised" in output
    root = Certificate.objects.get(purpose="root_ca")
    signing = Certificate.objects.get(purpose="signing")
    stamp = Certificate.objects.get(purpose="tsa")

    root_x = cert(root)
    assert root_x.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = root_x.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign and not usage.digital_signature
    assert root_x.issuer == root_x.subject

    for row in (signing, stamp):
        leaf = cert(row)
        assert leaf.issuer == root_x.subject
        assert row.issuer_id == root.pk
        usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
        assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
        aki = leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
        ski = root_x.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        assert aki.key_identifier == ski.digest
        assert leaf.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        points = leaf.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        assert points[0].full_name[0].value == "https://court.example/pki/crl.der"
        # Verifiable with the root's key.
        leaf.verify_directly_issued_by(root_x)

    eku = cert(stamp).extensions.get_extension_for_oid(ExtensionOID.EXTENDED_KEY_USAGE)
    assert eku.critical  # RFC 3161 §2.3
    assert list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    with pytest.raises(x509.ExtensionNotFound):
        cert(signing).extensions.get_extension_for_class(x509.ExtendedKeyUsage)

    # Each issuance is in the ledger, its subject the certificate's fingerprint.
    issued = Entry.objects.filter(code=LedgerEvent.CERTIFICATE_ISSUED)
    assert set(issued.values_list("subject_digest", flat=True)) == {
        f"sha256:{c.sha256}" for c in (root, signing, stamp)
    }


def test_key_files_are_encrypted_private_and_need_the_passphrase(settings):
    state = actions.pki_init(actor=OPERATOR)
    path = settings.SIGNING_PKI_DIR / state.signing.key_file
    text = path.read_text()
    assert text.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (settings.SIGNING_PKI_DIR / state.signing.key_file.replace(".key.", ".cert.")).exists()
    with pytest.raises(TypeError):
        serialization.load_pem_private_key(text.encode(), password=None)
    key = pki.load_key(state.signing.key_file)
    assert key.public_key() == cert(state.signing).public_key()
    settings.SIGNING_KEY_PASSPHRASE = "a different passphrase"
    with pytest.raises(pki.PkiFileError, match="MICROCOURT_PKI_PASSPHRASE"):
        pki.load_key(state.signing.key_file)


def test_init_twice_is_refused_unless_forced_and_force_keeps_the_old_ones(settings):
    first = actions.pki_init(actor=OPERATOR)
    actions.pki_seal_issue(court_code="浙0203", court_name="宁波市海曙区人民法院", actor=OPERATOR)
    with pytest.raises(CommandError, match="--force"):
        pki_cmd("init")
    pki_cmd("init", "--force")
    assert Certificate.objects.count() == 8  # 4 retired + 4 new (root, signing, tsa, seal)
    first.root.refresh_from_db()
    assert not first.root.active
    seal = Certificate.objects.get(purpose="court_seal", active=True)
    assert seal.court_code == "浙0203" and seal.issuer.active  # re-issued under the new root


def test_a_court_seal_is_issued_once_then_rotated(settings):
    output = pki_cmd("seal", "--court-code", "浙0203", "--court-name", "宁波市海曙区人民法院")
    assert "court seal issued" in output
    seal = Certificate.objects.get(purpose="court_seal")
    assert seal.court_code == "浙0203"
    subject = cert(seal).subject
    assert subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == (
        "宁波市海曙区人民法院电子印章"
    )
    with pytest.raises(CommandError, match="pki rotate --purpose seal --court-code 浙0203"):
        pki_cmd("seal", "--court-code", "浙0203", "--court-name", "宁波市海曙区人民法院")
    pki_cmd("rotate", "--purpose", "seal", "--court-code", "浙0203")
    new = Certificate.objects.get(purpose="court_seal", active=True)
    assert new.pk != seal.pk and new.court_name == "宁波市海曙区人民法院"
    seal.refresh_from_db()
    assert not seal.active and seal.revoked_at is None


def test_seal_needs_a_court_name_and_a_sane_code():
    with pytest.raises(InvalidInput) as caught:
        actions.pki_seal_issue(court_code="浙0203", court_name=" ", actor=OPERATOR)
    assert "court_name" in caught.value.fields
    with pytest.raises(InvalidInput) as caught:
        actions.pki_seal_issue(court_code="浙 0203", court_name="某法院", actor=OPERATOR)
    assert "court_code" in caught.value.fields
    with pytest.raises(CommandError, match="court_code"):
        pki_cmd("rotate", "--purpose", "seal")


def test_revoke_lists_the_certificate_in_a_fresh_crl_with_reason_and_date(client):
    state = actions.pki_init(actor=OPERATOR)
    output = pki_cmd("revoke", state.signing.serial.upper(), "--reason", "key_compromise")
    assert "revoked" in output and "pki rotate --purpose signing" in output
    state.signing.refresh_from_db()
    assert state.signing.revocation_reason == "key_compromise"
    assert state.signing.invalid_since == state.signing.not_before
    assert Entry.objects.filter(code=LedgerEvent.CERTIFICATE_REVOKED).count() == 1

    response = client.get("/pki/crl.der")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pkix-crl"
    crl = x509.load_der_x509_crl(response.content)
    assert crl.is_signature_valid(cert(state.root).public_key())
    entry = crl.get_revoked_certificate_by_serial_number(state.signing.serial_int)
    assert entry is not None
    reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    assert reason == x509.ReasonFlags.key_compromise
    assert entry.revocation_date_utc == state.signing.revoked_at
    assert entry.extensions.get_extension_for_class(x509.InvalidityDate)
    number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    assert number == CrlIssue.objects.order_by("-number").first().number
    assert crl.get_revoked_certificate_by_serial_number(state.tsa.serial_int) is None


def test_revoke_errors_name_the_problem():
    state = actions.pki_init(actor=OPERATOR)
    with pytest.raises(NotFound, match="pki list"):
        actions.pki_revoke(serial="abc123", reason="superseded", actor=OPERATOR)
    with pytest.raises(InvalidInput) as caught:
        actions.pki_revoke(serial="xyz", reason="superseded", actor=OPERATOR)
    assert "serial" in caught.value.fields
    with pytest.raises(InvalidInput, match="pki init --force"):
        actions.pki_revoke(serial=state.root.serial, reason="superseded", actor=OPERATOR)
    with pytest.raises(InvalidInput) as caught:
        actions.pki_revoke(serial=state.tsa.serial, reason="bored", actor=OPERATOR)
    assert "reason" in caught.value.fields
    actions.pki_revoke(serial=state.tsa.serial, reason="superseded", actor=OPERATOR)
    with pytest.raises(Conflict):
        actions.pki_revoke(serial=state.tsa.serial, reason="superseded", actor=OPERATOR)
    with pytest.raises(CommandError, match="--since"):
        pki_cmd("revoke", state.signing.serial, "--reason", "superseded", "--since", "yesterday")


def test_crl_and_list_commands(tmp_path):
    actions.pki_init(actor=OPERATOR)
    out = tmp_path / "court.crl"
    assert "written to" in pki_cmd("crl", "--out", str(out))
    assert len(x509.load_der_x509_crl(out.read_bytes())) == 0  # nothing revoked yet
    assert pki_cmd("crl").startswith("-----BEGIN X509 CRL-----")
    listing = pki_cmd("list")
    assert listing.count("in use") == 3
    assert "root_ca" in listing and "tsa" in listing


def test_the_root_certificate_is_public(client):
    response = client.get("/pki/ca.pem")
    assert response.status_code == 200
    root = x509.load_pem_x509_certificate(response.content)
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_first_use_creates_what_is_missing_once():
    first = actions.pki_ensure(court_code="浙0203", court_name="宁波市海曙区人民法院")
    again = actions.pki_ensure(court_code="浙0203", court_name="宁波市海曙区人民法院")
    assert first == again
    assert Certificate.objects.count() == 4


def test_without_auto_init_production_names_the_command_to_run(settings, client):
    settings.SIGNING_AUTO_INIT = False
    with pytest.raises(PkiNotReady, match="microcourt pki init"):
        actions.pki_ensure()
    assert client.get("/pki/ca.pem").status_code == 503
    assert "microcourt pki init" in client.get("/pki/crl.der").content.decode()
    actions.pki_init(actor=OPERATOR)
    with pytest.raises(PkiNotReady, match="microcourt pki seal --court-code 浙0203"):
        actions.pki_ensure(court_code="浙0203", court_name="宁波市海曙区人民法院")


def test_an_expired_certificate_is_replaced_on_first_use_in_development(settings):
    state = actions.pki_init(actor=OPERATOR)
    Certificate.objects.filter(pk=state.signing.pk).update(
        not_after=timezone.now() - dt.timedelta(days=1)
    )
    renewed = actions.pki_ensure().signing
    assert renewed.pk != state.signing.pk
    settings.SIGNING_AUTO_INIT = False
    Certificate.objects.filter(pk=renewed.pk).update(not_after=timezone.now())
    with pytest.raises(PkiNotReady, match="pki rotate --purpose signing"):
        actions.pki_ensure()


def test_production_requires_the_key_passphrase_and_no_auto_init(tmp_path):
    from microcourt.ledger.tests.test_settings import ROOT, production_environment

    environ = production_environment()
    environ["MICROCOURT_DATA_DIR"] = str(tmp_path)
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SIGNING_AUTO_INIT)"
    )
    prod = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "microcourt.settings.prod"}

    def run(env):
        return subprocess.run(
            [sys.executable, "-c", code],
            env={**prod, **env},
            cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    started = run(environ)
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "False"
    del environ["MICROCOURT_PKI_PASSPHRASE"]
    refused = run(environ)
    assert refused.returncode != 0
    assert "MICROCOURT_PKI_PASSPHRASE must be set" in refused.stderr
    refused = run({**environ, "MICROCOURT_PKI_PASSPHRASE": "short"})
    assert "at least 16 characters" in refused.stderr


def test_in_production_a_revoked_key_is_replaced_by_rotation_and_the_crl_stays_served(
    settings, client
):
    settings.SIGNING_AUTO_INIT = False
    state = actions.pki_init(actor=OPERATOR)
    pki_cmd("revoke", state.signing.serial, "--reason", "key_compromise")
    with pytest.raises(PkiNotReady, match="pki rotate --purpose signing"):
        actions.pki_ensure()  # no signing certificate in use: signatures wait for the operator
    crl = x509.load_der_x509_crl(client.get("/pki/crl.der").content)
    assert crl.get_revoked_certificate_by_serial_number(state.signing.serial_int) is not None
    assert client.get("/pki/ca.pem").status_code == 200
    pki_cmd("rotate", "--purpose", "signing")
    assert Certificate.objects.filter(purpose="signing").count() == 2  # revoked + the new one
    assert actions.pki_ensure().signing.revoked_at is None
