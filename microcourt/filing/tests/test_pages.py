"""张三 files on his phone page by page; 李立案 decides at the filing desk; strangers see
nothing (ARCHITECTURE §5: every case-scoped page denies non-participants)."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from microcourt.filing import actions, review, submission
from microcourt.filing.models import CauseOfAction, Filing, FilingStatus
from microcourt.filing.tests.conftest import WANG_ID, ZHANG_ID, pdf_bytes

pytestmark = pytest.mark.django_db


def step_url(filing, step):
    return reverse("filing:step", args=[filing.number, step])


@pytest.fixture
def officer_li(officer_li):
    """The officer has a second factor, as court staff must (else every page asks for it)."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=officer_li.user, type=Authenticator.Type.TOTP, data={})
    return officer_li


@pytest.fixture
def phone(client, zhang):
    client.force_login(zhang.user)
    return client


def test_start_opens_a_draft_and_each_step_saves_and_moves_on(phone, court_haishu):
    response = phone.post(reverse("filing:start"))
    filing = Filing.objects.get()
    assert response.url == step_url(filing, "capacity")
    assert "第 1/8 步" in phone.get(response.url).content.decode()

    def post(step, data):
        filing.refresh_from_db()
        return phone.post(step_url(filing, step), {"version": filing.version, **data})

    assert post("capacity", {"capacity": "self"}).url == step_url(filing, "court")
    page = phone.get(step_url(filing, "court"), {"q": "海曙"}).content.decode()
    assert court_haishu.name in page
    assert post("court", {"court": court_haishu.code}).url == step_url(filing, "kind")
    cause = CauseOfAction.objects.get(name="民间借贷纠纷")
    assert post("kind", {"kind": "civil_first", "cause": cause.pk}).url == step_url(
        filing, "parties"
    )
    me = {"action": "self", "address": "宁波市", "service_address_confirmed": "on"}
    assert phone.post(step_url(filing, "parties"), me).status_code == 302
    response = phone.post(
        step_url(filing, "parties"),
        {"action": "save", "side": "respondent", "kind": "natural", "name": "王五",
         "id_number": WANG_ID, "phone": "13933334444", "address": "宁波市鄞州区"},
    )  # fmt: skip
    assert response.status_code == 302
    page = phone.get(step_url(filing, "parties")).content.decode()
    i = page.find(WANG_ID)
    assert i < 0, page[i - 300 : i + 50]
    assert "王五" in page and "330***********1237" in page  # masked
    assert ZHANG_ID not in page
    response = phone.post(
        step_url(filing, "claims"), {"action": "add", "text": "偿还借款", "amount": "50000"}
    )
    assert response.status_code == 302
    page = phone.get(step_url(filing, "claims")).content.decode()
    assert "伍万元整" in page and "诉状助手" in page
    assert post("claims", {"action": "next"}).url == step_url(filing, "materials")
    upload = SimpleUploadedFile("起诉状.pdf", pdf_bytes(), "application/pdf")
    response = phone.post(
        step_url(filing, "materials"), {"action": "add", "kind": "complaint", "file": upload}
    )
    assert response.status_code == 302
    material = filing.materials.get()
    page = phone.get(step_url(filing, "materials")).content.decode()
    assert material.sha256[:12] in page
    consent = dict.fromkeys(actions.CONSENT_STAGES, "yes")
    assert post("consent", consent).url == step_url(filing, "review")
    page = phone.get(step_url(filing, "review")).content.decode()
    assert "请填写事实与理由" in page  # the one problem left, linked to its step
    assert post("claims", {"action": "facts", "facts": "被告借款未还。"}).status_code == 302
    response = phone.post(step_url(filing, "review"), {"action": "submit"})
    assert response.url == reverse("filing:receipt", args=[filing.number])
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUBMITTED
    page = phone.get(response.url).content.decode()
    assert filing.content_digest in page and "<svg" in page and "正在生成" in page


