"""诉讼请求 and 事实与理由 for each cause, written from cleaned element answers.

Each writer returns (claims, facts, evidence); claims are (text, amount or None). The
wording follows the standard 民事起诉状: claims are specific and enforceable (an amount,
a base, a rate and a period), and the reasons cite the articles the claim rests on.
The generated text is Chinese legal prose by nature; it is a draft the user confirms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from microcourt.core.money import display, fen, in_words

from .elements import TEMPLATES

ClaimRow = tuple[str, Decimal | None]
LPR_TEXT = "同期全国银行间同业拆借中心公布的一年期贷款市场报价利率"
COSTS = "本案诉讼费用由被告承担"
CLOSING = (
    "为维护原告的合法权益，根据《中华人民共和国民事诉讼法》第一百二十二条的规定，"
    "特向贵院提起诉讼，请求依法判如所请。"
)


@dataclass(frozen=True)
class Context:
    template: str
    answers: dict
    plaintiffs: tuple[str, ...]
    defendants: tuple[str, ...]
    date: dt.date

    @property
    def p(self) -> str:
        return "、".join(self.plaintiffs)

    @property
    def d(self) -> str:
        return "、".join(self.defendants)

    def label(self, key: str) -> str:
        return TEMPLATES[self.template].label(key, self.answers.get(key))

    def named_defendant(self, key: str) -> str | None:
        """The defendant an answer names (保证人, 保险公司), if it is one of them."""
        name = self.answers.get(key)
        return name if name and name in self.defendants else None


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def cn_month(day: dt.date) -> str:
    return f"{day.year}年{day.month}月"


def yuan(amount: Decimal) -> str:
    """50,000.00元（伍万元整）: figures and 大写, as a court reads an amount."""
    return f"{display(amount).removeprefix('¥')}元（{in_words(amount)}）"


def figure(amount: Decimal) -> str:
    """50,000.00元, for amounts inside a parenthesis (a base), where 大写 would nest."""
    return f"{display(amount).removeprefix('¥')}元"


def rate(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def simple_interest(base: Decimal, annual: Decimal, start: dt.date, end: dt.date) -> Decimal:
    """Simple interest on a 365-day year, the way 民间借贷 judgments compute it."""
    days = (end - start).days
    if days <= 0:
        return Decimal("0.00")
    return fen(base * annual / 100 * days / 365)


def evidence_items(c: Context, *items: str) -> list[str]:
    lines = (c.answers.get("other_evidence") or "").splitlines()
    return [*items, *(line.strip() for line in lines if line.strip())]


def extra_paragraphs(c: Context) -> list[str]:
    return [c.answers["extra_facts"]] if c.answers.get("extra_facts") else []


def _security(c: Context, debtors: str, numbered: int) -> tuple[list[ClaimRow], list[str]]:
    """Claims and facts for 保证 / 抵押 / 质押, shared by the loan causes."""
    a, kind = c.answers, c.answers.get("guarantee")
    surety = c.named_defendant("guarantor_name")
    scope = f"上述第1至{numbered}项债务" if numbered > 1 else "上述债务"
    claims: list[ClaimRow] = []
    facts: list[str] = []
    if kind == "guarantor" and a.get("guarantor_name"):
        joint = a.get("guarantee_mode") == "joint"
        mode = "连带责任保证" if joint else "保证"
        facts.append(f"{a['guarantor_name']}为上述债务提供{mode}担保。")
        if surety and joint:
            claims.append((f"判令被告{surety}对{scope}承担连带清偿责任", None))
            facts.append(
                "根据《中华人民共和国民法典》第六百八十八条的规定，连带责任保证的债务人不履行到期"
                "债务时，债权人可以请求债务人履行债务，也可以请求保证人在其保证范围内承担保证责任。"
            )
        elif surety:
            claims.append(
                (
                    f"判令被告{surety}在被告{debtors}的财产依法强制执行后仍不能履行的部分"
                    "承担保证责任",
                    None,
                )
            )
    elif kind in {"mortgage", "pledge"} and a.get("collateral"):
        word = "抵押" if kind == "mortgage" else "质押"
        giver = a.get("guarantor_name") or debtors
        facts.append(f"{giver}以{a['collateral']}为上述债务提供{word}担保。")
        claims.append(
            (
                f"判令原告有权就{a['collateral']}折价或者拍卖、变卖所得的价款在{scope}范围内"
                "优先受偿",
                None,
            )
        )
        facts.append(
            "根据《中华人民共和国民法典》第三百八十六条的规定，债务人不履行到期债务时，"
            f"原告依法享有就{word}财产优先受偿的权利。"
        )
    return claims, facts


# --- 民间借贷纠纷 --------------------------------------------------------------------------

DELIVERY = {
    "bank_transfer": "银行转账方式",
    "online_payment": "微信/支付宝转账方式",
    "cash": "现金方式",
    "other": "双方约定的方式",
}
LOAN_PAPER = {
    "iou": "被告向原告出具了借条",
    "contract": "双方签订了借款合同",
    "receipt": "被告向原告出具了收条",
    "chat": "双方通过聊天记录确认了借款事实",
    "none": "双方未签订书面借款凭证",
}


def private_lending(c: Context) -> tuple[list[ClaimRow], list[str], list[str]]:
    a = c.answers
    surety = c.named_defendant("guarantor_name")
    debtors = "、".join(n for n in c.defendants if n != surety) or c.d
    owed = a["principal"] - (a.get("repaid_principal") or 0)
    claims: list[ClaimRow] = [(f"判令被告{debtors}偿还原告{c.p}借款本金{yuan(owed)}", owed)]
    purpose = f"因{a['loan_purpose']}需要，" if a.get("loan_purpose") else ""
    facts = [
        f"{cn_date(a['loan_date'])}，被告{debtors}{purpose}向原告{c.p}借款{yuan(a['principal'])}。"
        f"原告通过{DELIVERY[a['delivery_method']]}向被告交付了上述借款，"
        f"{LOAN_PAPER[a['loan_document']]}。"
    ]
    due = a.get("repayment_date")
    term = f"约定还款日期为{cn_date(due)}" if due else "未约定还款期限"
    if a.get("interest_agreed"):
        agreed = claimed = a["interest_rate"]
        note = ""
        lpr = a.get("lpr_at_contract")
        if lpr and agreed > lpr * 4:
            claimed = lpr * 4
            note = (
                f"因约定利率超过合同成立时一年期贷款市场报价利率（{rate(lpr)}）的四倍，"
                f"原告自愿按年利率{rate(claimed)}主张利息。"
            )
        start = a.get("interest_start_date") or a["loan_date"]
        so_far = simple_interest(owed, claimed, start, c.date)
        tail = f"，暂计至{cn_date(c.date)}为{yuan(so_far)}" if so_far else ""
        claims.append(
            (
                f"判令被告{debtors}支付原告{c.p}利息（以未还本金{figure(owed)}为基数，按年利率"
                f"{rate(claimed)}计算，自{cn_date(start)}起至实际清偿之日止{tail}）",
                so_far or None,
            )
        )
        facts.append(f"双方约定借款年利率为{rate(agreed)}，{term}。{note}")
    else:
        since = (due + dt.timedelta(days=1)) if due and due < c.date else None
        period = f"自{cn_date(since)}起" if since else "自起诉之日起"
        claims.append(
            (
                f"判令被告{debtors}支付原告{c.p}逾期利息（以未还本金{figure(owed)}为基数，按照"
                f"{LPR_TEXT}，{period}至实际清偿之日止）",
                None,
            )
        )
        facts.append(f"双方未约定借款利息，{term}。")
    repaid = [
        f"{label}{yuan(a[key])}"
        for key, label in (("repaid_principal", "本金"), ("repaid_interest", "利息"))
        if a.get(key)
    ]
    paid_text = f"被告仅归还{'、'.join(repaid)}，" if repaid else "被告未归还任何款项，"
    last = (
        f"（最后一次催讨时间为{cn_date(a['last_demand_date'])}）"
        if a.get("last_demand_date")
        else ""
    )
    facts.append(
        f"借款后，{paid_text}尚欠本金{yuan(owed)}。经原告多次催讨{last}，被告至今未予归还。"
    )
    if a.get("demand_detail"):
        facts.append(a["demand_detail"])
    security_claims, security_facts = _security(c, debtors, len(claims))
    claims += security_claims
    facts += security_facts[:1] + extra_paragraphs(c)
    facts.append(
        "原告认为，原、被告之间的民间借贷关系合法有效，原告已依约履行了出借义务。根据《中华"
        "人民共和国民法典》第六百七十五条、第六百七十六条的规定，借款人应当按照约定的期限返还"
        "借款；借款人未按照约定的期限返还借款的，应当按照约定或者国家有关规定支付逾期利息。"
        "被告逾期不还，已构成违约，应当依法承担还本付息的责任。" + "".join(security_facts[1:])
    )
    evidence = ["借条/借款合同等借款凭证" if a["loan_document"] != "none" else "借款事实的证明材料"]
    if a.get("has_transfer_record"):
        evidence.append("银行转账凭证（证明借款已实际交付）")
    if a.get("last_demand_date") or a.get("demand_detail"):
        evidence.append("催款记录（证明原告催讨及诉讼时效中断）")
    return [*claims, (COSTS, None)], facts, evidence_items(c, *evidence)


# --- 买卖合同纠纷 --------------------------------------------------------------------------

CONTRACT_FORM = {"written": "签订书面合同", "order": "订单、送货单", "oral": "口头约定"}


def sale_contract(c: Context) -> tuple[list[ClaimRow], list[str], list[str]]:
    a = c.answers
    unpaid, due = a["unpaid_amount"], a.get("payment_due_date")
    claims: list[ClaimRow] = [(f"判令被告{c.d}支付原告{c.p}货款{yuan(unpaid)}", unpaid)]
    if a.get("penalty_agreed") and a.get("penalty_amount"):
        claims.append(
            (
                f"判令被告{c.d}支付原告{c.p}逾期付款违约金（按照合同约定的"
                f"“{a['penalty_terms'] or '违约金条款'}”计算，暂计至{cn_date(c.date)}为"
                f"{yuan(a['penalty_amount'])}，此后计算至实际清偿之日止）",
                a["penalty_amount"],
            )
        )
    elif due and due < c.date:
        claims.append(
            (
                f"判令被告{c.d}赔偿原告{c.p}逾期付款利息损失（以{figure(unpaid)}为基数，按照"
                f"{LPR_TEXT}，自{cn_date(due + dt.timedelta(days=1))}起计算至实际清偿之日止）",
                None,
            )
        )
    pay_by = f"，被告应于{cn_date(due)}前付清货款" if due else ""
    facts = [
        f"{cn_date(a['contract_date'])}，原告{c.p}与被告{c.d}以{CONTRACT_FORM[a['contract_form']]}"
        f"的形式订立买卖合同，约定由原告向被告供应{a['subject_matter']}{a['quantity']}，总价款"
        f"{yuan(a['total_price'])}{pay_by}。"
    ]
    delivered = "全部交付了" if a.get("delivered_in_full") else "交付了"
    accepted = "，被告收货后未提出质量异议" if a.get("accepted_without_objection") else ""
    invoice = "原告已向被告开具相应发票。" if a.get("invoice_issued") else ""
    facts.append(
        f"合同订立后，原告于{cn_date(a['delivery_date'])}向被告{delivered}合同约定的货物{accepted}。{invoice}"
    )
    paid = (
        f"被告仅支付货款{yuan(a['paid_amount'])}，"
        if a.get("paid_amount")
        else "被告未支付任何货款，"
    )
    statement = "双方已对账确认欠款数额，" if a.get("has_statement") else ""
    facts.append(f"此后，{paid}{statement}尚欠货款{yuan(unpaid)}，经原告多次催讨，被告至今未付。")
    facts += extra_paragraphs(c)
    penalty = (
        "双方约定了违约金，依照第五百八十五条的规定，被告应当按照约定支付违约金。"
        if a.get("penalty_agreed")
        else ""
    )
    facts.append(
        "原告认为，原、被告之间的买卖合同关系合法有效。根据《中华人民共和国民法典》第五百零九条、"
        "第六百二十六条、第六百二十八条的规定，当事人应当按照约定全面履行自己的义务，买受人应当"
        "按照约定的数额、支付方式和时间支付价款。被告拖欠货款，已构成违约，依照第五百七十七条、"
        f"第五百七十九条的规定，应当承担继续履行、赔偿损失等违约责任。{penalty}"
    )
    evidence = ["买卖合同/订单", "送货单、收货确认（证明原告已交付货物）"]
    if a.get("has_statement"):
        evidence.append("对账单/欠条（证明欠款数额）")
    if a.get("invoice_issued"):
        evidence.append("增值税发票")
    return [*claims, (COSTS, None)], facts, evidence_items(c, *evidence)


# --- 金融借款合同纠纷 ----------------------------------------------------------------------


def _arrears(a: dict, parts: tuple[tuple[str, str], ...]) -> tuple[list[str], Decimal]:
    named = [f"{label}{yuan(a[key])}" for key, label in parts if a.get(key)]
    return named, sum((a[key] for key, _label in parts if a.get(key)), Decimal("0.00"))


def financial_loan(c: Context) -> tuple[list[ClaimRow], list[str], list[str]]:
    a = c.answers
    surety = c.named_defendant("guarantor_name")
    debtors = "、".join(n for n in c.defendants if n != surety) or c.d
    owed, cutoff = a["outstanding_principal"], a["cutoff_date"]
    claims: list[ClaimRow] = [(f"判令被告{debtors}偿还原告{c.p}借款本金{yuan(owed)}", owed)]
    named, total = _arrears(
        a,
        (
            ("outstanding_interest", "利息"),
            ("penalty_interest", "罚息"),
            ("compound_interest", "复利"),
        ),
    )
    if total:
        claims.append(
            (
                f"判令被告{debtors}支付原告截至{cn_date(cutoff)}的{'、'.join(named)}，"
                f"合计{yuan(total)}",
                total,
            )
        )
    claims.append(
        (
            f"判令被告{debtors}支付原告自{cn_date(cutoff + dt.timedelta(days=1))}起至实际清偿之日止"
            f"的罚息、复利（罚息以未还本金{figure(owed)}为基数，按照合同约定的逾期罚息年利率"
            f"{rate(a['penalty_rate'])}计算；复利以未付利息为基数，按照同一利率计算）",
            None,
        )
    )
    if a.get("lawyer_fee"):
        claims.append(
            (
                f"判令被告{debtors}支付原告为实现债权支出的律师费{yuan(a['lawyer_fee'])}",
                a["lawyer_fee"],
            )
        )
    security_claims, security_facts = _security(c, debtors, len(claims))
    facts = [
        f"{cn_date(a['contract_date'])}，原告{c.p}与被告{debtors}签订编号为{a['contract_number']}"
        f"的借款合同，约定被告向原告借款{yuan(a['loan_amount'])}，借款到期日为"
        f"{cn_date(a['maturity_date'])}，借期内年利率为{rate(a['interest_rate'])}，逾期罚息年利率为"
        f"{rate(a['penalty_rate'])}，对不能按时支付的利息按罚息利率计收复利。",
        f"{cn_date(a['disbursement_date'])}，原告依约向被告发放了全部借款。",
    ]
    accelerated = "原告已依约宣布借款提前到期。" if a.get("accelerated") else ""
    owing = "、".join([f"本金{yuan(owed)}", *named])
    facts.append(
        f"借款发放后，被告未按约定偿还借款本息，已构成违约。{accelerated}"
        f"截至{cn_date(cutoff)}，被告尚欠{owing}。"
    )
    facts += security_facts[:1] + extra_paragraphs(c)
    facts.append(
        "原告认为，原、被告之间的借款合同合法有效，原告已依约发放借款。根据《中华人民共和国民法典》"
        "第六百七十四条、第六百七十五条、第六百七十六条的规定，借款人应当按照约定的期限支付利息、"
        "返还借款；未按照约定的期限返还借款的，应当按照约定或者国家有关规定支付逾期利息。"
        + "".join(security_facts[1:])
    )
    evidence = ["借款合同", "借款借据/放款凭证（证明借款已发放）", "贷款账户交易明细及欠款计算表"]
    if a.get("guarantee") != "none":
        evidence.append("担保合同及担保物权证明")
    return [*claims, *security_claims, (COSTS, None)], facts, evidence_items(c, *evidence)


# --- 信用卡纠纷 ----------------------------------------------------------------------------


def credit_card(c: Context) -> tuple[list[ClaimRow], list[str], list[str]]:
    a = c.answers
    principal, cutoff = a["principal"], a["cutoff_date"]
    claims: list[ClaimRow] = [
        (f"判令被告{c.d}偿还原告{c.p}信用卡透支本金{yuan(principal)}", principal)
    ]
    named, total = _arrears(
        a, (("interest", "利息"), ("penalty", "违约金"), ("fees", "分期手续费等费用"))
    )
    if total:
        claims.append(
            (
                f"判令被告{c.d}支付原告截至{cn_date(cutoff)}的{'、'.join(named)}，合计{yuan(total)}",
                total,
            )
        )
    claims.append(
        (
            f"判令被告{c.d}支付原告自{cn_date(cutoff + dt.timedelta(days=1))}起至实际清偿之日止"
            f"的利息（以透支本金{figure(principal)}为基数，按年利率{rate(a['interest_rate'])}计算）",
            None,
        )
    )
    contract = (
        f"并签订编号为{a['contract_number']}的信用卡领用合约，"
        if a.get("contract_number")
        else "并签订信用卡领用合约，"
    )
    limit = f"信用额度为{yuan(a['credit_limit'])}，" if a.get("credit_limit") else ""
    facts = [
        f"{cn_date(a['application_date'])}，被告{c.d}向原告{c.p}申领信用卡（卡号末四位"
        f"{a['card_tail']}），{contract}{limit}约定被告应按期归还透支款项，逾期未还的，"
        f"按年利率{rate(a['interest_rate'])}计收利息并承担违约金等费用。",
        f"被告领用信用卡后进行了透支消费，但自{cn_date(a['overdue_since'])}起未按约定还款。"
        f"截至{cn_date(cutoff)}，被告尚欠{'、'.join([f'透支本金{yuan(principal)}', *named])}。",
    ]
    if a.get("demand_detail"):
        facts.append(a["demand_detail"])
    facts += extra_paragraphs(c)
    facts.append(
        "原告认为，原、被告之间的信用卡合同关系合法有效。被告透支后未按约定还款，已构成违约。"
        "根据《中华人民共和国民法典》第五百七十七条、第六百七十五条、第六百七十六条的规定，"
        "被告应当偿还透支本金，并按照约定支付利息及其他费用。"
    )
    evidence = ["信用卡申请表及领用合约", "信用卡账户交易明细及对账单", "催收记录"]
    return [*claims, (COSTS, None)], facts, evidence_items(c, *evidence)


# --- 物业服务合同纠纷 ----------------------------------------------------------------------


def property_service(c: Context) -> tuple[list[ClaimRow], list[str], list[str]]:
    a = c.answers
    owed, start, end = a["arrears_amount"], a["arrears_start"], a["arrears_end"]
    period = f"{cn_month(start)}至{cn_month(end)}"
    claims: list[ClaimRow] = [(f"判令被告{c.d}支付原告{c.p}{period}的物业服务费{yuan(owed)}", owed)]
    if a.get("late_fee"):
        claims.append((f"判令被告{c.d}支付原告滞纳金{yuan(a['late_fee'])}", a["late_fee"]))
    basis = (
        "与业主签订的物业服务合同"
        if a["contract_basis"] == "contract"
        else "建设单位依法订立的前期物业服务合同"
    )
    area = a["area"].quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    facts = [
        f"原告{c.p}依据{basis}，为{a['property_address']}所在的物业服务区域提供物业服务。"
        f"被告{c.d}是{a['property_address']}房屋（建筑面积{area}平方米）的业主。合同约定物业服务费"
        f"按每月每平方米{fen(a['fee_rate'])}元收取。",
    ]
    demanded = (
        "原告已书面催告被告在合理期限内缴纳，合理期限届满后被告仍未支付。"
        if a.get("demanded")
        else "经原告多次催缴，被告仍未支付。"
    )
    facts.append(
        f"原告已依约履行物业服务义务，但被告自{cn_month(start)}起至{cn_month(end)}止未缴纳物业"
        f"服务费，共计{yuan(owed)}。{demanded}"
    )
    if a.get("late_fee_agreed") and a.get("late_fee_terms"):
        facts.append(f"合同约定：{a['late_fee_terms']}。")
    facts += extra_paragraphs(c)
    facts.append(
        "原告认为，根据《中华人民共和国民法典》第九百三十七条、第九百三十九条、第九百四十四条的"
        "规定，物业服务合同对业主具有法律约束力，业主应当按照约定向物业服务人支付物业费；物业服务人"
        "已经按照约定和有关规定提供服务的，业主不得以未接受或者无需接受相关物业服务为由拒绝支付"
        "物业费。被告拖欠物业服务费，已构成违约。"
    )
    evidence = [
        "物业服务合同/前期物业服务合同",
        "房屋产权信息（证明被告为业主及房屋面积）",
        "物业费欠费明细",
        "催缴通知及送达凭证",
    ]
    return [*claims, (COSTS, None)], facts, evidence_items(c, *evidence)
