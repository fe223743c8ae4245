"""The public pages: a receipt with its QR code and JSON download, and 验证 (anyone checks a
file). Public parts only; the verdict comes from the offline verifier, run server-side."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

import microcourt_verify as verify
from microcourt.core.actor import Actor
from microcourt.ledger import actions, keys
from microcourt.ledger.models import Entry, Leaf
from microcourt.ledger.tests.fixtures import flip_bit, record_many, tamper

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_settings")]

EVIDENCE = "微信聊天记录截图：对方承认欠款三万元".encode() * 30
DIGEST = "sha256:" + hashlib.sha256(EVIDENCE).hexdigest()
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def entry(plaintiff_zhang):
    record_many(2)
    (entry,) = record_many(1, actor=Actor.citizen(plaintiff_zhang), digest=DIGEST, case_id=5)
    actions.integrate()
    return entry


def test_the_receipt_page_shows_the_public_part_a_verdict_and_a_qr_code(
    client, entry, plaintiff_zhang
):
    page = client.get("/ledger/receipts/2/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "验证通过" in html
    assert DIGEST in html and keys.case_ref(5) in html
    assert "<svg" in html and "receipts/2.json" in html
    assert "公众用户" in html  # the role, in words
    for private in (plaintiff_zhang.display_name, plaintiff_zhang.username, plaintiff_zhang.phone):
        assert private not in html


def test_the_receipt_json_downloads_and_verifies(client, entry):
    response = client.get("/ledger/receipts/2.json")
    assert response["Content-Disposition"] == 'attachment; filename="receipt-2.json"'
    receipt = json.loads(response.content)
    assert set(receipt) == {"leaf", "index", "inclusion", "checkpoint", "key"}
    verify.verify_receipt(receipt, file_bytes=EVIDENCE, trusted_key=keys.vkey())


def test_a_receipt_beyond_the_log_is_not_found(client, entry):
    assert client.get("/ledger/receipts/3/").status_code == 404
    assert client.get("/ledger/receipts/99.json").status_code == 404


def test_a_tampered_entry_shows_a_failed_verdict(client, entry):
    raw = bytearray(entry.public_json.encode())
    raw[raw.index(b'"code":') + 8] ^= 0x01
    tamper(
        "UPDATE ledger_entry SET public_json = %s WHERE id = %s",
        [raw.decode(), entry.pk],
        "ledger_entry",
    )
    html = client.get("/ledger/receipts/2/").content.decode()
    assert "验证未通过" in html and "does not lead to the signed root" in html


def test_anyone_can_verify_a_file_on_the_verify_page(client, entry):
    assert "司法链验证" in client.get("/ledger/verify/").content.decode()
    upload = SimpleUploadedFile("chat.png", EVIDENCE)
    html = client.post("/ledger/verify/", {"file": upload}).content.decode()
    assert "验证通过" in html and DIGEST in html
    assert 'href="/ledger/receipts/2/"' in html


def test_the_verify_page_takes_a_pasted_sha256_and_says_when_nothing_matches(client, entry):
    html = client.post("/ledger/verify/", {"sha256": DIGEST.upper()[7:]}).content.decode()
    assert "验证通过" in html
    html = client.post("/ledger/verify/", {"sha256": "ab" * 32}).content.decode()
    assert "没有这个文件的存证记录" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [({}, "请选择文件"), ({"sha256": "not-a-hash"}, "64 位十六进制")],
)
def test_the_verify_page_explains_bad_input_and_writes_nothing(client, entry, data, message):
    before = Entry.objects.count()
    html = client.post("/ledger/verify/", data).content.decode()
    assert message in html
    assert Entry.objects.count() == before


def test_htmx_gets_only_the_results_fragment(client, entry):
    fragment = client.post(
        "/ledger/verify/", {"sha256": DIGEST[7:]}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert fragment.lstrip().startswith('<div id="results">')
    assert "<html" not in fragment


def test_the_pages_speak_english_when_asked(client, entry):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for html in (
        client.get("/ledger/receipts/2/").content.decode(),
        client.get("/ledger/verify/").content.decode(),
    ):
        text = re.sub(r"<[^>]+>", " ", html).replace("中文", "")
        assert not HAN.search(text), HAN.findall(text)[:20]


def test_a_tampered_leaf_hash_is_caught_by_the_page_too(client, entry):
    actions.checkpoint_latest()  # signed within a second of integration in real life
    stored = bytes(Leaf.objects.get(index=2).leaf_hash)
    tamper(
        'UPDATE ledger_node SET hash = %s WHERE level = 0 AND "index" = 2',
        [flip_bit(stored, 5)],
        "ledger_node",
    )
    tamper(
        'UPDATE ledger_leaf SET leaf_hash = %s WHERE "index" = 2',
        [flip_bit(stored, 5)],
        "ledger_leaf",
    )
    # The proof is built from the changed nodes, but the checkpoint was signed over the true
    # root, so the verdict fails.
    assert "验证未通过" in client.get("/ledger/receipts/1/").content.decode()
