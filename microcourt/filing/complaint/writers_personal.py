"""诉讼请求 and 事实与理由 for 劳动争议, 机动车交通事故责任纠纷 and 离婚纠纷 (see ``writers``)."""

from __future__ import annotations

from decimal import Decimal

from .causes_personal import LABOUR_MONEY, TRAFFIC_LOSSES
from .writers import (
    CLOSING,
    COSTS,
    ClaimRow,
    Context,
    cn_date,
    evidence_items,
    extra_paragraphs,
    yuan,
)

__all__ = ["CLOSING", "divorce", "labour", "traffic"]

# --- 劳动争议 ------------------------------------------------------------------------------

LABOUR_CLAIMS = {
    "unpaid_wages": "拖欠的工资",
    "overtime_pay": "加班费",
    "severance": "解除劳动合同经济补偿",
    "double_wage": "未签订书面劳动合同的二倍工资差额",
    "wrongful_termination": "违法解除劳动合同赔偿金",
}
LEAVING = {
    "dismissed": "{date}，被告解除了与原告的劳动合同。",
    "employee_38": "因被告未及时足额支付劳动报酬，原告依照《中华人民共和国劳动合同法》第三十八条的"
    "规定，于{date}解除了劳动合同。",
    "mutual": "{date}，原、被告协商一致解除了劳动合同。",
    "expired": "{date}，双方劳动合同期满终止。",
}


def service_length(a: dict) -> str:
    """工作年限 as 劳动合同法第四十七条 counts it, in years and months."""
    start, end = a["hire_date"], a["left_date"]
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    years, rest = divmod(max(months, 0), 12)
    return f"{years}年{rest}个月" if years else f"{rest}个月"


def labour(c: Context) -> tuple[list[ClaimRow], list[str], list[str]]:
    a = c.answers
    claims: list[ClaimRow] = []
    for key in LABOUR_MONEY:
        if a.get(key):
            period = a.get("unpaid_wage_period") if key == "unpaid_wages" else ""
            claims.append(
                (
                    f"判令被告{c.d}支付原告{c.p}{period or ''}{LABOUR_CLAIMS[key]}{yuan(a[key])}",
                    a[key],
                )
            )
    position = f"，担任{a['position']}" if a.get("position") else ""
    contract = "双方签订了书面劳动合同" if a["contract_signed"] else "被告未与原告签订书面劳动合同"
    facts = [
        f"原告{c.p}于{cn_date(a['hire_date'])}入职被告{c.d}处{position}，{contract}，"
        f"原告月工资为{yuan(a['monthly_wage'])}。"
    ]
    if a["leave_reason"] == "still_employed":
        facts.append("原告目前仍在被告处工作。")
    else:
        leaving = LEAVING[a["leave_reason"]].format(date=cn_date(a["left_date"]))
        facts.append(f"{leaving}原告在被告处的工作年限为{service_length(a)}。")
    if a.get("unpaid_wages"):
        period = a.get("unpaid_wage_period") or ""
        facts.append(f"被告拖欠原告{period}工资共计{yuan(a['unpaid_wages'])}，经原告多次催要未付。")
    award = a["award_outcome"] == "award"
    paper = "仲裁裁决书" if award else "不予受理通知书"
    facts.append(
        f"原告就上述争议向{a['arbitration_commission']}申请仲裁，该委于{cn_date(a['award_date'])}"
        f"作出{a['award_number']}{paper}。原告于{cn_date(a['award_received_date'])}收到该{paper}，"
        + (
            "对裁决不服，依照《中华人民共和国劳动争议调解仲裁法》第五十条的规定，在收到仲裁裁决书"
            "之日起十五日内向贵院提起诉讼。"
            if award
            else "对不予受理的决定不服，依法向贵院提起诉讼。"
        )
    )
    facts += extra_paragraphs(c)
    law = [
        "原告认为，原、被告之间存在合法的劳动关系。根据《中华人民共和国劳动合同法》第三十条的规定，"
        "用人单位应当按照劳动合同约定和国家规定，向劳动者及时足额支付劳动报酬。"
    ]
    if a.get("severance"):
        law.append(
            "依照该法第四十六条、第四十七条的规定，被告应当按原告在本单位的工作年限，每满一年支付"
            "一个月工资的标准向原告支付经济补偿。"
        )
    if a.get("double_wage"):
        law.append(
            "依照该法第八十二条的规定，用人单位自用工之日起超过一个月不满一年未与劳动者订立书面劳动"
            "合同的，应当向劳动者每月支付二倍的工资。"
        )
    if a.get("wrongful_termination"):
        law.append(
            "被告违法解除劳动合同，依照该法第八十七条的规定，应当按照经济补偿标准的二倍向原告支付"
            "赔偿金。"
        )
    facts.append("".join(law))
    evidence = [
        f"{a['award_number']}{paper}及送达凭证",
        "劳动合同/工资流水等劳动关系证明",
        "考勤记录、工资条",
    ]
    return [*claims, (COSTS, None)], facts, evidence_items(c, *evidence)


