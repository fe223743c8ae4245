"""The fee engine against 《诉讼费用交纳办法》 (rules.md B.6), to the fen.

Expected values are worked out here from the law's tables — the worked values of rules.md,
literal figures at every band edge, and the 速算 form of each table (amount × rate +
constant) — never with the engine's own helpers."""

import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given, settings
from hypothesis import strategies as st

from microcourt.core.errors import InvalidInput
from microcourt.payments import fees
from microcourt.payments.fees import quote

D = Decimal
CENT = D("0.01")


def yuan(value) -> Decimal:
    return D(value).quantize(CENT, rounding=ROUND_HALF_UP)


# 速算表 (quick-reckoning tables): within each band, fee = amount × rate + constant.
PROPERTY_QUICK = [
    (D(10_000), D(0), D(50)),
    (D(100_000), D("0.025"), D(-200)),
    (D(200_000), D("0.02"), D(300)),
    (D(500_000), D("0.015"), D(1_300)),
    (D(1_000_000), D("0.01"), D(3_800)),
    (D(2_000_000), D("0.009"), D(4_800)),
    (D(5_000_000), D("0.008"), D(6_800)),
    (D(10_000_000), D("0.007"), D(11_800)),
    (D(20_000_000), D("0.006"), D(21_800)),
    (None, D("0.005"), D(41_800)),
]
ENFORCEMENT_QUICK = [
    (D(10_000), D(0), D(50)),
    (D(500_000), D("0.015"), D(-100)),
    (D(5_000_000), D("0.01"), D(2_400)),
    (D(10_000_000), D("0.005"), D(27_400)),
    (None, D("0.001"), D(67_400)),
]
PRESERVATION_QUICK = [
    (D(1_000), D(0), D(30)),
    (D(100_000), D("0.01"), D(20)),
    (None, D("0.005"), D(520)),
]


def quick(table, amount: Decimal) -> Decimal:
    for upper, rate, constant in table:
        if upper is None or amount <= upper:
            return yuan(amount * rate + constant)
    raise AssertionError


def property_fee(amount) -> Decimal:
    return quick(PROPERTY_QUICK, D(amount))


def enforcement_fee(amount) -> Decimal:
    return quick(ENFORCEMENT_QUICK, D(amount))


def preservation_fee(amount) -> Decimal:
    return min(quick(PRESERVATION_QUICK, D(amount)), D(5_000))


def fee(**kwargs) -> Decimal:
    return quote(**kwargs).amount


def texts(q) -> list[str]:
    return [str(b) for b in q.basis]


EDGES = [10_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000, 20_000_000]


def around(edge):
    return [D(edge) - CENT, D(edge), D(edge) + CENT, D(edge) - 1, D(edge) + 1]


# --- Art 13(一): property cases ------------------------------------------------------


@pytest.mark.parametrize(
    "claim, full, halved",
    [
        ("50000", "1050.00", "525.00"),
        ("100000", "2300.00", "1150.00"),
        ("500000", "8800.00", "4400.00"),
        ("1000000", "13800.00", "6900.00"),
        ("10000000", "81800.00", "40900.00"),
    ],
)
def test_the_worked_values_of_the_measures(claim, full, halved):
    assert fee(kind="acceptance", category="property", amount=claim) == D(full)
    assert fee(kind="acceptance", category="property", amount=claim, procedure="summary") == D(
        halved
    )


@pytest.mark.parametrize(
    "edge, expected",
    [
        (10_000, "50"),
        (100_000, "2300"),
        (200_000, "4300"),
        (500_000, "8800"),
        (1_000_000, "13800"),
        (2_000_000, "22800"),
        (5_000_000, "46800"),
        (10_000_000, "81800"),
        (20_000_000, "141800"),
    ],
)
def test_property_fee_at_every_band_edge(edge, expected):
    assert fee(kind="acceptance", category="property", amount=str(edge)) == D(expected)


@pytest.mark.parametrize("amount", [a for edge in EDGES for a in around(edge)])
def test_property_fee_just_either_side_of_every_edge(amount):
    assert fee(kind="acceptance", category="property", amount=amount) == property_fee(amount)


