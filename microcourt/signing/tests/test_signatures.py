"""Stories: 张三 and 王五 sign a mediation agreement; the 海曙 court seals it; someone tampers
with it; a key is revoked; a certificate is rotated. Each signature is PAdES B-T and each
is found in the ledger by the file itself."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from microcourt.core.actor import Actor
from microcourt.core.errors import Forbidden, InvalidInput
from microcourt.courts.models import Court
from microcourt.identity.selectors import VerificationRequired
from microcourt.ledger.models import Entry
from microcourt.signing import actions, engine, selectors
from microcourt.signing.events import LedgerEvent
from microcourt.signing.models import SignedDocument, TimestampToken

from .conftest import HAISHU, age_checks, pdf_bytes, strokes_png

pytestmark = pytest.mark.django_db

OPERATOR = Actor.system("test operator")


def sign(pdf: bytes, actor: Actor, **extra):
    return actions.pdf_sign(
        pdf=pdf, actor=actor, purpose="mediation", reason="确认调解协议", **extra
    )


def seal(pdf: bytes, actor: Actor, **extra):
    """The 海曙 court's seal: staff name the court itself, the system may name it by code."""
    code, name = HAISHU
    if actor.is_system:
        extra.update(court_code=code, court_name=name)
    else:
        extra.setdefault("court", Court.objects.get(code=code))
    return actions.pdf_seal(pdf=pdf, reason="出具民事调解书", actor=actor, **extra)


def test_zhang_signs_and_anyone_can_verify_who_and_when(signed_by_zhang, plaintiff_zhang):
    signed = signed_by_zhang
    report = selectors.pdf_verify(signed.pdf)
    assert report.valid, report
    assert report.summary.startswith("有效")
    (signature,) = report.signatures
    assert signature.signer_name == "张三"
    assert signature.purpose == "signature"
    assert signature.reason == "确认调解协议"
    assert signature.intact and signature.trusted and signature.timestamp_valid
    assert not signature.changed_after and not signature.revoked
    assert signature.signing_time == TimestampToken.objects.get().gen_time
    assert "平台签名" in signature.subject

    # The signature dictionary names the signer by the verified real name.
    embedded = PdfFileReader(io.BytesIO(signed.pdf)).embedded_signatures[0]
    assert embedded.sig_object["/Name"] == "张三"
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"

    # Recorded: the ledger entry's subject is the signed file; the row says who and what.
    entry = Entry.objects.get(code=LedgerEvent.SIGNATURE_APPLIED)
    assert entry.subject_digest == f"sha256:{signed.sha256}"
    assert entry.actor_user_id == plaintiff_zhang.pk
    assert entry.details["purpose"] == "mediation"
    assert entry.details["verification"]
    row = SignedDocument.objects.get()
    assert (row.kind, row.signer, row.signer_name, row.title) == (
        "signature", plaintiff_zhang, "张三", "民事调解协议书",
    )  # fmt: skip
    assert row.output_sha256 == signed.sha256 and row.ledger_entry == entry
    assert signature.ledger_index is not None
    assert signature.receipt_url == f"/ledger/receipts/{signature.ledger_index}/"
    assert signed.document == row


def test_a_flipped_byte_inside_the_signed_range_is_detected(signed_by_zhang):
    data = bytearray(signed_by_zhang.pdf)
    embedded = PdfFileReader(io.BytesIO(bytes(data))).embedded_signatures[0]
    position = embedded.byte_range[1] // 2  # inside the first signed range: page content
    data[position] ^= 0x01
    report = selectors.pdf_verify(bytes(data))
    assert not report.valid
    (signature,) = report.signatures
    assert not signature.intact and not signature.valid
    assert any("篡改" in p for p in signature.problems)
    assert signature.ledger_index is None  # the tampered version was never recorded


