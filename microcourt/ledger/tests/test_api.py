"""The public API: the exact shapes other courts' tools rely on, and bad input as 400s in the
one error shape with nothing written."""

from __future__ import annotations

import base64
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

import microcourt_verify as verify
from microcourt.core.actor import Actor
from microcourt.ledger import actions, keys, notes
from microcourt.ledger.models import Checkpoint, Cosignature, Entry
from microcourt.ledger.tests.fixtures import (
    WITNESS_NAME,
    record_many,
    witness_key,
    witness_vkey,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_settings")]

API = "/api/v1/ledger"
CONTRACT = "借款合同 第一条 甲方向乙方借款人民币伍万元整。".encode() * 40
DIGEST = "sha256:" + hashlib.sha256(CONTRACT).hexdigest()


@pytest.fixture
def ledger(plaintiff_zhang):
    record_many(3)
    contract = record_many(1, actor=Actor.citizen(plaintiff_zhang), digest=DIGEST, case_id=12)
    record_many(5)
    actions.integrate()
    return contract[0]


def assert_400(response, field: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == "invalid"
    assert field in body["error"]["fields"], body


def test_key_is_the_vkey_as_text(client):
    response = client.get(f"{API}/key")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert text == keys.vkey()
    name, key_id, material = text.split("+")
    assert name == "court.test/ledger" and len(key_id) == 8
    assert base64.b64decode(material)[0] == 0x01
    verify.parse_vkey(text)


def test_checkpoint_latest_and_at_an_earlier_size(client, ledger):
    latest = client.get(f"{API}/checkpoint")
    assert latest["Content-Type"].startswith("text/plain")
    checkpoint = verify.verify_checkpoint(latest.content.decode(), keys.vkey())
    assert checkpoint.size == 9
    lines = latest.content.decode().split("\n")
    assert lines[:2] == ["court.test/ledger", "9"]
    earlier = verify.verify_checkpoint(
        client.get(f"{API}/checkpoint?tree_size=4").content, keys.vkey()
    )
    assert earlier.size == 4
    assert Checkpoint.objects.filter(tree_size=4).exists()  # signed on demand, and kept


def test_entry_shape(client, ledger):
    body = client.get(f"{API}/entries/3").json()
    assert set(body) == {"index", "leaf", "leaf_hash"}
    assert body["index"] == 3
    assert body["leaf"]["subject_digest"] == DIGEST
    assert base64.b64decode(body["leaf_hash"]) == verify.leaf_hash(
        verify.canonical_json(body["leaf"])
    )


def test_inclusion_and_consistency_proofs_verify(client, ledger):
    root9 = verify.parse_checkpoint(verify.parse_note(client.get(f"{API}/checkpoint").content).text)
    proof = client.get(f"{API}/proof/inclusion?index=3&tree_size=9").json()
    assert set(proof) == {"index", "tree_size", "hashes"} and proof["tree_size"] == 9
    leaf = base64.b64decode(client.get(f"{API}/entries/3").json()["leaf_hash"])
    verify.verify_inclusion(
        3, 9, leaf, [base64.b64decode(h) for h in proof["hashes"]], root9.root_hash
    )

    old = verify.verify_checkpoint(client.get(f"{API}/checkpoint?tree_size=5").content, keys.vkey())
    consistency = client.get(f"{API}/proof/consistency?first=5&second=9").json()
    assert set(consistency) == {"first", "second", "hashes"}
    verify.verify_checkpoint_consistency(old, root9, consistency)


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/entries/9", "index"),
        ("/entries/-1", "index"),
        ("/entries/x", "index"),
        ("/proof/inclusion?index=9&tree_size=9", "index"),
        ("/proof/inclusion?index=0&tree_size=10", "tree_size"),
        ("/proof/inclusion?index=0&tree_size=0", "tree_size"),
        ("/proof/inclusion?index=0", "tree_size"),
        ("/proof/consistency?first=6&second=5", "first"),
        ("/proof/consistency?first=1&second=10", "second"),
        ("/proof/consistency?first=a&second=2", "first"),
        ("/checkpoint?tree_size=10", "tree_size"),
        ("/checkpoint?tree_size=-1", "tree_size"),
    ],
)
def test_bad_input_is_a_400_and_writes_nothing(client, ledger, url, field):
    before = (Entry.objects.count(), Checkpoint.objects.count())
    assert_400(client.get(API + url), field)
    assert (Entry.objects.count(), Checkpoint.objects.count()) == before