def test_property_fee_rounds_half_up_to_the_fen():
    # 10,001: 50 + 1 × 2.5% = 50.025 → 50.03; 99,999: 2,299.975 → 2,299.98
    assert fee(kind="acceptance", category="property", amount="10001") == D("50.03")
    assert fee(kind="acceptance", category="property", amount="99999") == D("2299.98")
    assert fee(kind="acceptance", category="property", amount="0.01") == D("50.00")


def test_property_breakdown_names_each_band_and_adds_up():
    q = quote(kind="acceptance", category="property", amount="1000000")
    assert [str(line.label) for line in q.breakdown] == [
        "10,000元以下部分：每件50元",
        "10,000至100,000元部分 × 2.5%",
        "100,000至200,000元部分 × 2%",
        "200,000至500,000元部分 × 1.5%",
        "500,000至1,000,000元部分 × 1%",
    ]
    assert [line.amount for line in q.breakdown] == [D(50), D(2250), D(2000), D(4500), D(5000)]
    assert sum(line.amount for line in q.breakdown) == q.amount
    assert texts(q) == ["《诉讼费用交纳办法》第十三条第（一）项"]


# --- Art 13(二)–(六): the other acceptance categories ----------------------------------


@pytest.mark.parametrize(
    "category, amount, province, expected, article",
    [
        # Zhejiang's published figures: divorce 300, personality 400, other 80, IP 900,
        # jurisdiction objection 100.
        ("divorce", None, "浙", "300", "第十三条第（二）项第1目"),
        ("divorce", "200000", "浙", "300", "第十三条第（二）项第1目"),
        ("divorce", "300000", "浙", "800", "第十三条第（二）项第1目"),  # + 100,000 × 0.5%
        ("divorce", "300000", "苏", "550", "第十三条第（二）项第1目"),  # default 50 + 500
        ("personality", None, "浙", "400", "第十三条第（二）项第2目"),
        ("personality", "50000", "浙", "400", "第十三条第（二）项第2目"),
        ("personality", "80000", "浙", "700", "第十三条第（二）项第2目"),  # + 30,000 × 1%
        ("personality", "150000", "浙", "1150", "第十三条第（二）项第2目"),  # + 500 + 250
        ("personality", "150000", "京", "850", "第十三条第（二）项第2目"),  # default 100
        ("other", None, "浙", "80", "第十三条第（二）项第3目"),
        ("other", None, "粤", "50", "第十三条第（二）项第3目"),
        ("ip", None, "浙", "900", "第十三条第（三）项"),
        ("ip", None, "川", "500", "第十三条第（三）项"),
        ("ip", "50000", "浙", "1050", "第十三条第（三）项"),  # with an amount: property scale
        ("labour", None, "浙", "10", "第十三条第（四）项"),
        ("labour", "80000", "浙", "10", "第十三条第（四）项"),  # wages claimed: still ¥10
        ("administrative", None, "浙", "50", "第十三条第（五）项第2目"),
        ("jurisdiction_objection", None, "浙", "100", "第十三条第（六）项"),
        ("jurisdiction_objection", None, "鲁", "50", "第十三条第（六）项"),
    ],
)
def test_every_category(category, amount, province, expected, article):
    q = quote(kind="acceptance", category=category, amount=amount, province=province)
    assert q.amount == D(expected)
    assert any(article in b for b in texts(q)), texts(q)
    assert sum(line.amount for line in q.breakdown) == q.amount


@pytest.mark.parametrize(
    "kind, expected, article",
    [
        ("trademark", "100", "第十三条第（五）项第1目"),
        ("patent", "100", "第十三条第（五）项第1目"),
        ("maritime", "100", "第十三条第（五）项第1目"),
        ("other", "50", "第十三条第（五）项第2目"),
    ],
)
def test_administrative_cases(kind, expected, article):
    q = quote(kind="acceptance", category="administrative", administrative_kind=kind)
    assert q.amount == D(expected)
    assert f"《诉讼费用交纳办法》{article}" in texts(q)


