"""The filing API as a law firm's software uses it: 张三's firm files a loan case against 王五
with nothing but HTTP, 李立案 accepts it at the 海曙 court's desk through the API, 王五 links
to the case from his SMS link. Bad input is refused field by field; a stranger gets 404 on
every route of someone else's filing; a stale draft answers 409."""

import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from microcourt.filing.models import Filing, FilingStatus
from microcourt.identity.tests.factories import PASSWORD
from microcourt.identity.tests.test_mfa import enrol_totp, totp_now
from microcourt.notifications.models import Notification

from .conftest import WANG_ID, ZHANG_ID, pdf_bytes

pytestmark = pytest.mark.django_db

API = "/api/v1"
FACTS = "2025年1月1日，被告向原告借款50000元，约定2025年6月30日还款，至今未还。"
CONSENT = {"mediation": True, "evidence_exchange": True, "hearing": False, "service": True}
BAD_ID = WANG_ID[:17] + ("0" if WANG_ID[17] != "0" else "1")


class Firm:
    """A client holding a bearer token, as a law firm's script would."""

    def __init__(self, client, token: str):
        self.client, self.auth = client, {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def get(self, path, **params):
        return self.client.get(API + path, params, **self.auth)

    def send(self, method, path, body=None):
        return getattr(self.client, method)(
            API + path, body if body is not None else {}, content_type="application/json",
            **self.auth,
        )  # fmt: skip

    def post(self, path, body=None):
        return self.send("post", path, body)

    def upload(self, path, **fields):
        return self.client.post(API + path, fields, **self.auth)


def bearer(client, username, **extra) -> Firm:
    response = client.post(
        f"{API}/auth/token",
        {"username": username, "password": PASSWORD, **extra},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    return Firm(client, response.json()["token"])


@pytest.fixture
def firm(client, zhang):
    return bearer(client, zhang.user.username)


@pytest.fixture
def desk(client, officer_li):
    """李立案's token: court staff need their authenticator code for one."""
    secret = enrol_totp(officer_li.user)
    return bearer(client, officer_li.user.username, otp=totp_now(secret))


def fields_of(response) -> dict:
    return response.json()["error"]["fields"]


def complaint_pdf(name="起诉状.pdf", text="民事起诉状"):
    return SimpleUploadedFile(name, pdf_bytes(text), "application/pdf")


def file_a_draft(firm: Firm, court_code: str) -> dict:
    """Everything the wizard asks, through the API only; returns the draft as last read."""
    causes = firm.get("/filing/causes", q="借贷").json()["items"]
    cause = next(c for c in causes if c["name"] == "民间借贷纠纷")
    created = firm.post("/filing/filings", {"kind": "civil_first"})
    assert created.status_code == 201, created.json()
    filing = created.json()
    path = f"/filing/filings/{filing['number']}"
    changes = {"court": court_code, "cause": cause["id"], "facts": FACTS, "consent": CONSENT}
    updated = firm.send("patch", path, {**changes, "version": filing["version"]})
    assert updated.status_code == 200, updated.json()
    assert updated.json()["version"] > filing["version"]
    for side, data in (
        ("claimant", {"self": True, "address": "浙江省宁波市海曙区中山西路1号",
                      "service_address_confirmed": True}),
        ("respondent", {"name": "王五", "id_number": WANG_ID, "phone": "139 3333 4444",
                        "address": "浙江省宁波市鄞州区天童南路2号"}),
    ):  # fmt: skip
        response = firm.post(f"{path}/parties", {"side": side, **data})
        assert response.status_code == 201, response.json()
    for claim in ({"text": "判令被告偿还借款本金50000元", "amount": "50000"},
                  {"text": "本案诉讼费用由被告承担"}):  # fmt: skip
        response = firm.post(f"{path}/claims", claim)
        assert response.status_code == 201, response.json()
    return firm.get(path).json()


def test_a_law_firm_files_through_the_api_and_the_officer_accepts_with_a_case_number(
    client, firm, desk, wang, court_haishu
):
    kinds = firm.get("/filing/kinds").json()
    assert len(kinds) == 8
    civil = next(k for k in kinds if k["kind"] == "civil_first")
    assert civil["sides"]["claimant"] == "原告" and civil["review"]["amount"] == 7
    draft = file_a_draft(firm, court_haishu.code)
    number, path = draft["number"], f"/filing/filings/{draft['number']}"
    assert draft["problems"] == {"materials": "请上传起诉状（申请书），或用诉状助手生成"}
    pdf = complaint_pdf()
    pdf_data = pdf.read()
    pdf.seek(0)
    uploaded = firm.upload(f"{path}/materials", kind="complaint", file=pdf)
    assert uploaded.status_code == 201, uploaded.json()
    material = uploaded.json()
    assert material["sha256"] == hashlib.sha256(pdf_data).hexdigest()
    assert (material["mime"], material["size"]) == ("application/pdf", len(pdf_data))

    detail = firm.get(path)
    body = detail.content.decode()
    filing = detail.json()
    assert filing["problems"] == {}
    zhang_party, wang_party = filing["parties"]
    assert zhang_party["is_applicant"] and zhang_party["name"] == "张三"
    assert wang_party["id_number"] == WANG_ID[:3] + "*" * 11 + WANG_ID[-4:]
    assert wang_party["phone"] == "139****4444"
    assert WANG_ID not in body and ZHANG_ID not in body and "13933334444" not in body
    assert [c["amount"] for c in filing["claims"]] == ["50000.00", None]
    assert filing["claims_total"] == "50000.00"

    submitted = firm.post(f"{path}/submit")
    assert submitted.status_code == 200, submitted.json()
    receipt = submitted.json()["receipt"]
    assert submitted.json()["status"] == "submitted" and submitted.json()["problems"] is None
    assert receipt["number"] == number and receipt["content_digest"].startswith("sha256:")
    assert receipt["review_due_at"].endswith("+08:00") and "第一百二十六条" in receipt["basis"]

    queue = desk.get("/filing/desk", court=court_haishu.code)
    assert queue.status_code == 200, queue.json()
    (item,) = queue.json()
    assert item["number"] == number and item["cause"] == "民间借贷纠纷"
    assert {p["name"] for p in item["parties"]} == {"张三", "王五"}
    assert item["days_left"] >= 0 and not item["overdue"]

    # The applicant cannot decide their own filing; the officer can.
    assert firm.post(f"{path}/accept").status_code == 403
    accepted = desk.post(f"{path}/accept", {"note": "符合起诉条件"})
    assert accepted.status_code == 200, accepted.json()
    result = accepted.json()
    assert result["case_number"].startswith("（") and "浙0203民初" in result["case_number"]
    assert result["fee_order"]["amount"] == "1050.00"
    mine = firm.get(path).json()
    assert mine["status"] == "accepted" and mine["case_number"] == result["case_number"]
    assert [d["kind"] for d in mine["decisions"]] == ["submitted", "accepted"]

    # 王五 links to the case from the link in his SMS.
    sms = Notification.objects.get(event="filing.invitation")
    token = re.search(r"/cases/link/([^/\s]+)/", sms.body).group(1)
    wang_firm = bearer(client, wang.user.username)
    linked = wang_firm.post(f"/filing/invitations/{token}/accept", {"consent": CONSENT})
    assert linked.status_code == 200, linked.json()
    assert linked.json()["status"] == "linked"
    assert linked.json()["case_number"] == result["case_number"]
    forged = wang_firm.post("/filing/invitations/not-a-token/accept", {"consent": {}})
    assert forged.status_code == 404


def test_bad_input_is_refused_naming_each_field_and_changes_nothing(firm, court_haishu):
    number = firm.post("/filing/filings", {}).json()["number"]
    path = f"/filing/filings/{number}"

    bad_party = firm.post(
        f"{path}/parties",
        {"side": "respondent", "name": "王五", "id_number": BAD_ID, "phone": "12345",
         "address": "浙江省宁波市"},
    )  # fmt: skip
    assert bad_party.status_code == 400
    assert {"id_number", "phone"} <= set(fields_of(bad_party))
    no_side = firm.post(f"{path}/parties", {"name": "王五", "address": "宁波"})
    assert "side" in fields_of(no_side)
    for amount in ("-5", 12.5, "十元", "0"):
        response = firm.post(f"{path}/claims", {"text": "判令被告还款", "amount": amount})
        assert response.status_code == 400 and "amount" in fields_of(response), amount
    assert "text" in fields_of(firm.post(f"{path}/claims", {"amount": "100"}))
    disguised = SimpleUploadedFile("起诉状.pdf", b"MZ\x90\x00 not a pdf at all", "application/pdf")
    response = firm.upload(f"{path}/materials", kind="complaint", file=disguised)
    assert response.status_code == 400 and "file" in fields_of(response)
    assert "file" in fields_of(firm.upload(f"{path}/materials", kind="complaint"))
    assert "kind" in fields_of(firm.upload(f"{path}/materials", kind="x", file=complaint_pdf()))
    patched = firm.send("patch", path, {"court": "火星", "consent": {"hearing": "yes"}, "foo": 1})
    assert patched.status_code == 400 and {"court", "consent", "foo"} <= set(fields_of(patched))
    assert "version" in fields_of(firm.send("patch", path, {"facts": "x", "version": "abc"}))

    submit = firm.post(f"{path}/submit")
    assert submit.status_code == 400 and submit.json()["error"]["code"] == "invalid"
    assert {"court", "cause", "parties", "claims", "facts", "materials"} <= set(fields_of(submit))

    filing = firm.get(path).json()
    assert filing["status"] == "draft" and filing["version"] == 1
    assert filing["parties"] == filing["claims"] == filing["materials"] == []
    assert filing["court"] is None and filing["facts"] == ""


def test_a_stale_version_answers_409_and_keeps_the_newer_draft(firm):
    draft = firm.post("/filing/filings", {}).json()
    path = f"/filing/filings/{draft['number']}"
    first = firm.send("patch", path, {"facts": "手机上写的", "version": draft["version"]})
    assert first.status_code == 200
    stale = firm.send("patch", path, {"facts": "电脑上写的", "version": draft["version"]})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_draft"
    assert firm.get(path).json()["facts"] == "手机上写的"


def _filing_routes():
    """Every route of the API under /filing/filings/{number}, from the published schema, so
    a route added later is covered without editing this test."""
    from microcourt.api import api

    paths = api.get_openapi_schema()["paths"]
    prefix = f"{API}/filing/filings/{{number}}"
    return [
        (method, path.removeprefix(API))
        for path, operations in paths.items()
        if path.startswith(prefix)
        for method in operations
    ]


def test_a_stranger_gets_404_on_every_route_of_someone_elses_filing(
    client, draft, zhang, wang, court_haishu
):
    from microcourt.courts.tests.factories import CourtFactory, StaffFactory

    party, claim, material = draft.parties.first(), draft.claims.first(), draft.materials.first()
    ids = {"number": draft.number, "party_id": party.pk, "claim_id": claim.pk,
           "material_id": material.pk}  # fmt: skip
    routes = _filing_routes()
    assert len(routes) >= 16, routes
    elsewhere = StaffFactory(court=CourtFactory(), role="filing_officer").user
    strangers = [
        bearer(client, wang.user.username),
        # A filing officer, but of another court.
        bearer(client, elsewhere.username, otp=totp_now(enrol_totp(elsewhere))),
    ]
    for stranger in strangers:
        for method, route in routes:
            response = stranger.send(method, route.format(**ids))
            assert response.status_code == 404, (method, route, response.content)
            assert response.json()["error"]["code"] == "not_found"
    # Nothing happened to the draft.
    draft.refresh_from_db()
    assert draft.status == FilingStatus.DRAFT and draft.parties.count() == 2


def test_listing_my_filings_takes_the_same_queries_for_2_or_12_filings(
    client, firm, zhang, court_haishu, django_assert_max_num_queries
):
    from microcourt.filing import actions

    def add(n):
        for _ in range(n):
            filing = actions.filing_start(actor=zhang)
            actions.party_save(
                filing=filing, actor=zhang, side="respondent",
                data={"name": "王五", "address": "宁波"},
            )  # fmt: skip

    add(2)
    with django_assert_max_num_queries(6) as few:
        assert len(firm.get("/filing/filings").json()["items"]) == 2
    add(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        listed = firm.get("/filing/filings").json()
    assert listed["count"] == 12 and listed["items"][0]["title"] == "王五"
    assert Filing.objects.count() == 12


def test_the_desk_takes_the_same_queries_for_1_or_6_filings(
    client, desk, draft, zhang, court_haishu, django_assert_max_num_queries
):
    from microcourt.filing import actions, submission

    submission.filing_submit(filing=draft, actor=zhang)
    with django_assert_max_num_queries(12) as few:
        assert len(desk.get("/filing/desk", court=court_haishu.code).json()) == 1
    for _ in range(5):
        clone = actions.filing_start(actor=zhang)
        Filing.objects.filter(pk=clone.pk).update(
            status="submitted", court=court_haishu, review_due_at=draft.review_due_at
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(desk.get("/filing/desk", court=court_haishu.code).json()) == 6
    assert desk.get("/filing/desk", court="浙0000").status_code == 404
    assert "court" in fields_of(desk.get("/filing/desk"))


def test_the_officer_asks_once_for_corrections_and_then_rules_through_the_api(
    firm, desk, submitted
):
    path = f"/filing/filings/{submitted.number}"
    assert "items" in fields_of(desk.post(f"{path}/correction", {"items": []}))
    assert "deadline" in fields_of(
        desk.post(f"{path}/correction", {"items": ["补充借条原件照片"], "deadline": "明天"})
    )
    asked = desk.post(f"{path}/correction", {"items": ["补充借条原件照片", "补充转账记录"]})
    assert asked.status_code == 200, asked.json()
    assert asked.json()["status"] == "correction_requested"
    (notice,) = [d for d in asked.json()["decisions"] if d["kind"] == "correction"]
    assert notice["items"] == ["补充借条原件照片", "补充转账记录"] and notice["deadline"]
    again = desk.post(f"{path}/correction", {"items": ["再补一项"]})
    assert again.status_code == 409
    # The applicant sees what to correct and may edit again.
    assert firm.get(path).json()["problems"] == {}
    assert "reasons" in fields_of(desk.post(f"{path}/reject", {"reasons": " "}))
    rejected = desk.post(f"{path}/reject", {"reasons": "不属于人民法院受理民事诉讼的范围"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    late = firm.send("patch", path, {"facts": "改一改"})
    assert late.status_code == 409 and late.json()["error"]["code"] == "not_editable"


def test_withdrawing_and_transferring(firm, desk, submitted, court_haishu):
    from microcourt.courts.tests.factories import CourtFactory

    other = CourtFactory(code="浙0212", name="宁波市鄞州区人民法院", parent=court_haishu.parent)
    path = f"/filing/filings/{submitted.number}"
    assert "target_court" in fields_of(
        desk.post(f"{path}/transfer", {"target_court": court_haishu.code, "reasons": "管辖"})
    )
    moved = desk.post(f"{path}/transfer", {"target_court": other.code, "reasons": "被告住所地"})
    assert moved.status_code == 200, moved.json()
    assert moved.json()["court"] == other.code
    assert desk.get(path).status_code == 404  # no longer this court's filing
    withdrawn = firm.post(f"{path}/withdraw", {"reason": "已和解"})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    # A draft is withdrawn too; the reason may be left out.
    draft = firm.post("/filing/filings").json()["number"]
    bare = firm.post(f"/filing/filings/{draft}/withdraw")
    assert bare.status_code == 200 and bare.json()["status"] == "withdrawn"


def test_auto_fill_reads_a_complaint_and_an_id_card_for_confirmation(firm, settings):
    from microcourt.assist.tests import cards

    from .autofill_samples import complaint_pdf as sample_complaint_pdf

    pdf = SimpleUploadedFile("起诉状.pdf", sample_complaint_pdf(), "application/pdf")
    read = firm.upload("/filing/autofill/complaint", file=pdf)
    assert read.status_code == 200, read.json()
    guess = read.json()
    assert [p["name"] for p in guess["parties"]] == ["张三", "王五"]
    assert guess["claims"][0]["amount"] == "50000.00"
    text = SimpleUploadedFile("起诉状.pdf", b"just some text", "application/pdf")
    assert "file" in fields_of(firm.upload("/filing/autofill/complaint", file=text))

    settings.OCR_ENGINE = "microcourt.assist.tests.test_idcard.FakeEngine"
    png = SimpleUploadedFile("card.png", cards.render_id_card_front(), "image/png")
    card = firm.upload("/filing/autofill/id-card", image=png, side="defendant")
    assert card.status_code == 200, card.json()
    assert card.json()["side"] == "defendant" and card.json()["name"]
    fake = SimpleUploadedFile("card.jpg", b"%PDF-1.4 not an image", "image/jpeg")
    assert "image" in fields_of(firm.upload("/filing/autofill/id-card", image=fake))
    assert "side" in fields_of(firm.upload("/filing/autofill/business-licence", side="x"))


def test_the_api_needs_a_login(client):
    response = client.post(f"{API}/filing/filings", {}, content_type="application/json")
    assert response.status_code == 401
    assert client.get(f"{API}/filing/filings").json()["error"]["code"] == "unauthenticated"


def test_a_whole_draft_in_one_request_then_upload_and_submit(firm, court_haishu):
    """Three requests file a case: the draft with its parties and claims, the complaint,
    the submission."""
    from microcourt.filing.models import CauseOfAction

    cause = CauseOfAction.objects.get(name="民间借贷纠纷").pk
    party_wang = {"side": "respondent", "name": "王五", "id_number": WANG_ID,
                  "phone": "13933334444", "address": "浙江省宁波市鄞州区天童南路2号"}  # fmt: skip
    body = {
        "court": court_haishu.code,
        "cause": cause,
        "facts": FACTS,
        "consent": CONSENT,
        "parties": [
            {
                "side": "claimant",
                "self": True,
                "address": "浙江省宁波市海曙区中山西路1号",
                "service_address_confirmed": True,
            },
            party_wang,
        ],
        "claims": [{"text": "判令被告偿还借款本金50000元", "amount": "50000"}],
    }
    # One bad party and one bad claim: both named, and no draft is left behind.
    bad = {**body, "parties": [body["parties"][0], {**party_wang, "id_number": BAD_ID}],
           "claims": [{"text": "偿还借款", "amount": "-1"}]}  # fmt: skip
    refused = firm.post("/filing/filings", bad)
    assert refused.status_code == 400
    assert {"parties.1.id_number", "claims.0.amount"} <= set(fields_of(refused))
    assert not Filing.objects.exists()
    created = firm.post("/filing/filings", body)
    assert created.status_code == 201, created.json()
    filing = created.json()
    assert [p["name"] for p in filing["parties"]] == ["张三", "王五"]
    path = f"/filing/filings/{filing['number']}"
    assert (
        firm.upload(f"{path}/materials", kind="complaint", file=complaint_pdf()).status_code == 201
    )
    submitted = firm.post(f"{path}/submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
