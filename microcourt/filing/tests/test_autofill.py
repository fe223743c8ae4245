"""Auto-fill for the filing wizard, told as stories: 张三 sues 王五 over a loan and 宁波某某贸易
有限公司 over unpaid goods, and uploads his complaint as typed text, a text PDF, a photo or a
scan; he photographs his ID card and the company's business licence.

The parser tests need no OCR. The file tests that do OCR use the real rapidocr engine and
are kept to five calls (a photo, a scan, a mixed PDF, an ID card, a licence); every other
file test runs with an engine that fails if it is called, which proves no OCR happened."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import time
from decimal import Decimal

import pytest
from pypdf import PdfReader, PdfWriter

from microcourt.assist.ocr import OcrEngine, OcrLine, get_engine
from microcourt.assist.tests import cards
from microcourt.core.errors import DomainError, InvalidInput, Unprocessable
from microcourt.filing.autofill import (
    ClaimGuess,
    ComplaintGuess,
    complaint_from_file,
    parse_complaint_text,
    party_from_business_licence,
    party_from_id_card,
)

from . import autofill_samples as samples

EXPLODING = "microcourt.filing.tests.test_autofill.ExplodingEngine"


class ExplodingEngine:
    """An OCR engine for paths that must not OCR anything."""

    def read(self, image: bytes) -> list[OcrLine]:
        raise AssertionError("OCR was called")


class CountingEngine:
    """Wraps an engine and counts the pages it was given."""

    def __init__(self, inner: OcrEngine | None = None, lines: list[OcrLine] | None = None):
        self.inner, self.lines, self.calls = inner, lines or [], 0

    def read(self, image: bytes) -> list[OcrLine]:
        self.calls += 1
        return self.inner.read(image) if self.inner else list(self.lines)


@pytest.fixture(scope="module")
def ocr_engine() -> OcrEngine:
    """The real engine, loaded once for the module (model start-up is ~1 s)."""
    engine = get_engine()
    if load := getattr(engine, "load", None):
        load()
    return engine


@pytest.fixture
def no_ocr(settings) -> None:
    settings.OCR_ENGINE = EXPLODING


def by_name(guess: ComplaintGuess) -> dict:
    return {party.name: party for party in guess.parties}


def amounts(guess: ComplaintGuess) -> list[Decimal | None]:
    return [claim.amount for claim in guess.claims]


def assert_loan_complaint(guess: ComplaintGuess) -> None:
    """What 张三's loan complaint says, however it was read."""
    zhang, wang = by_name(guess)["张三"], by_name(guess)["王五"]
    assert (zhang.side, zhang.kind, zhang.gender) == ("plaintiff", "natural", "男")
    assert zhang.birth_date == dt.date(1988, 1, 2)
    assert zhang.id_number == samples.ZHANG_SAN_ID
    assert zhang.phone == "13811112222"
    assert zhang.address == "浙江省宁波市海曙区某某路1号"
    assert (wang.side, wang.id_number) == ("defendant", samples.WANG_WU_ID)
    assert amounts(guess) == [Decimal("50000.00"), None, None]
    assert guess.court_name == "宁波市海曙区人民法院"
    assert guess.cause == "民间借贷纠纷"


# --- parsing text --------------------------------------------------------------------------


def test_zhang_sans_standard_loan_complaint_is_read_field_by_field() -> None:
    guess = parse_complaint_text(samples.LOAN_COMPLAINT)

    assert [p.name for p in guess.parties] == ["张三", "王五"]
    assert_loan_complaint(guess)
    zhang = guess.parties[0]
    assert zhang.ethnicity == "汉族"
    assert zhang.issues == ()
    assert zhang.confidence == 1.0
    assert guess.claims[0] == ClaimGuess(
        "判令被告偿还借款本金50,000元（大写：伍万元整）", Decimal("50000")
    )
    # The interest item names 50000元 only as the base of its calculation: it claims no sum.
    assert guess.claims[1].text.startswith("判令被告支付利息（以50000元为基数")
    assert guess.facts.startswith("2023年1月1日，被告因经营需要向原告借款50000元")
    assert "\n借款到期后" in guess.facts  # the writer's paragraphs survive
    assert "此致" not in guess.facts
    assert guess.issues == ()
    assert guess.source == "text_pdf"
    assert guess.confidence == 1.0