def test_a_province_without_figures_uses_the_statutory_minimum_and_says_so():
    q = quote(kind="acceptance", category="divorce", province="苏")
    assert q.amount == D("50.00")
    assert any("尚未录入" in b and "50" in b for b in texts(q))
    zhejiang = quote(kind="acceptance", category="divorce", province="浙")
    assert any("浙江省物价局" in b for b in texts(zhejiang))


def test_province_aliases():
    assert fee(kind="acceptance", category="other", province="黔") == D("50.00")
    assert fee(kind="acceptance", category="other") == D("80.00")  # 浙 by default


def test_flat_fee_categories_ignore_an_amount_and_say_so():
    q = quote(kind="acceptance", category="labour", amount="80000")
    assert any("与所填金额无关" in b for b in texts(q))


# --- Art 14: application fees ----------------------------------------------------------


@pytest.mark.parametrize(
    "edge, expected",
    [
        (10_000, "50"),
        (100_000, "1400"),
        (200_000, "2900"),
        (500_000, "7400"),
        (1_000_000, "12400"),
        (2_000_000, "22400"),
        (5_000_000, "52400"),
        (10_000_000, "77400"),
        (20_000_000, "87400"),
    ],
)
def test_enforcement_fee_at_every_band_edge(edge, expected):
    assert fee(kind="enforcement", amount=str(edge)) == D(expected)


@pytest.mark.parametrize("amount", [a for edge in EDGES for a in around(edge)])
def test_enforcement_fee_just_either_side_of_every_edge(amount):
    assert fee(kind="enforcement", amount=amount) == enforcement_fee(amount)


def test_enforcement_without_an_amount_takes_the_figure_in_the_range():
    q = quote(kind="enforcement")
    assert q.amount == D("50.00")
    assert "《诉讼费用交纳办法》第十四条第（一）项第1目" in texts(q)
    assert "《诉讼费用交纳办法》第十四条第（一）项第2目" in texts(
        quote(kind="enforcement", amount="1")
    )


@pytest.mark.parametrize(
    "edge, expected",
    [
        (1_000, "30"),
        (10_000, "120"),
        (100_000, "1020"),
        (200_000, "1520"),
        (500_000, "3020"),
        (1_000_000, "5000"),  # 5,520 before the cap
        (2_000_000, "5000"),
        (5_000_000, "5000"),
        (10_000_000, "5000"),
        (20_000_000, "5000"),
    ],
)
def test_preservation_fee_at_every_band_edge(edge, expected):
    assert fee(kind="preservation", amount=str(edge)) == D(expected)


@pytest.mark.parametrize("amount", [a for edge in [1_000, *EDGES] for a in around(edge)])
def test_preservation_fee_just_either_side_of_every_edge(amount):
    assert fee(kind="preservation", amount=amount) == preservation_fee(amount)


def test_preservation_cap():
    # 30 + 990 + (x − 100,000) × 0.5% = 5,000 at x = 896,000.
    assert fee(kind="preservation", amount="896000") == D("5000.00")
    assert fee(kind="preservation", amount="895998") == D("4999.99")
    capped = quote(kind="preservation", amount="1000000")
    assert capped.amount == D("5000.00")
    assert str(capped.breakdown[-1].label) == "保全费最多不超过5,000元"
    assert capped.breakdown[-1].amount == D("-520.00")
    assert fee(kind="preservation") == D("30.00")  # no amount


def test_payment_order_is_a_third_of_the_property_fee():
    assert fee(kind="payment_order", amount="50000") == D("350.00")
    assert fee(kind="payment_order", amount="100000") == D("766.67")  # 2,300 / 3
    assert fee(kind="payment_order", amount="10000000") == D("27266.67")  # 81,800 / 3
    q = quote(kind="payment_order", amount="100000")
    assert texts(q)[0] == "《诉讼费用交纳办法》第十四条第（三）项"
    assert sum(line.amount for line in q.breakdown) == q.amount


def test_bankruptcy_is_half_the_property_scale_capped_at_300000():
    assert fee(kind="bankruptcy", amount="10000000") == D("40900.00")
    # 111,600,000: 558,000 + 41,800 = 599,800 → 299,900
    assert fee(kind="bankruptcy", amount="111600000") == D("299900.00")
    # 111,640,000: exactly 600,000 → 300,000
    assert fee(kind="bankruptcy", amount="111640000") == D("300000.00")
    q = quote(kind="bankruptcy", amount="1000000000")
    assert q.amount == D("300000.00")
    assert str(q.breakdown[-1].label) == "破产案件申请费最高不超过300,000元"
    assert sum(line.amount for line in q.breakdown) == q.amount
    assert "《诉讼费用交纳办法》第十四条第（六）项" in texts(q)