# --- 机动车交通事故责任纠纷 ----------------------------------------------------------------

LIABILITY = {"full": "全部", "main": "主要", "equal": "同等", "minor": "次要", "none": "无"}


def traffic(c: Context) -> tuple[list[ClaimRow], list[str], list[str]]:
    a = c.answers
    losses = [(str(label), a[key]) for key, label in TRAFFIC_LOSSES if a.get(key)]
    total = sum((amount for _label, amount in losses), Decimal("0.00"))
    advance = a.get("advance_paid") or Decimal("0.00")
    net = total - advance
    insurers = [
        name
        for name in (
            c.named_defendant("compulsory_insurer"),
            c.named_defendant("commercial_insurer"),
        )
        if name
    ]
    tortfeasors = "、".join(n for n in c.defendants if n not in insurers) or c.d
    detail = "、".join(f"{label}{amount:,.2f}元" for label, amount in losses)
    deduct = f"，已扣除被告垫付的{yuan(advance)}" if advance else ""
    claims: list[ClaimRow] = [
        (
            f"判令被告{tortfeasors}赔偿原告{c.p}因交通事故造成的各项损失共计{yuan(net)}"
            f"（其中{detail}{deduct}）",
            net,
        )
    ]
    compulsory = c.named_defendant("compulsory_insurer")
    commercial = c.named_defendant("commercial_insurer")
    if compulsory:
        claims.append(
            (f"判令被告{compulsory}在机动车交通事故责任强制保险责任限额范围内承担赔偿责任", None)
        )
    if commercial:
        claims.append(
            (
                f"判令被告{commercial}在机动车第三者责任商业保险责任限额范围内按照保险合同的约定"
                "承担赔偿责任",
                None,
            )
        )
    happened = a.get("accident_detail") or f"{a['vehicle_plate']}号机动车与原告发生交通事故"
    harm = {"injury": "造成原告受伤", "disability": "造成原告受伤致残", "death": "造成受害人死亡"}
    facts = [
        f"{cn_date(a['accident_date'])}，在{a['accident_place']}，{happened.rstrip('。')}，"
        f"{harm[a['injury']]}。"
    ]
    paper = f"（{a['liability_doc_number']}）" if a.get("liability_doc_number") else ""
    facts.append(
        f"经公安机关交通管理部门出具道路交通事故认定书{paper}认定，{a['vehicle_plate']}号机动车一方"
        f"负事故{LIABILITY[a['liability']]}责任。"
    )
    if a.get("compulsory_insurer") or a.get("commercial_insurer"):
        parts = []
        if a.get("compulsory_insurer"):
            parts.append(f"在{a['compulsory_insurer']}投保了机动车交通事故责任强制保险")
        if a.get("commercial_insurer"):
            limit = (
                f"保险金额为{yuan(a['commercial_limit'])}的" if a.get("commercial_limit") else ""
            )
            parts.append(f"在{a['commercial_insurer']}投保了{limit}机动车第三者责任商业保险")
        facts.append(f"{a['vehicle_plate']}号机动车{'，'.join(parts)}，事故发生在保险期间内。")
    treated = []
    if a.get("hospital_days"):
        treated.append(f"住院治疗{a['hospital_days']}天")
    if a.get("disability_grade"):
        treated.append(f"经鉴定构成{a['disability_grade']}")
    if treated:
        facts.append(f"事故发生后，原告{'，'.join(treated)}。")
    paid = f"，被告已垫付{yuan(advance)}" if advance else ""
    facts.append(f"本次事故给原告造成的损失包括：{detail}，合计{yuan(total)}{paid}。")
    facts += extra_paragraphs(c)
    mental = (
        "依照第一千一百八十三条的规定，侵害自然人人身权益造成严重精神损害的，被侵权人有权请求精神"
        "损害赔偿。"
        if a.get("mental_damage")
        else ""
    )
    facts.append(
        "原告认为，根据《中华人民共和国民法典》第一千一百六十五条、第一千一百七十九条、第一千二百零八"
        "条、第一千二百一十三条及《中华人民共和国道路交通安全法》第七十六条的规定，机动车发生交通事故"
        "造成损害，属于该机动车一方责任的，先由承保机动车强制保险的保险人在强制保险责任限额范围内予以"
        "赔偿；不足部分，由承保机动车商业保险的保险人按照保险合同的约定予以赔偿；仍然不足或者没有投保"
        f"机动车商业保险的，由侵权人赔偿。{mental}"
    )
    evidence = [
        "道路交通事故认定书",
        "病历、诊断证明及医疗费票据",
        "误工、护理证明",
        "交通费票据",
        "保险单",
    ]
    if a.get("disability_grade"):
        evidence.append("司法鉴定意见书及鉴定费票据")
    return [*claims, (COSTS, None)], facts, evidence_items(c, *evidence)


