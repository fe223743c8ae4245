"""诉状助手 stories: 张三 sues 王五 (or 宁波某某贸易有限公司) from element answers, and reads
back the 民事起诉状 the assistant produced, as PDF and as DOCX."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest

from microcourt.core.errors import InvalidInput
from microcourt.core.money import in_words
from microcourt.filing.complaint import (
    TEMPLATES,
    AgentInfo,
    PartyInfo,
    build,
    clean_answers,
    questions_for,
    render_docx,
    render_pdf,
)

COURT = "浙江省宁波市海曙区人民法院"
TODAY = dt.date(2025, 6, 30)
ZHANG_ID = "330203198501020011"


def plaintiff_zhang(**kw) -> PartyInfo:
    return PartyInfo(
        side="plaintiff",
        kind="natural",
        name="张三",
        ethnicity="汉族",
        id_number=ZHANG_ID,
        address="浙江省宁波市海曙区中山西路1号",
        phone="13811112222",
        **kw,
    )


def defendant_wang(**kw) -> PartyInfo:
    values = {
        "side": "defendant",
        "kind": "natural",
        "name": "王五",
        "gender": "男",
        "birth_date": dt.date(1982, 5, 6),
        "ethnicity": "汉族",
        "address": "浙江省宁波市鄞州区天童南路2号",
        "phone": "13933334444",
        **kw,
    }
    return PartyInfo(**values)


def trading_company(side: str = "defendant") -> PartyInfo:
    return PartyInfo(
        side=side,
        kind="legal",
        name="宁波某某贸易有限公司",
        address="浙江省宁波市海曙区药行街3号",
        uscc="91330203MA2H0X0X0L",
        legal_representative="李四",
        representative_position="总经理",
    )


def company(name: str, side: str = "defendant") -> PartyInfo:
    return PartyInfo(
        side=side,
        kind="legal",
        name=name,
        address="浙江省宁波市",
        legal_representative="赵六",
        representative_title="负责人",
    )


# Complete answers per cause: what a careful user types into the form.
SAMPLES: dict[str, tuple[dict, list]] = {
    "private_lending": (
        {
            "loan_date": "2024-01-01",
            "principal": "50000",
            "delivery_method": "bank_transfer",
            "loan_purpose": "资金周转",
            "loan_document": "iou",
            "has_transfer_record": True,
            "interest_agreed": True,
            "interest_rate": "12",
            "repayment_date": "2024-12-31",
            "guarantee": "none",
            "last_demand_date": "2025-05-01",
        },
        [plaintiff_zhang(), defendant_wang()],
    ),
    "sale_contract": (
        {
            "contract_date": "2024-03-01",
            "contract_form": "written",
            "subject_matter": "不锈钢板",
            "quantity": "20吨",
            "total_price": "300000",
            "payment_due_date": "2024-06-30",
            "delivery_date": "2024-04-10",
            "delivered_in_full": "是",
            "accepted_without_objection": True,
            "paid_amount": "100000",
            "unpaid_amount": "200000",
            "has_statement": True,
            "penalty_agreed": False,
        },
        [plaintiff_zhang(), trading_company()],
    ),
    "financial_loan": (
        {
            "contract_number": "NB2023-0456",
            "contract_date": "2023-01-10",
            "loan_amount": "1000000",
            "disbursement_date": "2023-01-12",
            "maturity_date": "2024-01-11",
            "interest_rate": "4.35",
            "penalty_rate": "6.525",
            "accelerated": False,
            "cutoff_date": "2025-03-20",
            "outstanding_principal": "800000",
            "outstanding_interest": "12345.67",
            "penalty_interest": "5000",
            "compound_interest": "321.09",
            "guarantee": "guarantor",
            "guarantor_name": "王五",
            "guarantee_mode": "joint",
        },
        [company("宁波银行股份有限公司海曙支行", "plaintiff"), trading_company(), defendant_wang()],
    ),
    "credit_card": (
        {
            "card_tail": "6789",
            "application_date": "2021-08-01",
            "interest_rate": "18.25",
            "overdue_since": "2024-09-01",
            "cutoff_date": "2025-04-30",
            "principal": "45678.90",
            "interest": "3456.78",
            "penalty": "500",
        },
        [company("某某银行股份有限公司信用卡中心", "plaintiff"), defendant_wang()],
    ),
    "labour": (
        {
            "arbitration_commission": "宁波市海曙区劳动人事争议仲裁委员会",
            "award_outcome": "award",
            "award_number": "甬海劳人仲案字〔2025〕第123号",
            "award_date": "2025-06-10",
            "award_received_date": "2025-06-15",
            "hire_date": "2020-03-01",
            "position": "仓库管理员",
            "contract_signed": True,
            "monthly_wage": "8000",
            "left_date": "2025-02-28",
            "leave_reason": "employee_38",
            "unpaid_wages": "24000",
            "unpaid_wage_period": "2024年12月至2025年2月",
            "severance": "40000",
        },
        [plaintiff_zhang(), trading_company()],
    ),
    "traffic": (
        {
            "accident_date": "2025-01-15",
            "accident_place": "宁波市海曙区中山西路与望京路交叉口",
            "vehicle_plate": "浙B12345",
            "liability": "full",
            "liability_doc_number": "甬公交认字〔2025〕第0001号",
            "injury": "disability",
            "disability_grade": "十级伤残",
            "hospital_days": "15",
            "compulsory_insurer": "某某财产保险股份有限公司宁波分公司",
            "medical_fee": "35000",
            "hospital_food": "1500",
            "nursing_fee": "4500",
            "lost_income": "20000",
            "transport_fee": "800",
            "disability_compensation": "138000",
            "mental_damage": "5000",
            "appraisal_fee": "2000",
            "advance_paid": "10000",
        },
        [plaintiff_zhang(), defendant_wang(), company("某某财产保险股份有限公司宁波分公司")],
    ),
    "divorce": (
        {
            "marriage_date": "2010-05-20",
            "marriage_registry": "宁波市海曙区民政局",
            "ground": "separation",
            "ground_detail": "婚后双方因性格不合经常争吵，感情逐渐淡漠。",
            "separation_since": "2022-03-01",
            "previous_suit": False,
            "children_count": 1,
            "children": "张小明，男，2012年8月8日出生",
            "custody": "plaintiff",
            "child_support": "2000",
            "common_property": "位于宁波市海曙区的住房一套归原告所有，原告补偿被告相应房款",
            "damages": "",
        },
        [plaintiff_zhang(), defendant_wang(name="李四", gender="女")],
    ),
    "property_service": (
        {
            "property_address": "宁波市海曙区某某花园5幢301室",
            "area": "89.50",
            "contract_basis": "preliminary",
            "fee_rate": "2.50",
            "arrears_start": "2023-01-01",
            "arrears_end": "2024-12-31",
            "arrears_amount": "5370",
            "demanded": True,
            "late_fee_agreed": True,
            "late_fee_terms": "逾期缴纳的，每日按欠费金额的万分之三支付滞纳金",
            "late_fee": "800",
        },
        [company("宁波某某物业服务有限公司", "plaintiff"), defendant_wang()],
    ),
}


def flat(text: str) -> str:
    """PDF text breaks lines where the page does; compare without any whitespace."""
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return flat("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def docx_text(data: bytes) -> str:
    from docx import Document

    return flat("".join(p.text for p in Document(io.BytesIO(data)).paragraphs))


def make(template: str, **changes):
    answers, parties = SAMPLES[template]
    return build(
        template=template,
        answers={**answers, **changes},
        parties=parties,
        court_name=COURT,
        date=TODAY,
    )


def field_errors(template: str, answers: dict) -> dict:
    with pytest.raises(InvalidInput) as caught:
        clean_answers(template, answers)
    return {name: str(reason) for name, reason in caught.value.fields.items()}


# --- each cause builds, and reads back the same from PDF and DOCX ---------------------------


def test_every_cause_has_a_sample():
    assert set(SAMPLES) == set(TEMPLATES)


@pytest.mark.parametrize("template", sorted(SAMPLES))
def test_zhang_gets_a_complaint_he_can_file_for_every_cause(template):
    doc = make(template)

    assert doc.title == "民事起诉状"
    assert doc.cause == str(TEMPLATES[template].cause_name)
    assert doc.claims[-1].text == "本案诉讼费用由被告承担"
    assert any("第一百二十二条" in fact for fact in doc.facts)
    for text in (pdf_text(render_pdf(doc)), docx_text(render_docx(doc))):
        assert "民事起诉状" in text
        for line in doc.party_lines:
            assert flat(line) in text
        for claim in doc.claims:
            assert flat(claim.text) in text
            if claim.amount is not None:
                assert in_words(claim.amount) in text
        assert "此致" in text and COURT in text
        assert flat(f"具状人：{doc.signer}") in text
        assert "2025年6月30日" in text
        assert "证据清单" in text


def test_a_private_loan_reads_as_a_lawyer_would_write_it():
    doc = make("private_lending")
    zhang, wang = doc.party_lines

    # The ID number fills in sex and birth date; the standard order of particulars.
    assert zhang == (
        "原告：张三，男，1985年1月2日出生，汉族，住浙江省宁波市海曙区中山西路1号，"
        f"公民身份号码：{ZHANG_ID}，联系电话：13811112222。"
    )
    assert wang.startswith("被告：王五，男，1982年5月6日出生，汉族")
    assert doc.claims[0].text == "判令被告王五偿还原告张三借款本金50,000.00元（伍万元整）"
    assert doc.claims[0].amount == Decimal("50000.00")
    interest = doc.claims[1]
    assert "按年利率12%计算，自2024年1月1日起至实际清偿之日止" in interest.text
    # 546 days at 12% on 50,000 over a 365-day year.
    assert interest.amount == Decimal("8975.34")
    assert doc.total_amount == Decimal("58975.34")
    assert any("第六百七十五条、第六百七十六条" in fact for fact in doc.facts)
    assert doc.signer == "张三" and doc.copies == 1


def test_a_company_defendant_is_named_with_its_code_and_legal_representative():
    doc = make("sale_contract")

    assert doc.party_lines[1] == (
        "被告：宁波某某贸易有限公司，住所地：浙江省宁波市海曙区药行街3号，统一社会信用代码："
        "91330203MA2H0X0X0L；法定代表人：李四，总经理。"
    )
    assert doc.claims[0].text == (
        "判令被告宁波某某贸易有限公司支付原告张三货款200,000.00元（贰拾万元整）"
    )
    assert "自2024年7月1日起计算至实际清偿之日止" in doc.claims[1].text


def test_the_guarantor_answers_jointly_and_the_agent_is_listed_after_the_plaintiff():
    answers, parties = SAMPLES["financial_loan"]
    lawyer = AgentInfo(
        name="刘律师",
        kind="lawyer",
        law_firm="浙江某某律师事务所",
        licence_number="13302201010000000",
        phone="13700000000",
    )
    doc = build(
        template="financial_loan",
        answers=answers,
        parties=parties,
        court_name=COURT,
        agent=lawyer,
        date=TODAY,
        extra_claims=["判令被告承担本案保全费"],
    )

    assert doc.party_lines[1].startswith("委托诉讼代理人：刘律师，浙江某某律师事务所律师")
    texts = [c.text for c in doc.claims]
    assert texts[0] == (
        "判令被告宁波某某贸易有限公司偿还原告宁波银行股份有限公司海曙支行"
        "借款本金800,000.00元（捌拾万元整）"
    )
    assert "利息12,345.67元" in texts[1] and "合计17,666.76元" in texts[1]
    assert any(t.startswith("判令被告王五对上述第1至3项债务承担连带清偿责任") for t in texts)
    assert texts[-2:] == ["判令被告承担本案保全费", "本案诉讼费用由被告承担"]
    assert doc.total_amount == Decimal("817666.76")


def test_an_agreed_rate_above_four_times_lpr_is_claimed_at_the_cap():
    doc = make("private_lending", interest_rate="24", lpr_at_contract="3.45")

    assert "按年利率13.8%计算" in doc.claims[1].text
    assert any("原告自愿按年利率13.8%主张利息" in fact for fact in doc.facts)


def test_traffic_claims_net_of_what_the_driver_advanced_and_name_the_insurer():
    doc = make("traffic")

    assert doc.claims[0].amount == Decimal("196800.00")
    assert "已扣除被告垫付的10,000.00元（壹万元整）" in doc.claims[0].text
    assert doc.claims[0].text.startswith("判令被告王五赔偿原告张三")
    assert doc.claims[1].text.startswith(
        "判令被告某某财产保险股份有限公司宁波分公司在机动车交通事故"
    )


def test_a_divorce_needs_exactly_two_spouses():
    answers, _parties = SAMPLES["divorce"]
    with pytest.raises(InvalidInput) as caught:
        build(
            template="divorce",
            answers=answers,
            court_name=COURT,
            parties=[plaintiff_zhang(), trading_company()],
        )
    assert "parties" in caught.value.fields


# --- refusals ------------------------------------------------------------------------------


def test_a_complaint_without_a_defendant_is_refused():
    answers, _parties = SAMPLES["private_lending"]
    with pytest.raises(InvalidInput) as caught:
        build(
            template="private_lending",
            answers=answers,
            parties=[plaintiff_zhang()],
            court_name=COURT,
        )
    assert "parties.defendant" in caught.value.fields


def test_a_complaint_without_a_plaintiff_is_refused_with_the_element_errors_too():
    with pytest.raises(InvalidInput) as caught:
        build(template="private_lending", answers={}, parties=[defendant_wang()], court_name="")
    fields = caught.value.fields
    assert {"parties.plaintiff", "court_name", "elements.principal"} <= set(fields)


def test_missing_answers_are_all_named_at_once():
    errors = field_errors("private_lending", {"interest_agreed": True})

    assert errors["elements.loan_date"] == "请填写借款日期"
    assert errors["elements.principal"] == "请填写借款本金"
    assert errors["elements.delivery_method"] == "请选择交付方式"
    # Asked because interest was agreed.
    assert errors["elements.interest_rate"] == "请填写约定年利率（%）"


def test_negative_money_and_a_repayment_date_before_the_loan_are_refused():
    answers = {
        **SAMPLES["private_lending"][0],
        "principal": "-100",
        "repaid_principal": "-1",
        "repayment_date": "2023-12-31",
    }
    errors = field_errors("private_lending", answers)

    assert "不能为负数" in errors["elements.principal"]
    assert errors["elements.principal"].startswith("借款本金")
    assert "不能为负数" in errors["elements.repaid_principal"]
    assert errors["elements.repayment_date"] == "约定还款日期不能早于借款日期"


def test_zero_principal_and_repaying_more_than_was_lent_are_refused():
    zero = field_errors("private_lending", {**SAMPLES["private_lending"][0], "principal": "0"})
    assert zero["elements.principal"] == "借款本金必须大于零"
    over = field_errors(
        "private_lending", {**SAMPLES["private_lending"][0], "repaid_principal": "60000"}
    )
    assert over["elements.repaid_principal"] == "已还本金不能超过借款本金"


def test_absurd_amounts_and_float_amounts_are_refused():
    answers = {**SAMPLES["sale_contract"][0], "total_price": "1000000000000.01", "paid_amount": 1.5}
    errors = field_errors("sale_contract", answers)
    assert "一万亿" in errors["elements.total_price"]
    assert "金额格式不正确" in errors["elements.paid_amount"]


def test_an_unknown_choice_and_an_unknown_element_are_refused():
    answers = {**SAMPLES["private_lending"][0], "delivery_method": "pigeon", "colour": "red"}
    errors = field_errors("private_lending", answers)
    assert errors["elements.delivery_method"] == "交付方式的选项无效，请从列出的选项中选择"
    assert "elements.colour" in errors


def test_an_unknown_template_is_refused():
    with pytest.raises(InvalidInput) as caught:
        questions_for("patent")
    assert "template" in caught.value.fields
    with pytest.raises(InvalidInput):
        clean_answers("patent", {})


def test_labour_disputes_require_the_arbitration_award_first():
    answers = dict(SAMPLES["labour"][0])
    for key in ("arbitration_commission", "award_number", "award_date", "award_received_date"):
        answers.pop(key)
    errors = field_errors("labour", answers)

    assert errors["elements.award_number"].startswith("请填写仲裁裁决书")
    assert errors["elements.award_date"] == "请填写裁决（通知）日期"
    help_text = str({q.key: q.help for q in questions_for("labour")}["arbitration_commission"])
    assert "劳动争议调解仲裁法第五条" in help_text


def test_dates_are_parsed_and_normalised():
    cleaned = clean_answers(
        "private_lending",
        {**SAMPLES["private_lending"][0], "loan_date": "2024年1月1日", "principal": "¥50,000.5"},
    )
    assert cleaned["loan_date"] == dt.date(2024, 1, 1)
    assert cleaned["principal"] == Decimal("50000.50")
    assert cleaned["interest_rate"] == Decimal("12")
    bad = field_errors(
        "private_lending", {**SAMPLES["private_lending"][0], "loan_date": "2024-02-30"}
    )
    assert "不是有效日期" in bad["elements.loan_date"]


# --- private-lending interest ----------------------------------------------------------------


def test_the_interest_question_explains_the_four_times_lpr_cap():
    questions = {q.key: q for q in questions_for("private_lending")}
    rate = questions["interest_rate"]

    assert rate.kind == "percent" and rate.when == ("interest_agreed", True)
    assert "四倍" in str(rate.help) and "LPR" in str(rate.help)
    assert "第二十五条" in str(rate.help)
    assert "第六百八十条" in str(questions["interest_agreed"].help)


@pytest.mark.parametrize("value", ["-1", "100.5", "abc", "12.12345"])
def test_an_interest_rate_outside_0_to_100_is_refused(value):
    errors = field_errors(
        "private_lending", {**SAMPLES["private_lending"][0], "interest_rate": value}
    )
    assert errors["elements.interest_rate"].startswith("约定年利率（%）应为0至100之间的数字")


def test_a_rate_given_without_agreed_interest_is_dropped_and_overdue_interest_claimed():
    doc = make("private_lending", interest_agreed="否", interest_rate="36")

    assert "36%" not in doc.claims[1].text
    assert "一年期贷款市场报价利率，自2025年1月1日起至实际清偿之日止" in doc.claims[1].text
    assert doc.claims[1].amount is None
