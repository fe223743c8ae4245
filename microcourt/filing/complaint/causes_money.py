"""Element questions for the money-claim causes: 民间借贷, 买卖合同, 金融借款, 信用卡, 物业服务."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .schema import (
    S_GUARANTEE,
    Q,
    Reason,
    evidence_questions,
    guarantee_questions,
)

# --- 民间借贷纠纷 --------------------------------------------------------------------------

S_LOAN = _("借款事实")
S_INTEREST = _("利息")
S_REPAY = _("还款情况")

PRIVATE_LENDING = (
    Q(
        "loan_date",
        _("借款日期"),
        "date",
        required=True,
        section=S_LOAN,
        help=_(
            "出借款项实际交付的日期；自然人之间的借款合同自贷款人提供借款时成立"
            "（民法典第六百七十九条）"
        ),
    ),
    Q(
        "principal",
        _("借款本金"),
        "money",
        required=True,
        positive=True,
        section=S_LOAN,
        help=_("实际交付的金额；预先在本金中扣除的利息不计入本金"),
    ),
    Q(
        "delivery_method",
        _("交付方式"),
        "choice",
        required=True,
        section=S_LOAN,
        choices=(
            ("bank_transfer", _("银行转账")),
            ("online_payment", _("微信/支付宝转账")),
            ("cash", _("现金交付")),
            ("other", _("其他方式")),
        ),
        help=_(
            "现金交付的，法院会结合金额、交付过程、当事人经济能力等审查交付事实，请保留取款记录等证据"
        ),
    ),
    Q("loan_purpose", _("借款用途"), "text", section=S_LOAN),
    Q(
        "loan_document",
        _("借款凭证"),
        "choice",
        required=True,
        section=S_LOAN,
        choices=(
            ("iou", _("借条")),
            ("contract", _("借款合同")),
            ("receipt", _("收条")),
            ("chat", _("聊天记录")),
            ("none", _("无书面凭证")),
        ),
    ),
    Q("has_transfer_record", _("是否有转账凭证"), "bool", required=True, section=S_LOAN),
    Q(
        "interest_agreed",
        _("是否约定利息"),
        "bool",
        required=True,
        section=S_INTEREST,
        help=_(
            "借款合同对支付利息没有约定的，视为没有利息；自然人之间借款对利息约定不明确的，"
            "也视为没有利息（民法典第六百八十条）"
        ),
    ),
    Q(
        "interest_rate",
        _("约定年利率（%）"),
        "percent",
        required=True,
        section=S_INTEREST,
        when=("interest_agreed", True),
        help=_(
            "按年利率填写，例如月息1分即年利率12%。双方约定的利率超过合同成立时一年期贷款"
            "市场报价利率（LPR）四倍的，超过部分不受法律保护（《最高人民法院关于审理民间借贷"
            "案件适用法律若干问题的规定》第二十五条）；例如合同成立时LPR为3.1%，受保护的年利率"
            "上限为12.4%"
        ),
    ),
    Q(
        "lpr_at_contract",
        _("合同成立时一年期LPR（%）"),
        "percent",
        section=S_INTEREST,
        when=("interest_agreed", True),
        help=_(
            "全国银行间同业拆借中心每月公布。填写后，超过四倍的约定利率将自动按四倍上限主张，"
            "避免诉讼请求被部分驳回"
        ),
    ),
    Q(
        "interest_start_date",
        _("利息起算日"),
        "date",
        section=S_INTEREST,
        when=("interest_agreed", True),
        help=_("不填则自借款日期起算；被告已支付部分利息的，填写利息付至之日的次日"),
    ),
    Q(
        "repayment_date",
        _("约定还款日期"),
        "date",
        future_ok=True,
        section=S_REPAY,
        help=_(
            "未约定还款期限的不填：出借人可以催告借款人在合理期限内返还（民法典第六百七十五条）"
        ),
    ),
    Q("repaid_principal", _("已还本金"), "money", section=S_REPAY),
    Q("repaid_interest", _("已还利息"), "money", section=S_REPAY),
    *guarantee_questions(),
    Q(
        "last_demand_date",
        _("最后一次催收日期"),
        "date",
        section=S_GUARANTEE,
        help=_(
            "向人民法院请求保护民事权利的诉讼时效期间为三年（民法典第一百八十八条），"
            "催收可使时效中断，请保留催收的证据"
        ),
    ),
    Q(
        "demand_detail",
        _("催收情况"),
        "longtext",
        section=S_GUARANTEE,
        help=_("写明催收的时间、方式和被告的答复"),
    ),
    *evidence_questions(),
)


def check_private_lending(a: dict) -> dict[str, Reason]:
    errors: dict[str, Reason] = {}
    principal, repaid = a.get("principal"), a.get("repaid_principal")
    if principal is not None and repaid is not None:
        if repaid > principal:
            errors["repaid_principal"] = _("已还本金不能超过借款本金")
        elif repaid == principal:
            # Interest-only claims need the repayment history: for a lawyer, not a form.
            errors["repaid_principal"] = _("借款本金已全部归还，本助手不适用于仅主张利息的情形")
    loan_date = a.get("loan_date")
    if loan_date is not None:
        if a.get("repayment_date") is not None and a["repayment_date"] < loan_date:
            errors["repayment_date"] = _("约定还款日期不能早于借款日期")
        if a.get("interest_start_date") is not None and a["interest_start_date"] < loan_date:
            errors["interest_start_date"] = _("利息起算日不能早于借款日期")
    if a.get("interest_agreed") and a.get("interest_rate") == 0:
        errors["interest_rate"] = _("约定了利息的，年利率必须大于零；未约定利息请选择“否”")
    return errors


# --- 买卖合同纠纷 --------------------------------------------------------------------------

S_CONTRACT = _("合同约定")
S_PERFORM = _("履行情况")
S_BREACH = _("违约责任")

SALE_CONTRACT = (
    Q(
        "contract_date",
        _("合同签订日期"),
        "date",
        required=True,
        section=S_CONTRACT,
        help=_("本助手用于出卖人（原告）向买受人（被告）追索货款"),
    ),
    Q(
        "contract_form",
        _("合同形式"),
        "choice",
        required=True,
        section=S_CONTRACT,
        choices=(
            ("written", _("书面合同")),
            ("order", _("订单、送货单")),
            ("oral", _("口头约定")),
        ),
    ),
    Q("subject_matter", _("标的物名称"), "text", required=True, section=S_CONTRACT),
    Q(
        "quantity",
        _("数量及单位"),
        "text",
        required=True,
        section=S_CONTRACT,
        help=_("例如：500吨、1200件"),
    ),
    Q("total_price", _("合同总价款"), "money", required=True, positive=True, section=S_CONTRACT),
    Q("payment_due_date", _("约定付款期限"), "date", section=S_CONTRACT),
    Q("delivery_date", _("实际交货日期"), "date", required=True, section=S_PERFORM),
    Q("delivered_in_full", _("是否已按约全部交货"), "bool", required=True, section=S_PERFORM),
    Q("accepted_without_objection", _("被告收货后是否未提出质量异议"), "bool", section=S_PERFORM),
    Q("paid_amount", _("已付价款"), "money", section=S_PERFORM),
    Q("unpaid_amount", _("欠付价款"), "money", required=True, positive=True, section=S_PERFORM),
    Q("has_statement", _("是否有对账单或欠条"), "bool", section=S_PERFORM),
    Q("invoice_issued", _("是否已开具发票"), "bool", section=S_PERFORM),
    Q("penalty_agreed", _("是否约定违约金"), "bool", required=True, section=S_BREACH),
    Q(
        "penalty_terms",
        _("违约金约定内容"),
        "text",
        when=("penalty_agreed", True),
        section=S_BREACH,
        help=_("例如：逾期付款的，每日按欠款的万分之五支付违约金"),
    ),
    Q(
        "penalty_amount",
        _("主张的违约金（暂计至起诉日）"),
        "money",
        when=("penalty_agreed", True),
        section=S_BREACH,
        help=_(
            "约定的违约金过分高于造成的损失的，法院可以根据当事人的请求予以适当减少"
            "（民法典第五百八十五条）"
        ),
    ),
    *evidence_questions(),
)


def check_sale(a: dict) -> dict[str, Reason]:
    errors: dict[str, Reason] = {}
    total, paid, unpaid = a.get("total_price"), a.get("paid_amount"), a.get("unpaid_amount")
    if total is not None and paid is not None and paid > total:
        errors["paid_amount"] = _("已付价款不能超过合同总价款")
    elif total is not None and unpaid is not None and (paid or 0) + unpaid > total:
        errors["unpaid_amount"] = _("已付价款与欠付价款之和不能超过合同总价款")
    start = a.get("contract_date")
    if start is not None and a.get("payment_due_date") and a["payment_due_date"] < start:
        errors["payment_due_date"] = _("约定付款期限不能早于合同签订日期")
    return errors


# --- 金融借款合同纠纷 ----------------------------------------------------------------------

S_DEBT = _("欠款情况")

FINANCIAL_LOAN = (
    Q("contract_number", _("借款合同编号"), "text", required=True, section=S_CONTRACT),
    Q("contract_date", _("合同签订日期"), "date", required=True, section=S_CONTRACT),
    Q("loan_amount", _("借款金额"), "money", required=True, positive=True, section=S_CONTRACT),
    Q("disbursement_date", _("放款日期"), "date", required=True, section=S_CONTRACT),
    Q("maturity_date", _("借款到期日"), "date", required=True, future_ok=True, section=S_CONTRACT),
    Q("interest_rate", _("借期内年利率（%）"), "percent", required=True, section=S_CONTRACT),
    Q(
        "penalty_rate",
        _("逾期罚息年利率（%）"),
        "percent",
        required=True,
        section=S_CONTRACT,
        help=_("按合同约定填写，通常为在借款利率基础上加收30%至50%"),
    ),
    Q(
        "accelerated",
        _("是否已宣布贷款提前到期"),
        "bool",
        required=True,
        section=S_DEBT,
        help=_("借款到期日尚未届至的，须依合同约定宣布提前到期，才能要求一次性归还全部本息"),
    ),
    Q("cutoff_date", _("欠款计算截止日"), "date", required=True, section=S_DEBT),
    Q(
        "outstanding_principal",
        _("欠付本金"),
        "money",
        required=True,
        positive=True,
        section=S_DEBT,
    ),
    Q("outstanding_interest", _("欠付利息"), "money", section=S_DEBT),
    Q("penalty_interest", _("欠付罚息"), "money", section=S_DEBT),
    Q("compound_interest", _("欠付复利"), "money", section=S_DEBT),
    Q(
        "lawyer_fee",
        _("律师费"),
        "money",
        section=S_DEBT,
        help=_("仅在合同约定由借款人承担实现债权费用时主张"),
    ),
    *guarantee_questions(),
    *evidence_questions(),
)


def check_financial_loan(a: dict) -> dict[str, Reason]:
    errors: dict[str, Reason] = {}
    owed, lent = a.get("outstanding_principal"), a.get("loan_amount")
    if owed is not None and lent is not None and owed > lent:
        errors["outstanding_principal"] = _("欠付本金不能超过借款金额")
    signed, paid_out = a.get("contract_date"), a.get("disbursement_date")
    if signed and paid_out and paid_out < signed:
        errors["disbursement_date"] = _("放款日期不能早于合同签订日期")
    if paid_out and a.get("maturity_date") and a["maturity_date"] <= paid_out:
        errors["maturity_date"] = _("借款到期日必须晚于放款日期")
    if paid_out and a.get("cutoff_date") and a["cutoff_date"] < paid_out:
        errors["cutoff_date"] = _("欠款计算截止日不能早于放款日期")
    due = a.get("maturity_date")
    if due and due > timezone.localdate() and a.get("accelerated") is False:
        errors["accelerated"] = _("借款尚未到期，且未宣布提前到期的，不能请求一次性归还全部借款")
    return errors


# --- 信用卡纠纷 ----------------------------------------------------------------------------

CREDIT_CARD = (
    Q("card_tail", _("信用卡卡号后四位"), "text", required=True, section=S_CONTRACT),
    Q("contract_number", _("领用合约编号"), "text", section=S_CONTRACT),
    Q("application_date", _("申领日期"), "date", required=True, section=S_CONTRACT),
    Q("credit_limit", _("信用额度"), "money", section=S_CONTRACT),
    Q(
        "interest_rate",
        _("透支年利率（%）"),
        "percent",
        required=True,
        section=S_CONTRACT,
        help=_("按年化利率填写，例如日利率万分之五即年利率18.25%"),
    ),
    Q("overdue_since", _("开始逾期日期"), "date", required=True, section=S_DEBT),
    Q("cutoff_date", _("欠款计算截止日"), "date", required=True, section=S_DEBT),
    Q("principal", _("透支本金"), "money", required=True, positive=True, section=S_DEBT),
    Q("interest", _("利息"), "money", section=S_DEBT),
    Q("penalty", _("违约金"), "money", section=S_DEBT),
    Q("fees", _("分期手续费等其他费用"), "money", section=S_DEBT),
    Q("demand_detail", _("催收情况"), "longtext", section=S_DEBT),
    *evidence_questions(),
)


def check_credit_card(a: dict) -> dict[str, Reason]:
    errors: dict[str, Reason] = {}
    tail = a.get("card_tail")
    if tail is not None and not re.fullmatch(r"\d{4}", tail):
        errors["card_tail"] = _("请填写卡号最后四位数字")
    applied = a.get("application_date")
    if applied and a.get("overdue_since") and a["overdue_since"] < applied:
        errors["overdue_since"] = _("开始逾期日期不能早于申领日期")
    if a.get("overdue_since") and a.get("cutoff_date") and a["cutoff_date"] < a["overdue_since"]:
        errors["cutoff_date"] = _("欠款计算截止日不能早于开始逾期日期")
    return errors


# --- 物业服务合同纠纷 ----------------------------------------------------------------------

S_PREMISES = _("房屋与收费")

PROPERTY_SERVICE = (
    Q("property_address", _("房屋坐落"), "text", required=True, section=S_PREMISES),
    Q(
        "area",
        _("建筑面积（平方米）"),
        "text",
        required=True,
        section=S_PREMISES,
        help=_("以不动产权证书记载为准，例如：89.56"),
    ),
    Q(
        "contract_basis",
        _("收费依据"),
        "choice",
        required=True,
        section=S_PREMISES,
        choices=(
            ("contract", _("物业服务合同")),
            ("preliminary", _("前期物业服务合同")),
        ),
        help=_(
            "建设单位依法与物业服务人订立的前期物业服务合同，对业主具有法律约束力"
            "（民法典第九百三十九条）"
        ),
    ),
    Q(
        "fee_rate",
        _("收费标准（元/平方米/月）"),
        "money",
        required=True,
        positive=True,
        section=S_PREMISES,
    ),
    Q("arrears_start", _("欠费起始月份"), "date", required=True, section=S_DEBT),
    Q("arrears_end", _("欠费截止月份"), "date", required=True, section=S_DEBT),
    Q("arrears_amount", _("欠费金额"), "money", required=True, positive=True, section=S_DEBT),
    Q(
        "demanded",
        _("是否已书面催告"),
        "bool",
        required=True,
        section=S_DEBT,
        help=_(
            "业主逾期不支付物业费的，物业服务人可以催告其在合理期限内支付；合理期限届满仍不"
            "支付的，可以提起诉讼（民法典第九百四十四条）。不得以停止供电、供水等方式催交"
        ),
    ),
    Q("late_fee_agreed", _("是否约定滞纳金"), "bool", required=True, section=S_BREACH),
    Q(
        "late_fee_terms",
        _("滞纳金约定内容"),
        "text",
        when=("late_fee_agreed", True),
        section=S_BREACH,
    ),
    Q("late_fee", _("主张的滞纳金"), "money", when=("late_fee_agreed", True), section=S_BREACH),
    *evidence_questions(),
)

AREA_MAX = Decimal("100000")


def _months(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def check_property(a: dict) -> dict[str, Reason]:
    errors: dict[str, Reason] = {}
    raw_area = a.get("area")
    if raw_area is not None:
        try:
            area = Decimal(raw_area.replace("㎡", "").replace("平方米", "").strip())
        except InvalidOperation:
            area = None
        if area is None or not area.is_finite() or area <= 0 or area > AREA_MAX:
            errors["area"] = _("建筑面积请填写大于零的数字，例如：89.56")
        else:
            a["area"] = area
    start, end = a.get("arrears_start"), a.get("arrears_end")
    if start and end and end < start:
        errors["arrears_end"] = _("欠费截止月份不能早于起始月份")
    elif start and end and "area" not in errors and a.get("area") and a.get("fee_rate"):
        # An upper bound: partial months count as whole ones, so honest figures always pass.
        ceiling = a["area"] * a["fee_rate"] * _months(start, end)
        if a.get("arrears_amount") and a["arrears_amount"] > ceiling + 1:
            errors["arrears_amount"] = format_lazy(
                _("欠费金额超过按收费标准计算的该期间物业费（约{amount}元）"),
                amount=f"{ceiling:,.2f}",
            )
    return errors