def test_two_defendants_and_an_agent_are_kept_apart() -> None:
    guess = parse_complaint_text(samples.SALE_COMPLAINT)

    # The plaintiff's lawyer speaks for him but is not a party, and his phone is not 张三's.
    assert [(p.side, p.name) for p in guess.parties] == [
        ("plaintiff", "张三"),
        ("defendant", "宁波某某贸易有限公司"),
        ("defendant", "王五"),
    ]
    zhang, company, wang = guess.parties
    assert zhang.phone == ""
    assert company.kind == "legal"
    assert company.uscc == samples.COMPANY_USCC
    assert company.legal_representative == "李四"
    assert company.address == "浙江省宁波市海曙区某某路88号1201室"
    assert (company.gender, company.id_number, company.issues) == ("", "", ())
    assert wang.id_number == samples.WANG_WU_ID
    # 5万元 and a sum written only in 大写; items without money have no amount.
    assert amounts(guess) == [Decimal("50000"), Decimal("300000"), None, None]
    assert guess.claims[2].text == "判令被告二对上述债务承担连带保证责任"
    assert guess.cause == "买卖合同纠纷"


def ocr_noisy(text: str) -> str:
    """What OCR makes of a page: half-width colons, full-width digits in places, O for 0 and
    l for 1 inside numbers, letter-spaced labels and lines broken every 13 characters."""
    text = text.replace("：", ":").replace("原告", "原  告")
    text = text.replace(samples.ZHANG_SAN_ID, samples.ZHANG_SAN_ID.replace("0", "O"))
    text = text.replace("13933334444", "l3933334444").replace("50,000元", "５０，０００元")
    flat = text.replace("\n", "")
    return "\n".join(flat[i : i + 13] for i in range(0, len(flat), 13))


def test_ocr_noise_and_arbitrary_line_breaks_do_not_change_the_reading() -> None:
    noisy = ocr_noisy(samples.LOAN_COMPLAINT)
    assert samples.ZHANG_SAN_ID not in noisy.replace("\n", "")  # the number really is garbled

    guess = parse_complaint_text(noisy, source="ocr")

    assert [p.name for p in guess.parties] == ["张三", "王五"]
    assert_loan_complaint(guess)
    assert by_name(guess)["王五"].phone == "13933334444"
    assert guess.source == "ocr"


CLAIM_FORMS = [
    ("偿还借款50000.00元", Decimal("50000.00")),
    ("偿还借款1.5万元", Decimal("15000")),
    ("偿还借款人民币伍万元整", Decimal("50000")),
    ("支付货款壹拾贰万叁仟肆佰伍拾陆元柒角捌分", Decimal("123456.78")),
    ("支付违约金10,000元（大写：壹万元整）及利息2000元", Decimal("10000")),
    ("支付工程款（暂计）8000元", Decimal("8000")),
    ("赔礼道歉", None),
]


@pytest.mark.parametrize("marker", ["1.", "一、", "（1）"], ids=["arabic", "chinese", "bracket"])
def test_each_numbered_claim_carries_its_principal_amount(marker: str) -> None:
    def numbered(n: int) -> str:
        return {"1.": f"{n}.", "一、": "一二三四五六七"[n - 1] + "、", "（1）": f"（{n}）"}[marker]

    items = "\n".join(f"{numbered(n)}{text}；" for n, (text, _) in enumerate(CLAIM_FORMS, 1))
    guess = parse_complaint_text(f"原告：张三\n被告：王五\n诉讼请求：\n{items}\n事实与理由：略。")

    assert [c.text for c in guess.claims] == [text for text, _ in CLAIM_FORMS]
    assert amounts(guess) == [amount for _, amount in CLAIM_FORMS]


def test_amount_in_words_that_disagrees_with_the_figure_is_flagged() -> None:
    guess = parse_complaint_text(
        "原告：张三\n被告：王五\n诉讼请求：1.偿还借款10,000元（大写：壹仟元整）；"
        "2.偿还借款2万元（大写：贰万元整）"
    )

    assert amounts(guess) == [Decimal("10000"), Decimal("20000")]
    assert "claim_1_amount_mismatch" in guess.issues
    assert "claim_2_amount_mismatch" not in guess.issues


def test_a_mistyped_id_number_is_kept_and_reported() -> None:
    text = samples.LOAN_COMPLAINT.replace(samples.ZHANG_SAN_ID, samples.BAD_ID)

    guess = parse_complaint_text(text)
    zhang = by_name(guess)["张三"]

    assert zhang.id_number == samples.BAD_ID  # for 张三 to correct, not silently dropped
    assert "id_number_invalid" in zhang.issues
    assert zhang.confidence < 1.0
    assert guess.confidence < 1.0


