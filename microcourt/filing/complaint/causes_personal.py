"""Element questions for 劳动争议, 机动车交通事故责任纠纷 and 离婚纠纷."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.calendar import add_months

from .schema import (
    Q,
    Reason,
    evidence_questions,
)

# --- 劳动争议 ------------------------------------------------------------------------------

S_ARBITRATION = _("仲裁前置")
S_EMPLOYMENT = _("劳动关系")
S_LABOUR_CLAIMS = _("请求事项")

LABOUR = (
    Q(
        "arbitration_commission",
        _("劳动人事争议仲裁委员会"),
        "text",
        required=True,
        section=S_ARBITRATION,
        help=_(
            "劳动争议须先经劳动争议仲裁委员会仲裁，对仲裁裁决不服的，才可以向人民法院提起诉讼"
            "（劳动争议调解仲裁法第五条）"
        ),
    ),
    Q(
        "award_outcome",
        _("仲裁结果"),
        "choice",
        required=True,
        section=S_ARBITRATION,
        choices=(
            ("award", _("已作出仲裁裁决")),
            ("not_accepted", _("仲裁委员会决定不予受理")),
        ),
    ),
    Q(
        "award_number",
        _("仲裁裁决书（或不予受理通知书）编号"),
        "text",
        required=True,
        section=S_ARBITRATION,
        help=_("例如：甬劳人仲案字〔2025〕第123号"),
    ),
    Q("award_date", _("裁决（通知）日期"), "date", required=True, section=S_ARBITRATION),
    Q(
        "award_received_date",
        _("收到裁决书日期"),
        "date",
        required=True,
        section=S_ARBITRATION,
        help=_(
            "对仲裁裁决不服的，应当自收到仲裁裁决书之日起十五日内提起诉讼"
            "（劳动争议调解仲裁法第五十条），期满不起诉的，裁决书发生法律效力"
        ),
    ),
    Q("hire_date", _("入职日期"), "date", required=True, section=S_EMPLOYMENT),
    Q("position", _("工作岗位"), "text", section=S_EMPLOYMENT),
    Q("contract_signed", _("是否签订书面劳动合同"), "bool", required=True, section=S_EMPLOYMENT),
    Q(
        "monthly_wage",
        _("月工资"),
        "money",
        required=True,
        positive=True,
        section=S_EMPLOYMENT,
        help=_(
            "劳动合同解除或者终止前十二个月的平均工资，是计算经济补偿的基数（劳动合同法第四十七条）"
        ),
    ),
    Q("left_date", _("离职日期"), "date", section=S_EMPLOYMENT),
    Q(
        "leave_reason",
        _("劳动关系解除方式"),
        "choice",
        required=True,
        section=S_EMPLOYMENT,
        choices=(
            ("still_employed", _("仍在职")),
            ("dismissed", _("用人单位解除")),
            ("employee_38", _("劳动者因用人单位未及时足额支付劳动报酬等原因解除")),
            ("mutual", _("协商一致解除")),
            ("expired", _("劳动合同期满终止")),
        ),
    ),
    Q("unpaid_wages", _("拖欠工资"), "money", section=S_LABOUR_CLAIMS),
    Q(
        "unpaid_wage_period",
        _("拖欠工资期间"),
        "text",
        section=S_LABOUR_CLAIMS,
        help=_("例如：2025年3月至2025年5月"),
    ),
    Q("overtime_pay", _("加班费"), "money", section=S_LABOUR_CLAIMS),
    Q(
        "severance",
        _("经济补偿"),
        "money",
        section=S_LABOUR_CLAIMS,
        help=_(
            "按劳动者在本单位工作的年限，每满一年支付一个月工资；六个月以上不满一年的按一年"
            "计算；不满六个月的支付半个月工资（劳动合同法第四十七条）"
        ),
    ),
    Q(
        "double_wage",
        _("未签书面劳动合同二倍工资差额"),
        "money",
        section=S_LABOUR_CLAIMS,
        when=("contract_signed", False),
        help=_(
            "用人单位自用工之日起超过一个月不满一年未与劳动者订立书面劳动合同的，应当向劳动者"
            "每月支付二倍的工资（劳动合同法第八十二条）"
        ),
    ),
    Q(
        "wrongful_termination",
        _("违法解除劳动合同赔偿金"),
        "money",
        section=S_LABOUR_CLAIMS,
        when=("leave_reason", "dismissed"),
        help=_("按经济补偿标准的二倍计算（劳动合同法第八十七条），与经济补偿不能同时主张"),
    ),
    *evidence_questions(),
)

LABOUR_MONEY = ("unpaid_wages", "overtime_pay", "severance", "double_wage", "wrongful_termination")


def check_labour(a: dict) -> dict[str, Reason]:
    errors: dict[str, Reason] = {}
    award, received = a.get("award_date"), a.get("award_received_date")
    if award and received and received < award:
        errors["award_received_date"] = _("收到裁决书日期不能早于裁决日期")
    hired = a.get("hire_date")
    if hired and a.get("left_date") and a["left_date"] < hired:
        errors["left_date"] = _("离职日期不能早于入职日期")
    if hired and award and award < hired:
        errors["award_date"] = _("裁决日期不能早于入职日期")
    reason = a.get("leave_reason")
    if reason and reason != "still_employed" and a.get("left_date") is None:
        errors["left_date"] = _("劳动关系已解除或终止的，请填写离职日期")
    if a.get("severance") and a.get("wrongful_termination"):
        errors["wrongful_termination"] = _("违法解除赔偿金与经济补偿不能同时主张")
    if not any(a.get(k) for k in LABOUR_MONEY) and "unpaid_wages" not in errors:
        errors["unpaid_wages"] = _("请至少填写一项金额大于零的请求")
    return errors


# --- 机动车交通事故责任纠纷 ----------------------------------------------------------------

S_ACCIDENT = _("事故经过")
S_INSURANCE = _("保险情况")
S_LOSS = _("损失项目")

LIABILITY = (
    ("full", _("全部责任")),
    ("main", _("主要责任")),
    ("equal", _("同等责任")),
    ("minor", _("次要责任")),
    ("none", _("无责任")),
)
# Order is the order a lawyer lists them in, following 民法典第一千一百七十九条.
TRAFFIC_LOSSES = (
    ("medical_fee", _("医疗费")),
    ("hospital_food", _("住院伙食补助费")),
    ("nutrition_fee", _("营养费")),
    ("nursing_fee", _("护理费")),
    ("lost_income", _("误工费")),
    ("transport_fee", _("交通费")),
    ("disability_compensation", _("残疾赔偿金")),
    ("assistive_device", _("残疾辅助器具费")),
    ("dependant_living", _("被扶养人生活费")),
    ("death_compensation", _("死亡赔偿金")),
    ("funeral_fee", _("丧葬费")),
    ("mental_damage", _("精神损害抚慰金")),
    ("appraisal_fee", _("鉴定费")),
    ("property_loss", _("财产损失")),
)

TRAFFIC = (
    Q("accident_date", _("事故日期"), "date", required=True, section=S_ACCIDENT),
    Q("accident_place", _("事故地点"), "text", required=True, section=S_ACCIDENT),
    Q(
        "accident_detail",
        _("事故经过"),
        "longtext",
        section=S_ACCIDENT,
        help=_(
            "例如：被告王五驾驶浙B12345号小型轿车沿某路由东向西行驶，与原告驾驶的电动自行车相撞"
        ),
    ),
    Q("vehicle_plate", _("肇事车辆号牌"), "text", required=True, section=S_ACCIDENT),
    Q(
        "liability",
        _("事故认定书中被告方的责任"),
        "choice",
        required=True,
        section=S_ACCIDENT,
        choices=LIABILITY,
        help=_("以公安机关交通管理部门出具的道路交通事故认定书为准"),
    ),
    Q("liability_doc_number", _("事故认定书编号"), "text", section=S_ACCIDENT),
    Q(
        "injury",
        _("损害后果"),
        "choice",
        required=True,
        section=S_ACCIDENT,
        choices=(
            ("injury", _("受伤")),
            ("disability", _("受伤致残")),
            ("death", _("死亡")),
        ),
        help=_("受害人死亡的，由其近亲属作为原告起诉"),
    ),
    Q(
        "disability_grade",
        _("伤残等级"),
        "text",
        when=("injury", "disability"),
        section=S_ACCIDENT,
        help=_("以司法鉴定意见为准，例如：十级伤残"),
    ),
    Q("hospital_days", _("住院天数"), "integer", section=S_ACCIDENT, max_value=3650),
    Q(
        "compulsory_insurer",
        _("交强险保险公司"),
        "text",
        section=S_INSURANCE,
        help=_(
            "先由承保交强险的保险人在责任限额内赔偿，不足部分由商业三者险的保险人按合同赔偿，"
            "仍不足的由侵权人赔偿（民法典第一千二百一十三条）。保险公司须列为被告，"
            "名称应与被告名单一致"
        ),
    ),
    Q("commercial_insurer", _("商业三者险保险公司"), "text", section=S_INSURANCE),
    Q("commercial_limit", _("商业三者险保险金额"), "money", section=S_INSURANCE),
    *(Q(k, label, "money", section=S_LOSS) for k, label in TRAFFIC_LOSSES),
    Q("advance_paid", _("被告已垫付金额"), "money", section=S_LOSS),
    *evidence_questions(),
)


def check_traffic(a: dict) -> dict[str, Reason]:
    errors: dict[str, Reason] = {}
    total = sum((a.get(k) or 0 for k, _label in TRAFFIC_LOSSES), Decimal("0"))
    if not total:
        errors["medical_fee"] = _("请至少填写一项损失金额")
    elif a.get("advance_paid") and a["advance_paid"] >= total:
        errors["advance_paid"] = _("被告已垫付金额不少于损失总额，没有可主张的赔偿")
    if a.get("liability") == "none" and not errors:
        errors["liability"] = _(
            "被告方无责任的，只能请求交强险无责任限额内的赔偿，请咨询法院或律师后起诉"
        )
    injury = a.get("injury")
    if injury != "death" and (a.get("death_compensation") or a.get("funeral_fee")):
        errors["death_compensation"] = _("受害人未死亡的，不能主张死亡赔偿金和丧葬费")
    if injury == "injury" and a.get("disability_compensation"):
        errors["disability_compensation"] = _("未致残的，不能主张残疾赔偿金")
    return errors


# --- 离婚纠纷 ------------------------------------------------------------------------------

S_MARRIAGE = _("婚姻状况")
S_CHILDREN = _("子女")
S_PROPERTY = _("财产与债务")

DIVORCE_GROUNDS = (
    ("bigamy", _("重婚或者与他人同居")),
    ("violence", _("实施家庭暴力或者虐待、遗弃家庭成员")),
    ("vice", _("有赌博、吸毒等恶习屡教不改")),
    ("separation", _("因感情不和分居满二年")),
    ("other", _("其他导致夫妻感情破裂的情形")),
)

DIVORCE = (
    Q("marriage_date", _("结婚登记日期"), "date", required=True, section=S_MARRIAGE),
    Q("marriage_registry", _("婚姻登记机关"), "text", section=S_MARRIAGE),
    Q(
        "ground",
        _("离婚理由"),
        "choice",
        required=True,
        choices=DIVORCE_GROUNDS,
        section=S_MARRIAGE,
        help=_("民法典第一千零七十九条规定的应当准予离婚的情形"),
    ),
    Q("ground_detail", _("感情破裂的具体情况"), "longtext", required=True, section=S_MARRIAGE),
    Q("separation_since", _("分居开始日期"), "date", section=S_MARRIAGE),
    Q(
        "previous_suit",
        _("是否曾起诉离婚"),
        "bool",
        required=True,
        section=S_MARRIAGE,
        help=_(
            "判决不准离婚的案件，没有新情况、新理由，原告在六个月内又起诉的，不予受理；"
            "判决不准离婚后双方又分居满一年，一方再次起诉的，应当准予离婚"
            "（民法典第一千零七十九条第五款）"
        ),
    ),
    Q(
        "previous_judgment_date",
        _("前次判决不准离婚的日期"),
        "date",
        required=True,
        when=("previous_suit", True),
        section=S_MARRIAGE,
    ),
    Q("children_count", _("子女人数"), "integer", required=True, max_value=20, section=S_CHILDREN),
    Q(
        "children",
        _("子女情况"),
        "longtext",
        section=S_CHILDREN,
        help=_("每行一名：姓名、性别、出生日期，例如：张小明，男，2015年3月1日出生"),
    ),
    Q(
        "custody",
        _("抚养请求"),
        "choice",
        section=S_CHILDREN,
        choices=(
            ("plaintiff", _("由原告抚养")),
            ("defendant", _("由被告抚养")),
            ("adult", _("子女均已成年，无需处理")),
        ),
        help=_(
            "离婚后，不满两周岁的子女以由母亲直接抚养为原则；已满两周岁的，协议不成的由法院"
            "按照最有利于未成年子女的原则判决；子女已满八周岁的，应当尊重其真实意愿"
            "（民法典第一千零八十四条）"
        ),
    ),
    Q(
        "child_support",
        _("每月抚养费"),
        "money",
        section=S_CHILDREN,
        when=("custody", "plaintiff"),
        help=_("由不直接抚养子女的一方负担（民法典第一千零八十五条）"),
    ),
    Q("common_property", _("夫妻共同财产及分割意见"), "longtext", section=S_PROPERTY),
    Q("common_debts", _("夫妻共同债务及承担意见"), "longtext", section=S_PROPERTY),
    Q(
        "damages",
        _("离婚损害赔偿"),
        "money",
        section=S_PROPERTY,
        help=_(
            "因重婚、与他人同居、实施家庭暴力、虐待或遗弃家庭成员等重大过错导致离婚的，"
            "无过错方有权请求损害赔偿（民法典第一千零九十一条）"
        ),
    ),
    *evidence_questions(),
)


def check_divorce(a: dict) -> dict[str, Reason]:
    errors: dict[str, Reason] = {}
    married, today = a.get("marriage_date"), timezone.localdate()
    count = a.get("children_count")
    if count:
        if not a.get("children"):
            errors["children"] = _("有子女的，请填写子女姓名、性别和出生日期")
        if not a.get("custody"):
            errors["custody"] = _("有子女的，请选择抚养请求")
    if a.get("ground") == "separation":
        since = a.get("separation_since")
        if since is None:
            errors["separation_since"] = _("以分居满二年为由的，请填写分居开始日期")
        elif since > add_months(today, -24):
            errors["separation_since"] = _("分居尚未满二年")
    if married and a.get("separation_since") and a["separation_since"] < married:
        errors["separation_since"] = _("分居开始日期不能早于结婚登记日期")
    previous = a.get("previous_judgment_date")
    if previous and married and previous < married:
        errors["previous_judgment_date"] = _("前次判决日期不能早于结婚登记日期")
    return errors