def test_flat_application_fees():
    assert fee(kind="public_notice") == D("100.00")
    assert "《诉讼费用交纳办法》第十四条第（四）项" in texts(quote(kind="public_notice"))
    assert fee(kind="arbitration") == D("400.00")
    assert "《诉讼费用交纳办法》第十四条第（五）项" in texts(quote(kind="arbitration"))


# --- Arts 15, 16, 18 and 民诉解释 206: one halving only --------------------------------


@pytest.mark.parametrize(
    "options, article",
    [
        ({"closure": "mediation"}, "《诉讼费用交纳办法》第十五条"),
        ({"closure": "withdrawal"}, "《诉讼费用交纳办法》第十五条"),
        ({"procedure": "summary"}, "《诉讼费用交纳办法》第十六条"),
        ({"procedure": "small_claims"}, "《诉讼费用交纳办法》第十六条"),
        ({"counterclaim": True}, "《诉讼费用交纳办法》第十八条"),
    ],
)
def test_each_reduction_halves(options, article):
    q = quote(kind="acceptance", category="property", amount="50000", **options)
    assert q.amount == D("525.00")
    assert article in texts(q)
    assert not any("第二百零六条" in b for b in texts(q))


def test_a_mediated_summary_case_is_halved_once_not_quartered():
    q = quote(
        kind="acceptance",
        category="property",
        amount="100000",
        procedure="summary",
        closure="mediation",
    )
    assert q.amount == D("1150.00")  # not 575
    halvings = [line for line in q.breakdown if line.amount < 0]
    assert len(halvings) == 1
    why = [b for b in texts(q) if "第二百零六条" in b]
    assert len(why) == 1
    assert why[0].startswith(
        "《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》第二百零六条"
    )
    assert "第十六条减半" in why[0] and "不再依照第十五条减半" in why[0]


def test_three_reasons_still_halve_once_and_each_extra_one_is_explained():
    q = quote(
        kind="acceptance",
        category="property",
        amount="1000000",
        procedure="small_claims",
        counterclaim=True,
        closure="withdrawal",
    )
    assert q.amount == D("6900.00")
    assert len([b for b in texts(q) if "第二百零六条" in b]) == 2
    assert any("小额诉讼" in b for b in texts(q))


def test_flat_fees_are_halved_too():
    assert fee(kind="acceptance", category="labour", closure="withdrawal") == D("5.00")
    assert fee(kind="acceptance", category="divorce", procedure="summary") == D("150.00")


def test_halving_rounds_half_up():
    # 10,001 → 50.03 → 25.015 → 25.02
    assert fee(kind="acceptance", category="property", amount="10001", procedure="summary") == D(
        "25.02"
    )


def test_appeal_fee_is_the_first_instance_scale_on_the_appealed_amount():
    q = quote(kind="acceptance", category="property", amount="100000", appeal=True)
    assert q.amount == D("2300.00")
    assert "《诉讼费用交纳办法》第十七条" in texts(q)
    withdrawn = quote(
        kind="acceptance", category="property", amount="100000", appeal=True, closure="withdrawal"
    )
    assert withdrawn.amount == D("1150.00")


# --- Bad input --------------------------------------------------------------------------


def refused(field, **kwargs) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        quote(**kwargs)
    assert field in caught.value.fields, caught.value.fields
    assert str(caught.value.fields[field])  # a reason, in words
    return caught.value