def test_a_company_with_a_bad_credit_code_is_reported() -> None:
    bad = samples.COMPANY_USCC[:-1] + ("B" if samples.COMPANY_USCC[-1] != "B" else "C")
    guess = parse_complaint_text(samples.SALE_COMPLAINT.replace(samples.COMPANY_USCC, bad))

    company = by_name(guess)["宁波某某贸易有限公司"]
    assert company.uscc == bad
    assert "uscc_invalid" in company.issues


def test_an_appeal_names_appellant_appellee_and_third_party() -> None:
    guess = parse_complaint_text(
        "民事上诉状\n上诉人（原审被告）：王五，男，1985年3月15日出生，汉族，住浙江省宁波市江北区"
        "某某街8号。\n被上诉人（原审原告）：张三，男。\n原审第三人：宁波某某贸易有限公司，住所地："
        "浙江省宁波市海曙区某某路88号。\n第三人：赵六，女。\n上诉请求：1.撤销原判，改判驳回被上诉人的"
        "全部诉讼请求。\n事实与理由：一审认定借款事实错误。\n此致\n宁波市中级人民法院"
    )

    sides = [(p.name, p.side) for p in guess.parties]
    assert ("王五", "defendant") not in sides
    assert sides[:2] == [("王五", "plaintiff"), ("张三", "defendant")]
    assert ("赵六", "third_party") in sides
    assert guess.court_name == "宁波市中级人民法院"
    assert len(guess.claims) == 1 and guess.claims[0].amount is None


@pytest.mark.parametrize(
    ("words", "cause"),
    [
        ("判令原告与被告离婚", "离婚纠纷"),
        ("赔偿交通事故造成的医疗费、误工费", "机动车交通事故责任纠纷"),
        ("偿还信用卡透支本金", "信用卡纠纷"),
        ("支付2023年度物业费", "物业服务合同纠纷"),
        ("支付拖欠的工资", "追索劳动报酬纠纷"),
        ("返还不当得利", ""),
    ],
)
def test_the_cause_is_guessed_from_the_words_or_left_blank(words: str, cause: str) -> None:
    guess = parse_complaint_text(f"原告：张三\n被告：王五\n诉讼请求：1.{words}。")
    assert guess.cause == cause


def test_guesses_are_plain_json() -> None:
    data = parse_complaint_text(samples.SALE_COMPLAINT).as_dict()

    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["parties"][0]["birth_date"] == "1988-01-02"
    assert data["claims"][0]["amount"] == "50000.00"
    assert data["claims"][2]["amount"] is None


# --- files without OCR ---------------------------------------------------------------------


def test_a_text_pdf_is_read_from_its_text_layer_without_ocr(no_ocr) -> None:
    pdf = samples.complaint_pdf()

    started = time.perf_counter()
    guess = complaint_from_file(pdf, "application/pdf")
    elapsed = time.perf_counter() - started

    assert guess.source == "text_pdf"
    assert_loan_complaint(guess)
    assert guess.issues == ()
    assert elapsed < 3  # ~0.1 s; OCR would take seconds (and the engine would fail)


def test_only_the_first_pages_of_a_long_pdf_are_read(no_ocr) -> None:
    evidence = "<p style='page-break-before: always'>证据材料：借条复印件一份，银行转账凭证。</p>"
    body = "".join(f"<p>{line}</p>" for line in samples.LOAN_COMPLAINT.splitlines())
    from weasyprint import HTML

    pdf = HTML(
        string=f"<body style=\"font-family: 'WenQuanYi Micro Hei'\">{body}{evidence * 24}</body>"
    ).write_pdf()

    guess = complaint_from_file(pdf, "application/pdf")

    assert "pages_truncated" in guess.issues
    assert [p.name for p in guess.parties] == ["张三", "王五"]


def file_error(exc: pytest.ExceptionInfo[DomainError]) -> str:
    assert set(exc.value.fields) == {"file"}
    assert re.search(r"[\u4e00-\u9fff]", str(exc.value.message))  # told in Chinese
    return exc.value.code


@pytest.mark.parametrize(
    ("data", "mime", "error", "code"),
    [
        (b"", "application/pdf", InvalidInput, "file_empty"),
        (b"", "image/png", InvalidInput, "file_empty"),
        (
            b"%PDF-1.7\n%garbage that is not a PDF at all",
            "application/pdf",
            Unprocessable,
            "pdf_unreadable",
        ),
        (b"PK\x03\x04 a zip, not a PDF", "application/pdf", Unprocessable, "pdf_unreadable"),
        (b"\x89PNG\r\n\x1a\n broken", "image/png", Unprocessable, "image_unreadable"),
        (b"{\\rtf1 a Word file}", "application/msword", InvalidInput, "file_type"),
    ],
    ids=["empty-pdf", "empty-image", "garbage-pdf", "zip-as-pdf", "broken-png", "word"],
)
def test_bad_files_are_refused_naming_the_file_field(no_ocr, data, mime, error, code) -> None:
    with pytest.raises(error) as exc:
        complaint_from_file(data, mime)
    assert file_error(exc) == code