def test_the_complaint_assistant_shows_each_refusal_and_keeps_the_answers(phone, draft):
    url = step_url(draft, "claims")
    response = phone.post(url, {"action": "assistant", "el-principal": "-5"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="el-loan_date-error"' in page and 'id="el-principal-error"' in page
    assert 'value="-5"' in page
    draft.refresh_from_db()
    assert draft.elements["principal"] == "-5"  # kept as typed
    answers = {
        "action": "assistant",
        "el-loan_date": "2025-01-01",
        "el-principal": "50000",
        "el-delivery_method": "bank_transfer",
        "el-loan_document": "iou",
        "el-has_transfer_record": "on",
        "el-repayment_date": "2025-06-30",
        "el-guarantee": "none",
    }
    response = phone.post(url, answers)
    if response.status_code != 302:  # show what the assistant still wants
        errors = re.findall(r'class="mc-error"[^>]*>([^<]+)', response.content.decode())
        pytest.fail(f"assistant refused: {errors}")
    page = phone.get(url).content.decode()
    assert "民事起诉状.pdf" in page and "民事起诉状.docx" in page


@pytest.mark.parametrize(
    ("step", "data", "field"),
    [
        (
            "parties",
            {"action": "save", "side": "respondent", "kind": "natural", "name": "赵六",
             "id_number": "330203198505051230", "address": "宁波"},
            "id_number",
        ),
        ("claims", {"action": "add", "text": "偿还借款", "amount": "-100"}, "amount"),
    ],
)  # fmt: skip
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_saved(phone, draft, step, data, field):
    before = (draft.parties.count(), draft.claims.count(), draft.version)
    response = phone.post(step_url(draft, step), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="{field}-error"' in page
    assert f'value="{data[field]}"' in page  # what was typed is kept
    draft.refresh_from_db()
    assert (draft.parties.count(), draft.claims.count(), draft.version) == before


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("证据.pdf", b"MZ\x90\x00" + bytes(1000), "application/pdf"),
        SimpleUploadedFile("大.pdf", b"%PDF-1.4\n" + bytes(2048), "application/pdf"),
    ],
    ids=["exe-renamed-pdf", "oversized"],
)
def test_a_disguised_or_oversized_file_is_refused(phone, draft, settings, upload):
    settings.FILING_MAX_UPLOAD_BYTES = 1024
    count = draft.materials.count()
    response = phone.post(
        step_url(draft, "materials"), {"action": "add", "kind": "evidence", "file": upload}
    )
    assert response.status_code == 200
    assert 'id="file-error"' in response.content.decode()
    assert draft.materials.count() == count
    assert Filing.objects.filter(pk=draft.pk, status=FilingStatus.DRAFT).exists()


def test_a_draft_resumes_on_another_device_and_a_stale_save_is_refused(zhang, draft):
    laptop, mobile = Client(), Client()
    laptop.force_login(zhang.user)
    mobile.force_login(zhang.user)
    actions.filing_update(filing=draft, actor=zhang, changes={"step": "materials"})
    assert laptop.get(reverse("filing:detail", args=[draft.number])).url == step_url(
        draft, "materials"
    )
    draft.refresh_from_db()
    stale = draft.version
    answers = {"version": stale, "mediation": "yes", "evidence_exchange": "yes", "hearing": "yes",
               "service": "no"}  # fmt: skip
    assert mobile.post(step_url(draft, "consent"), answers).status_code == 302
    response = laptop.post(
        step_url(draft, "consent"),
        {"version": stale, **dict.fromkeys(actions.CONSENT_STAGES, "no")},
    )
    assert response.status_code == 200 and "其他设备" in response.content.decode()
    draft.refresh_from_db()
    assert draft.consent["service"] is False and draft.consent["mediation"] is True


def test_the_desk_orders_by_due_date_and_flags_at_risk_and_overdue(
    client, submitted, officer_li, zhang, court_haishu
):
    from microcourt.filing.tests.conftest import complaint_upload

    second = actions.filing_start(actor=zhang)
    for model_field in ("court", "cause", "facts", "consent"):
        setattr(second, model_field, getattr(submitted, model_field))
    second.save()
    for party in submitted.parties.all():
        party.pk, party.filing = None, second
        party.save()
    actions.claim_save(filing=second, actor=zhang, text="还款", amount="100")
    actions.material_add(filing=second, actor=zhang, kind="complaint", upload=complaint_upload())
    submission.filing_submit(filing=second, actor=zhang)
    now = timezone.now()
    Filing.objects.filter(pk=submitted.pk).update(review_due_at=now + dt.timedelta(hours=2))
    Filing.objects.filter(pk=second.pk).update(review_due_at=now - dt.timedelta(days=1))
    client.force_login(officer_li.user)
    response = client.get(reverse("filing:desk"))
    page = response.content.decode()
    assert submitted.number in page, (response.status_code, page[-3000:])
    assert page.index(second.number) < page.index(submitted.number)  # most urgent first
    assert "已超期" in page and "应当先行立案" in page and "即将到期" in page


def test_accepting_from_the_review_page_shows_the_case_number(client, submitted, officer_li):
    client.force_login(officer_li.user)
    url = reverse("filing:review", args=[submitted.number])
    page = client.get(url).content.decode()
    assert "登记立案" in page and "补正" in page
    assert "330203198505051237" not in page  # numbers stay masked for the officer too
    response = client.post(url, {"action": "accept"}, follow=True)
    submitted.refresh_from_db()
    assert submitted.case is not None
    assert submitted.case.number in response.content.decode()


def test_a_correction_without_items_is_refused_on_the_form(client, submitted, officer_li):
    client.force_login(officer_li.user)
    url = reverse("filing:review", args=[submitted.number])
    response = client.post(url, {"action": "request_correction", "items": "  "})
    assert response.status_code == 200 and "至少一项" in response.content.decode()


def test_the_case_page_shows_the_number_the_fee_and_the_timeline(phone, submitted, officer_li):
    filing = review.filing_accept(filing=submitted, actor=officer_li)
    page = phone.get(reverse("filing:case", args=[filing.case_id])).content.decode()
    assert filing.case.number in page
    assert "1,050.00" in page or "1050.00" in page
    assert "<svg" in page and "提交申请" in page


def test_the_other_side_links_to_the_case(client, submitted, officer_li, wang):
    from microcourt.notifications.models import Notification

    filing = review.filing_accept(filing=submitted, actor=officer_li)
    sms = Notification.objects.get(event="filing.invitation")
    token = re.search(r"/cases/link/([^/\s]+)/", sms.body).group(1)
    client.force_login(wang.user)
    url = reverse("filing:link", args=[token])
    assert filing.case.number in client.get(url).content.decode()
    response = client.post(url, dict.fromkeys(actions.CONSENT_STAGES, "yes"))
    assert response.url == reverse("filing:case", args=[filing.case_id])
    assert client.get(response.url).status_code == 200


def test_a_stranger_gets_404_everywhere(client, submitted, officer_li, defendant_wang):
    filing = review.filing_accept(filing=submitted, actor=officer_li)
    material = filing.materials.first()
    client.force_login(defendant_wang)  # not yet linked to the case: a stranger
    for url in (
        reverse("filing:detail", args=[filing.number]),
        reverse("filing:receipt", args=[filing.number]),
        reverse("filing:step", args=[filing.number, "parties"]),
        reverse("filing:material", args=[filing.number, material.pk]),
        reverse("filing:review", args=[filing.number]),
        reverse("filing:case", args=[filing.case_id]),
        reverse("filing:link", args=["not-a-token"]),
        reverse("filing:desk"),
    ):
        assert client.get(url).status_code == 404, url


def test_the_applicant_downloads_a_material_with_its_type_and_name(phone, draft):
    material = draft.materials.get()
    response = phone.get(reverse("filing:material", args=[draft.number, material.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_my_cases_lists_drafts(phone, draft):
    page = phone.get(reverse("my_cases")).content.decode()
    assert draft.number in page and "继续填写" in page


def test_an_id_card_photo_fills_the_party_form_for_confirmation(phone, draft, settings):
    """拍身份证自动填写: the form comes back filled in; nothing is saved until confirmed."""
    from microcourt.assist.tests import cards

    settings.OCR_ENGINE = "microcourt.assist.tests.test_idcard.FakeEngine"
    before = draft.parties.count()
    photo = SimpleUploadedFile("card.png", cards.render_id_card_front(), "image/png")
    page = phone.post(
        step_url(draft, "parties"),
        {"action": "ocr", "side": "respondent", "document": "id_card", "file": photo},
    )
    html = page.content.decode()
    assert page.status_code == 200
    from microcourt.assist.tests.cards import ZHANG_SAN_ID

    assert 'value="张三"' in html and ZHANG_SAN_ID in html  # as read, for the user to check
    assert draft.parties.count() == before  # not saved: the user checks it first
    # A file that is no picture is refused with the reason, by the real reader.
    settings.OCR_ENGINE = "microcourt.assist.ocr.RapidOcrEngine"
    garbage = SimpleUploadedFile("card.jpg", b"not an image at all", "image/jpeg")
    page = phone.post(
        step_url(draft, "parties"),
        {"action": "ocr", "side": "respondent", "document": "id_card", "file": garbage},
    )
    assert "无法读取这张图片" in page.content.decode()
    assert draft.parties.count() == before


def test_an_uploaded_complaint_is_kept_and_read_for_confirmation(phone, draft):
    """上传起诉状自动识别: the file is stored as the complaint first, then what it names is
    offered party by party and claim by claim."""
    from .autofill_samples import complaint_pdf

    before = draft.materials.count()
    upload = SimpleUploadedFile("起诉状.pdf", complaint_pdf(), "application/pdf")
    page = phone.post(step_url(draft, "claims"), {"action": "upload", "file": upload})
    html = page.content.decode()
    assert page.status_code == 200
    assert draft.materials.count() == before + 1
    assert "王五" in html and "伍万元整" in html


def test_the_defendants_address_points_to_a_court(phone, draft, court_haishu):
    """民事诉讼法第二十二条: 王五 lives in 鄞州, so the court step offers the 鄞州 court and
    the review step says that 海曙 is not the defendant's court — a hint, not a refusal."""
    from microcourt.courts.tests.factories import CourtFactory

    yinzhou = CourtFactory(
        code="浙0212", name="宁波市鄞州区人民法院", level="basic", province="浙江省",
        city="宁波市", district="鄞州区",
    )  # fmt: skip
    CourtFactory(code="渝0105", name="重庆市江北区人民法院", level="basic", city="重庆市",
                 district="江北区")  # fmt: skip
    page = phone.get(step_url(draft, "court")).content.decode()
    assert yinzhou.name in page and "第二十二条" in page and "重庆市江北区" not in page
    review_page = phone.get(step_url(draft, "review")).content.decode()
    assert "不是被告住所地法院" in review_page
    draft.refresh_from_db()
    chosen = phone.post(
        step_url(draft, "court"), {"version": draft.version, "action": "save", "court": "浙0212"}
    )
    assert chosen.status_code == 302
    draft.refresh_from_db()
    assert draft.court_id == yinzhou.pk
    assert "不是被告住所地法院" not in phone.get(step_url(draft, "review")).content.decode()