def test_verify_by_file_returns_receipts_with_public_parts_only(client, ledger, plaintiff_zhang):
    upload = SimpleUploadedFile("contract.pdf", CONTRACT, content_type="application/pdf")
    response = client.post(f"{API}/verify", {"file": upload})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["subject_digest"] == DIGEST
    (match,) = body["entries"]
    assert set(match) == {"leaf", "index", "leaf_hash", "inclusion", "checkpoint", "key"}
    assert match["index"] == 3
    result = verify.verify_receipt(match, file_bytes=CONTRACT, trusted_key=keys.vkey())
    assert result.file_checked
    text = response.content.decode()
    for private in (plaintiff_zhang.phone, plaintiff_zhang.display_name, plaintiff_zhang.username):
        assert private not in text


def test_verify_by_hash(client, ledger):
    hexdigest = DIGEST.removeprefix("sha256:")
    body = client.post(
        f"{API}/verify", {"sha256": hexdigest}, content_type="application/json"
    ).json()
    assert [m["index"] for m in body["entries"]] == [3]
    unknown = client.post(f"{API}/verify", {"sha256": "0" * 64}, content_type="application/json")
    assert unknown.status_code == 200 and unknown.json()["entries"] == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"data": {"sha256": "xyz"}, "content_type": "application/json"}, "sha256"),
        ({"data": {"sha256": "ab" * 31}, "content_type": "application/json"}, "sha256"),
        ({"data": {"sha256": 5}, "content_type": "application/json"}, "sha256"),
        ({"data": {}, "content_type": "application/json"}, "sha256"),
        ({"data": "{not json", "content_type": "application/json"}, "sha256"),
        ({"data": {"other": "x"}}, "file"),
        ({"data": {"file": SimpleUploadedFile("empty.pdf", b"")}}, "file"),
    ],
)
def test_verify_rejects_malformed_hashes_and_files(client, ledger, kwargs, field):
    before = (Entry.objects.count(), Checkpoint.objects.count())
    assert_400(client.post(f"{API}/verify", **kwargs), field)
    assert (Entry.objects.count(), Checkpoint.objects.count()) == before


def _cosign(
    client, tree_size: int | None = None, key=None, name=WITNESS_NAME, timestamp=1_700_000_000
):
    url = f"{API}/checkpoint" + (f"?tree_size={tree_size}" if tree_size else "")
    note = client.get(url).content.decode()
    line = notes.cosign(verify.parse_note(note).text, name, key or witness_key(), timestamp)
    return note, line