@pytest.mark.parametrize(
    "field, kwargs",
    [
        ("kind", {"kind": "lawsuit"}),
        ("kind", {"kind": None}),
        ("kind", {"kind": ["acceptance"]}),
        ("category", {"kind": "acceptance", "category": "tax"}),
        ("category", {"kind": "acceptance", "amount": "100"}),
        ("procedure", {"kind": "acceptance", "category": "labour", "procedure": "fast"}),
        ("closure", {"kind": "acceptance", "category": "labour", "closure": "settled"}),
        ("province", {"kind": "acceptance", "category": "other", "province": "XX"}),
        ("province", {"kind": "acceptance", "category": "other", "province": "港"}),
        (
            "administrative_kind",
            {"kind": "acceptance", "category": "administrative", "administrative_kind": "tax"},
        ),
        ("amount", {"kind": "acceptance", "category": "property", "amount": None}),
        ("amount", {"kind": "acceptance", "category": "property", "amount": ""}),
        ("amount", {"kind": "payment_order"}),
        ("amount", {"kind": "bankruptcy"}),
        ("amount", {"kind": "acceptance", "category": "property", "amount": "-1"}),
        ("amount", {"kind": "acceptance", "category": "property", "amount": "0"}),
        ("amount", {"kind": "acceptance", "category": "property", "amount": "abc"}),
        ("amount", {"kind": "acceptance", "category": "property", "amount": "NaN"}),
        ("amount", {"kind": "acceptance", "category": "property", "amount": "Infinity"}),
        ("amount", {"kind": "acceptance", "category": "property", "amount": "1e20"}),
        ("amount", {"kind": "acceptance", "category": "property", "amount": "10.001"}),
        ("amount", {"kind": "acceptance", "category": "property", "amount": 1050.5}),
        ("amount", {"kind": "acceptance", "category": "property", "amount": True}),
        ("amount", {"kind": "enforcement", "amount": "-0.01"}),
        ("procedure", {"kind": "enforcement", "amount": "100", "procedure": "summary"}),
        ("closure", {"kind": "preservation", "closure": "withdrawal"}),
        ("counterclaim", {"kind": "payment_order", "amount": "100", "counterclaim": True}),
        ("appeal", {"kind": "enforcement", "appeal": True}),
        ("counterclaim", {"kind": "acceptance", "category": "labour", "counterclaim": "yes"}),
        (
            "procedure",
            {
                "kind": "acceptance",
                "category": "property",
                "amount": "100",
                "appeal": True,
                "procedure": "small_claims",
            },
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field(field, kwargs):
    refused(field, **kwargs)


def test_refusals_are_in_chinese():
    error = refused("amount", kind="acceptance", category="property", amount="-1")
    assert str(error.fields["amount"]) == "金额不能为负数"
    error = refused("amount", kind="bankruptcy")
    assert "破产财产总额" in str(error.fields["amount"])


def test_integers_and_decimals_are_accepted_as_amounts():
    assert fee(kind="acceptance", category="property", amount=50_000) == D("1050.00")
    assert fee(kind="acceptance", category="property", amount=D("50000.00")) == D("1050.00")
    assert fee(kind="acceptance", category="property", amount="¥50,000元") == D("1050.00")


# --- Province data ----------------------------------------------------------------------


def write(tmp_path, data) -> object:
    path = tmp_path / "fee_ranges.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


DEFAULT = {
    "figures": {
        "divorce": "50",
        "personality": "100",
        "other": "50",
        "ip": "500",
        "jurisdiction_objection": "50",
        "enforcement": "50",
    }
}


def test_the_shipped_figures_load_and_the_default_is_the_statutory_minimum():
    ranges = fees.load_fee_ranges()
    assert ranges["default"]["statutory_minimum"] is True
    assert {k: str(v) for k, v in ranges["default"]["figures"].items()} == {
        k: f"{v}.00" for k, v in DEFAULT["figures"].items()
    }
    assert ranges["浙"]["figures"]["divorce"] == D("300.00")
    assert "note" in ranges["default"] and "note" in ranges["浙"]


@pytest.mark.parametrize(
    "category, figure",
    [
        ("divorce", "301"),
        ("divorce", "49.99"),
        ("personality", "501"),
        ("other", "101"),
        ("ip", "400"),
        ("jurisdiction_objection", "120"),
        ("enforcement", "501"),
        ("divorce", "lots"),
    ],
)
def test_a_figure_outside_the_statutory_range_stops_start_up(tmp_path, category, figure):
    path = write(tmp_path, {"default": DEFAULT, "浙": {"figures": {category: figure}}})
    with pytest.raises(ImproperlyConfigured) as caught:
        fees.load_fee_ranges(path)
    assert "浙" in str(caught.value) and category in str(caught.value)


def test_unknown_provinces_and_categories_and_a_missing_default_are_refused(tmp_path):
    for data in (
        {"default": DEFAULT, "XX": {"figures": {}}},
        {"default": DEFAULT, "浙": {"figures": {"tax": "60"}}},
        {"浙": {"figures": {"divorce": "100"}}},
        {"default": {"figures": {"divorce": "50"}}},
    ):
        with pytest.raises(ImproperlyConfigured):
            fees.load_fee_ranges(write(tmp_path, data))


def test_the_default_figures_themselves_are_checked(tmp_path):
    bad = {"figures": {**DEFAULT["figures"], "ip": "1500"}}
    with pytest.raises(ImproperlyConfigured, match="default"):
        fees.load_fee_ranges(write(tmp_path, {"default": bad}))


# --- Properties -------------------------------------------------------------------------

AMOUNTS = st.one_of(
    st.integers(min_value=1, max_value=3_000_000),  # up to 30,000 yuan
    st.integers(min_value=1, max_value=3_000_000_000),  # up to 30 million
    st.integers(min_value=1, max_value=100_000_000_000_000),  # up to the platform's limit
).map(lambda cents: D(cents).scaleb(-2))

AMOUNT_BASED = [
    {"kind": "acceptance", "category": "property"},
    {"kind": "acceptance", "category": "ip"},
    {"kind": "acceptance", "category": "divorce"},
    {"kind": "acceptance", "category": "personality"},
    {"kind": "acceptance", "category": "property", "procedure": "summary"},
    {"kind": "acceptance", "category": "property", "appeal": True},
    {"kind": "enforcement"},
    {"kind": "preservation"},
    {"kind": "payment_order"},
    {"kind": "bankruptcy"},
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(AMOUNT_BASED), AMOUNTS, AMOUNTS)
def test_the_fee_never_decreases_as_the_amount_grows(case, a, b):
    low, high = sorted((a, b))
    assert fee(**case, amount=low) <= fee(**case, amount=high)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(AMOUNT_BASED), AMOUNTS)
def test_every_result_has_two_places_is_never_negative_and_adds_up(case, amount):
    q = quote(**case, amount=amount)
    assert q.amount.as_tuple().exponent == -2
    assert q.amount >= 0
    assert all(line.amount.as_tuple().exponent == -2 for line in q.breakdown)
    assert sum(line.amount for line in q.breakdown) == q.amount
    assert q.basis and all(str(b) for b in q.basis)


@settings(max_examples=300, deadline=None)
@given(AMOUNTS)
def test_the_tables_match_the_quick_reckoning_form(amount):
    assert fee(kind="acceptance", category="property", amount=amount) == property_fee(amount)
    assert fee(kind="enforcement", amount=amount) == enforcement_fee(amount)
    assert fee(kind="preservation", amount=amount) == preservation_fee(amount)
    assert fee(kind="payment_order", amount=amount) == yuan(property_fee(amount) / 3)
    assert fee(kind="bankruptcy", amount=amount) == min(yuan(property_fee(amount) / 2), 300_000)


REDUCTIONS = st.fixed_dictionaries(
    {
        "procedure": st.sampled_from(["ordinary", "summary", "small_claims"]),
        "closure": st.sampled_from([None, "mediation", "withdrawal"]),
        "counterclaim": st.booleans(),
    }
)
CATEGORIES = st.sampled_from(["property", "ip", "divorce", "personality", "labour", "other"])


@settings(max_examples=300, deadline=None)
@given(CATEGORIES, AMOUNTS, REDUCTIONS)
def test_halving_is_applied_once_whatever_the_reasons(category, amount, reductions):
    full = fee(kind="acceptance", category=category, amount=amount)
    reduced = fee(kind="acceptance", category=category, amount=amount, **reductions)
    any_reason = (
        reductions["procedure"] != "ordinary"
        or reductions["closure"] is not None
        or reductions["counterclaim"]
    )
    assert reduced == (yuan(full / 2) if any_reason else full)