def _append_page_text(pdf: bytes) -> bytes:
    """An incremental update that adds text to the last page after signing."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page_ref = writer.find_page_for_modification(-1)[0]
    page = page_ref.get_object()
    extra = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 400 Td (PAID IN FULL) Tj ET")
    )
    contents = page["/Contents"]
    if isinstance(contents, generic.ArrayObject):
        page["/Contents"] = generic.ArrayObject([*contents, extra])
    else:
        page["/Contents"] = generic.ArrayObject([page.raw_get("/Contents"), extra])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_page_changed_after_the_signature_makes_it_invalid_and_says_why(signed_by_zhang):
    changed = _append_page_text(signed_by_zhang.pdf)
    report = selectors.pdf_verify(changed)
    assert not report.valid
    (signature,) = report.signatures
    assert signature.intact  # what was signed is untouched …
    assert signature.changed_after  # … but something else was added afterwards
    assert any("签名之后" in p and "修改" in p for p in signature.problems)
    assert "签名之后文件被改动" in [line for ok, line in signature.status_lines if not ok]


def test_without_a_face_check_nothing_is_signed_and_nothing_stored(plaintiff_zhang, agreement):
    actor = Actor.citizen(plaintiff_zhang)  # registered, never verified
    with pytest.raises(VerificationRequired) as caught:
        sign(agreement, actor, handwriting_png=strokes_png())
    assert caught.value.url == "/accounts/verify/"
    assert not SignedDocument.objects.exists()
    assert not Entry.objects.filter(code=LedgerEvent.SIGNATURE_APPLIED).exists()
    assert not TimestampToken.objects.exists()


def test_a_face_check_older_than_max_age_is_not_fresh_enough(zhang, plaintiff_zhang, agreement):
    age_checks(plaintiff_zhang, dt.timedelta(minutes=11))
    with pytest.raises(VerificationRequired) as caught:
        sign(agreement, zhang)
    assert "recheck" in caught.value.url and "purpose=mediation" in caught.value.url
    assert not SignedDocument.objects.exists()
    # A longer window (e.g. a hearing's two hours) accepts the same check.
    assert sign(agreement, zhang, max_age=dt.timedelta(hours=2)).document


def test_two_signers_one_after_another_both_stay_valid(signed_by_zhang, wang):
    second = sign(signed_by_zhang.pdf, wang, handwriting_png=strokes_png(280, 120))
    assert second.pdf.startswith(signed_by_zhang.pdf)  # an incremental update
    report = selectors.pdf_verify(second.pdf)
    assert report.valid, report
    first, later = report.signatures
    assert (first.signer_name, later.signer_name) == ("张三", "王五")
    assert first.field_name != later.field_name
    assert not first.changed_after  # followed only by a signature: allowed
    # Each signed version has its own ledger entry; the first is the first file's.
    assert first.revision_sha256 == signed_by_zhang.sha256
    assert later.revision_sha256 == second.sha256
    assert first.ledger_index != later.ledger_index
    reader = engine.reader(second.pdf)
    rects = {
        name: engine.widget_rect(reader, name) for name in (first.field_name, later.field_name)
    }
    assert rects[first.field_name] != rects[later.field_name]


def test_the_court_seal_is_valid_visible_and_red(clerk, agreement):
    sealed = seal(agreement, clerk, case_id=42, title="民事调解书")
    report = selectors.pdf_verify(sealed.pdf)
    assert report.valid, report
    (stamp,) = report.signatures
    assert stamp.purpose == "seal" and stamp.court_code == "浙0203"
    assert stamp.signer_name == "宁波市海曙区人民法院"
    assert "电子印章" in stamp.subject
    row = SignedDocument.objects.get()
    assert (row.kind, row.court_code, row.case_id, row.signer) == ("seal", "浙0203", 42, None)
    entry = Entry.objects.get(code=LedgerEvent.SEAL_APPLIED)
    assert entry.case_id == 42 and entry.subject_digest == f"sha256:{sealed.sha256}"

    # Visible: the widget sits at the bottom right of the last page and renders red.
    reader = engine.reader(sealed.pdf)
    x1, y1, x2, y2 = selectors.appearance_rect(sealed.pdf, stamp.field_name)
    width = 595  # A4 from WeasyPrint
    assert x2 > width / 2 and y1 < 200 and (x2 - x1) == engine.SEAL_SIZE
    import pypdfium2

    document = pypdfium2.PdfDocument(sealed.pdf)
    document.init_forms()
    last = document[len(document) - 1]
    assert len(document) == engine.page_count(reader) == 2
    image = last.render(scale=1, may_draw_forms=True).to_pil().convert("RGB")
    height = image.height
    region = image.crop((int(x1), int(height - y2), int(x2), int(height - y1)))
    red = sum(1 for r, g, b in region.get_flattened_data() if r > 180 and g < 90 and b < 90)
    assert red > 500


def test_only_the_courts_own_staff_or_the_system_apply_its_seal(
    zhang, clerk, clerk_zhao, agreement
):
    from microcourt.courts.tests.factories import CourtFactory, StaffFactory

    jiangbei = CourtFactory(code="浙0205", name="宁波市江北区人民法院")
    jiangbei_clerk = StaffFactory(court=jiangbei, role="clerk").user
    trustee = StaffFactory(court=Court.objects.get(code="浙0203"), role="bankruptcy_administrator")
    before = Entry.objects.count()
    refused = [
        zhang,  # a member of the public
        Actor(user=jiangbei_clerk, role="clerk", court_id=jiangbei.pk),  # another court's staff
        Actor(user=trustee.user, role="bankruptcy_administrator", court_id=trustee.court_id),
    ]
    for actor in refused:
        with pytest.raises(Forbidden):
            seal(agreement, actor)
    # Staff naming the court by its code alone could name any court: they pass the court.
    with pytest.raises(Forbidden):
        actions.pdf_seal(
            pdf=agreement, court_code=HAISHU[0], court_name=HAISHU[1], reason="", actor=clerk
        )
    assert not SignedDocument.objects.exists() and Entry.objects.count() == before
    assert seal(agreement, clerk).document.court_code == "浙0203"
    assert seal(agreement, Actor.system("filing.acceptance")).document.court_code == "浙0203"


def test_a_revoked_key_makes_its_signatures_untrusted(signed_by_zhang):
    signing = actions.pki_ensure().signing
    actions.pki_revoke(serial=signing.serial, reason="key_compromise", actor=OPERATOR)
    report = selectors.pdf_verify(signed_by_zhang.pdf)
    assert not report.valid
    (signature,) = report.signatures
    assert signature.revoked and not signature.trusted
    assert any("吊销" in p and "私钥泄露" in p for p in signature.problems)


def test_a_certificate_retired_after_signing_leaves_earlier_signatures_valid(signed_by_zhang):
    """superseded: revoked from then on; the time-stamp proves the signature came first.
    (A revocation in the same second as the time-stamp counts against the signature.)"""
    from microcourt.signing.models import Certificate

    signing = actions.pki_ensure().signing
    actions.pki_revoke(serial=signing.serial, reason="superseded", actor=OPERATOR)
    Certificate.objects.filter(pk=signing.pk).update(
        revoked_at=signed_by_zhang.document.created_at + dt.timedelta(minutes=1)
    )
    report = selectors.pdf_verify(signed_by_zhang.pdf)
    assert report.valid, report
    assert any("早于吊销" in n for n in report.signatures[0].notes)


def test_rotation_keeps_old_signatures_valid(signed_by_zhang, wang, agreement):
    old = actions.pki_ensure().signing
    new = actions.pki_rotate(purpose="signing", actor=OPERATOR)
    actions.pki_rotate(purpose="tsa", actor=OPERATOR)
    later = sign(agreement, wang)
    old_report = selectors.pdf_verify(signed_by_zhang.pdf)
    new_report = selectors.pdf_verify(later.pdf)
    assert old_report.valid and new_report.valid
    assert old_report.signatures[0].serial == old.serial
    assert new_report.signatures[0].serial == new.serial != old.serial


def test_not_a_pdf_or_a_broken_pdf_is_refused_naming_the_field(zhang, clerk, agreement):
    for bad in (b"GIF89a not a pdf", agreement[: len(agreement) // 3], b""):
        with pytest.raises(InvalidInput) as caught:
            sign(bad, zhang)
        assert "pdf" in caught.value.fields
        with pytest.raises(InvalidInput) as caught:
            seal(bad, clerk)
        assert "pdf" in caught.value.fields
    with pytest.raises(InvalidInput) as caught:
        selectors.pdf_verify(b"%PDF-1.7 but nothing else")
    assert "file" in caught.value.fields
    assert not SignedDocument.objects.exists()


def test_an_unknown_purpose_or_bad_handwriting_is_refused(zhang, agreement):
    with pytest.raises(InvalidInput) as caught:
        actions.pdf_sign(pdf=agreement, actor=zhang, purpose="lunch", reason="")
    assert "purpose" in caught.value.fields
    with pytest.raises(InvalidInput) as caught:
        sign(agreement, zhang, handwriting_png=b"\x89PNG\r\n\x1a\n broken")
    assert "handwriting" in caught.value.fields


def test_a_pdf_without_signatures_is_not_valid():
    report = selectors.pdf_verify(pdf_bytes("起诉状"))
    assert not report.valid
    assert report.summary == "没有电子签名"
    assert report.signatures == []


def test_a_signature_under_another_root_is_untrusted(signed_by_zhang, monkeypatch):
    """A verifier that trusts only another deployment's root does not trust ours."""
    from microcourt.signing import pki

    other = pki.issue_root("另一个平台的根证书")
    monkeypatch.setattr(selectors, "_roots", lambda: [pki.as_asn1_certificate(other.pem)])
    report = selectors.pdf_verify(signed_by_zhang.pdf)
    assert not report.valid
    signature = report.signatures[0]
    assert signature.intact and not signature.trusted and not signature.timestamp_valid


def test_a_seal_needs_the_court_named(agreement):
    system = Actor.system("filing.acceptance")
    with pytest.raises(InvalidInput) as caught:
        actions.pdf_seal(
            pdf=agreement, court_code="浙0203", court_name=" ", reason="", actor=system
        )
    assert set(caught.value.fields) == {"court_name"} and "法院名称" in str(caught.value.message)
    with pytest.raises(InvalidInput) as caught:
        actions.pdf_seal(pdf=agreement, court_code="", court_name="某法院", reason="", actor=system)
    assert set(caught.value.fields) == {"court_code"}
    assert not SignedDocument.objects.exists()