def test_a_witness_cosignature_is_stored_and_served(client, ledger):
    note, line = _cosign(client)
    response = client.post(
        f"{API}/cosignatures",
        {"checkpoint": note, "cosignature": line},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json() == {"witness": WITNESS_NAME, "tree_size": 9, "timestamp": 1_700_000_000}
    served = client.get(f"{API}/checkpoint").content.decode()
    assert verify.verify_cosignature(served, witness_vkey()) == 1_700_000_000
    verify.verify_checkpoint(served, keys.vkey())
    # Handing it in twice keeps the first and adds nothing.
    again = client.post(
        f"{API}/cosignatures",
        {"checkpoint": note, "cosignature": line},
        content_type="application/json",
    )
    assert again.status_code == 201
    assert Cosignature.objects.count() == 1


def test_cosignatures_from_strangers_or_on_forged_checkpoints_are_refused(client, ledger):
    stranger = notes.generate_signing_key()
    cases = []
    note, line = _cosign(client, key=stranger)
    cases.append((note, line, "cosignature"))  # an unknown witness key
    note, line = _cosign(client, name="someone.else")
    cases.append((note, line, "cosignature"))  # a witness name the log does not know
    note, line = _cosign(client)
    forged = note.replace("\n9\n", "\n10\n")
    cases.append((forged, line, "checkpoint"))  # not a checkpoint this log signed
    cases.append((note, line[:-4] + "AAA=", "cosignature"))  # a signature that fails
    cases.append(("garbage", line, "checkpoint"))
    cases.append((note, "not a signature line", "cosignature"))
    other_note, _ = _cosign(client, tree_size=4)
    cases.append((other_note, line, "cosignature"))  # a cosignature of another checkpoint
    for note_, line_, field in cases:
        response = client.post(
            f"{API}/cosignatures",
            {"checkpoint": note_, "cosignature": line_},
            content_type="application/json",
        )
        assert_400(response, field)
    assert not Cosignature.objects.exists()


def test_the_private_part_is_for_administrators_and_the_look_is_recorded(
    client, ledger, plaintiff_zhang
):
    from microcourt.identity.tests.factories import UserFactory

    url = f"{API}/entries/3/private"
    assert client.get(url).status_code == 401
    client.force_login(plaintiff_zhang)  # the person it is about is not an administrator
    assert client.get(url).status_code == 404
    from microcourt.identity.tests.test_mfa import enrol_totp

    root = UserFactory(username="root", is_superuser=True)
    enrol_totp(root)  # operators use a second factor, like court staff
    client.force_login(root)
    before = Entry.objects.count()
    body = client.get(url).json()
    assert body["actor_user_id"] == plaintiff_zhang.pk and body["case_id"] == 12
    assert body["actor_role"] == "citizen"
    look = Entry.objects.order_by("-id").first()
    assert Entry.objects.count() == before + 1
    assert (look.code, look.actor_user_id, look.actor_role, look.case_id) == (
        9001,
        root.pk,
        "superuser",
        12,
    )
    assert look.details == {"entry": ledger.pk}


def test_court_administrators_may_read_private_parts_and_judges_may_not(
    plaintiff_zhang, judge_chen, court_haishu
):
    """The private part of an entry about a 海曙 case is for 海曙's administrator; a judge,
    another court's administrator and an entry about no case at all are refused."""
    from django.utils import timezone

    from microcourt.cases.models import Case, CaseType
    from microcourt.core.errors import NotFound
    from microcourt.courts.tests.factories import CourtFactory, StaffFactory
    from microcourt.ledger import selectors

    case = Case.objects.create(
        court=court_haishu,
        case_type=CaseType.objects.get_or_create(code="民初", defaults={"name": "民事一审"})[0],
        year=2026,
        title="张三诉王五",
        cause="民间借贷纠纷",
        filed_by=plaintiff_zhang,
        filed_at=timezone.now(),
    )
    [entry] = record_many(1, actor=Actor.citizen(plaintiff_zhang), digest=DIGEST, case_id=case.pk)
    [unknown] = record_many(1, actor=Actor.citizen(plaintiff_zhang), digest=DIGEST, case_id=987)
    actions.integrate()
    elsewhere = StaffFactory(court=CourtFactory(), role="court_admin").user
    for refused in (judge_chen, elsewhere):
        with pytest.raises(NotFound):
            selectors.entry_private(entry, refused)
    admin = StaffFactory(court=court_haishu, role="court_admin").user
    assert selectors.entry_private(entry, admin)["case_id"] == case.pk
    assert Entry.objects.order_by("-id").first().actor_role == "court_admin"
    with pytest.raises(NotFound):
        selectors.entry_private(unknown, admin)


def test_the_openapi_spec_lists_the_ledger(client):
    paths = set(client.get("/api/v1/openapi.json").json()["paths"])
    assert {
        f"{API}/key",
        f"{API}/checkpoint",
        f"{API}/entries/{{index}}",
        f"{API}/proof/inclusion",
        f"{API}/proof/consistency",
        f"{API}/verify",
        f"{API}/cosignatures",
    } <= paths