# --- 离婚纠纷 ------------------------------------------------------------------------------

GROUND_ITEM = {
    "bigamy": "第一项",
    "violence": "第二项",
    "vice": "第三项",
    "separation": "第四项",
    "other": "第五项",
}


def _child_names(text: str) -> str:
    names = [line.replace("，", ",").split(",")[0].strip() for line in text.splitlines()]
    return "、".join(n for n in names if n)


def divorce(c: Context) -> tuple[list[ClaimRow], list[str], list[str]]:
    a = c.answers
    claims: list[ClaimRow] = [(f"判令原告{c.p}与被告{c.d}离婚", None)]
    kids = _child_names(a.get("children") or "")
    custody = a.get("custody")
    if a.get("children_count") and custody in {"plaintiff", "defendant"}:
        who = "原告" if custody == "plaintiff" else "被告"
        support = (
            f"，被告每月支付抚养费{yuan(a['child_support'])}至子女年满十八周岁止"
            if custody == "plaintiff" and a.get("child_support")
            else ""
        )
        claims.append((f"判令婚生子女{kids}由{who}直接抚养{support}", None))
    if a.get("common_property"):
        claims.append((f"依法分割夫妻共同财产：{a['common_property'].rstrip('。')}", None))
    if a.get("common_debts"):
        claims.append((f"依法处理夫妻共同债务：{a['common_debts'].rstrip('。')}", None))
    if a.get("damages"):
        claims.append((f"判令被告支付原告离婚损害赔偿金{yuan(a['damages'])}", a["damages"]))
    registry = f"在{a['marriage_registry']}" if a.get("marriage_registry") else ""
    if a.get("children_count"):
        children = "；".join(x.strip() for x in (a.get("children") or "").splitlines() if x.strip())
        born = f"，婚后生育子女{a['children_count']}名：{children}"
    else:
        born = "，婚后未生育子女"
    facts = [f"原告{c.p}与被告{c.d}于{cn_date(a['marriage_date'])}{registry}登记结婚{born}。"]
    facts.append(a["ground_detail"])
    if a.get("separation_since"):
        facts.append(f"双方自{cn_date(a['separation_since'])}起分居至今。")
    if a.get("previous_suit"):
        facts.append(
            f"原告曾起诉离婚，法院于{cn_date(a['previous_judgment_date'])}判决不准离婚。此后双方"
            "感情并无改善。"
        )
    facts += extra_paragraphs(c)
    law = [
        "原告认为，原、被告夫妻感情确已破裂，已无和好可能。根据《中华人民共和国民法典》第一千零七十"
        "九条的规定，人民法院审理离婚案件，应当进行调解；如果感情确已破裂，调解无效的，应当准予离婚。"
        f"本案属于该条第三款{GROUND_ITEM[a['ground']]}规定的情形。"
    ]
    if a.get("children_count") and custody in {"plaintiff", "defendant"}:
        law.append(
            "关于子女抚养，依照第一千零八十四条、第一千零八十五条的规定，应当按照最有利于未成年子女"
            "的原则处理，不直接抚养子女的一方应当负担部分或者全部抚养费。"
        )
    if a.get("common_property") or a.get("common_debts"):
        law.append(
            "关于夫妻共同财产和债务，应当依照第一千零八十七条、第一千零八十九条的规定依法分割、共同偿还。"
        )
    if a.get("damages"):
        law.append("被告的过错导致离婚，依照第一千零九十一条的规定，原告有权请求损害赔偿。")
    facts.append("".join(law))
    evidence = [
        "结婚证",
        "子女出生医学证明、户口簿" if a.get("children_count") else "户口簿",
        "夫妻感情破裂的证明材料",
    ]
    if a.get("common_property"):
        evidence.append("夫妻共同财产的权属证明")
    return [*claims, (COSTS, None)], facts, evidence_items(c, *evidence)