def test_an_encrypted_pdf_is_refused_naming_the_file_field(no_ocr) -> None:
    with pytest.raises(Unprocessable) as exc:
        complaint_from_file(samples.encrypted_pdf(), "application/pdf")
    assert file_error(exc) == "pdf_encrypted"


def test_a_scan_with_nothing_legible_is_refused_after_one_ocr_call() -> None:
    blank = PdfWriter()
    blank.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    blank.write(buffer)
    engine = CountingEngine(lines=[OcrLine("第1页", 0.9)])

    with pytest.raises(Unprocessable) as exc:
        complaint_from_file(buffer.getvalue(), "application/pdf", engine=engine)

    assert file_error(exc) == "complaint_unreadable"
    assert engine.calls == 1  # the page without text went to OCR


def test_an_empty_id_card_upload_names_the_file_field(no_ocr) -> None:
    with pytest.raises(InvalidInput) as exc:
        party_from_id_card(b"", side="plaintiff")
    assert file_error(exc) == "file_empty"


# --- files through the real OCR engine (five calls) ----------------------------------------


@pytest.mark.timeout(120)
def test_a_photo_of_the_complaint_is_read_by_ocr(ocr_engine) -> None:
    guess = complaint_from_file(samples.complaint_image(), "image/png", engine=ocr_engine)

    assert guess.source == "ocr"
    assert_loan_complaint(guess)
    assert guess.confidence > 0.8


@pytest.mark.timeout(120)
def test_a_scanned_pdf_is_rendered_and_read_by_ocr(ocr_engine) -> None:
    pdf = samples.scanned_pdf(samples.complaint_image())
    assert not (PdfReader(io.BytesIO(pdf)).pages[0].extract_text() or "").strip()

    guess = complaint_from_file(pdf, "application/pdf", engine=ocr_engine)

    assert guess.source == "ocr"
    assert_loan_complaint(guess)


@pytest.mark.timeout(120)
def test_only_the_scanned_page_of_a_mixed_pdf_goes_to_ocr(ocr_engine) -> None:
    """Parties typed on page one; the signed claims page scanned in as page two."""
    head, tail = samples.LOAN_COMPLAINT.split("诉讼请求：")
    writer = PdfWriter()
    for part in (
        samples.complaint_pdf(head),
        samples.scanned_pdf(samples.complaint_image("诉讼请求：" + tail)),
    ):
        writer.append(PdfReader(io.BytesIO(part)))
    buffer = io.BytesIO()
    writer.write(buffer)
    engine = CountingEngine(ocr_engine)

    guess = complaint_from_file(buffer.getvalue(), "application/pdf", engine=engine)

    assert engine.calls == 1
    assert guess.source == "ocr"
    assert_loan_complaint(guess)


@pytest.mark.timeout(120)
def test_zhang_sans_id_card_fills_him_in_as_plaintiff(ocr_engine) -> None:
    party = party_from_id_card(cards.render_id_card_front(), side="plaintiff", engine=ocr_engine)

    assert (party.side, party.kind, party.name, party.gender) == (
        "plaintiff",
        "natural",
        "张三",
        "男",
    )
    assert party.id_number == cards.ZHANG_SAN_ID
    assert party.birth_date == dt.date(1990, 1, 1)
    assert party.ethnicity == "汉族"
    assert party.address == "浙江省宁波市海曙区某某路1号"
    assert party.issues == ()
    assert party.as_dict()["birth_date"] == "1990-01-01"


@pytest.mark.timeout(120)
def test_the_companys_licence_fills_it_in_as_defendant(ocr_engine) -> None:
    party = party_from_business_licence(
        cards.render_business_licence(), side="defendant", engine=ocr_engine
    )

    assert (party.side, party.kind) == ("defendant", "legal")
    assert party.name == "宁波某某贸易有限公司"
    assert party.uscc == cards.SAMPLE_USCC
    assert party.legal_representative == "李四"
    assert party.address == "浙江省宁波市海曙区某某路88号1201室"
    assert (party.id_number, party.gender) == ("", "")
