"""The provider interface: exact money conversions, the provider registry, and that every
provider implements the same protocol and answers callbacks the way its provider expects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from microcourt.payments.providers import testing
from microcourt.payments.providers.alipay import AlipayProvider
from microcourt.payments.providers.base import (
    CallbackRejected,
    Checkout,
    OrderRequest,
    PaymentProvider,
    UnknownProvider,
    check_timestamp,
    fen_to_yuan,
    format_yuan,
    get_provider,
    parse_yuan,
    provider_names,
    yuan_to_fen,
)
from microcourt.payments.providers.sandbox import SandboxProvider
from microcourt.payments.providers.wechatpay import WeChatPayProvider

# --------------------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("yuan", "fen"),
    [
        ("0.01", 1),
        ("0.10", 10),
        ("1", 100),
        ("1050.00", 105000),
        ("1050", 105000),
        ("99999999.99", 9999999999),
        ("0.1", 10),
    ],
)
def test_yuan_and_fen_convert_exactly(yuan, fen):
    assert yuan_to_fen(Decimal(yuan)) == fen
    assert fen_to_yuan(fen) == Decimal(yuan)
    assert str(fen_to_yuan(fen)) == format_yuan(Decimal(yuan))


def test_105000_fen_is_1050_yuan_with_two_places():
    assert fen_to_yuan(105000) == Decimal("1050.00")
    assert str(fen_to_yuan(105000)) == "1050.00"
    assert format_yuan(Decimal("1050")) == "1050.00"


@given(st.integers(min_value=0, max_value=10**15))
def test_fen_round_trips(fen):
    assert yuan_to_fen(fen_to_yuan(fen)) == fen
    assert parse_yuan(format_yuan(fen_to_yuan(fen))) == fen_to_yuan(fen)


@pytest.mark.parametrize(
    "bad",
    [Decimal("0.001"), Decimal("-1"), Decimal("NaN"), Decimal("Infinity"), 1.5, "1.00", True, None],
)
def test_money_is_refused_rather_than_rounded(bad):
    with pytest.raises(ValueError):
        yuan_to_fen(bad)


@pytest.mark.parametrize("bad", [1.0, -1, True, "100"])
def test_fen_must_be_a_non_negative_integer(bad):
    with pytest.raises(ValueError):
        fen_to_yuan(bad)


@pytest.mark.parametrize(
    "text", ["1,050.00", "-1.00", "1.001", "1e3", " 1.00", "", "01.00", "NaN", "１.00"]
)
def test_provider_amount_strings_are_parsed_strictly(text):
    with pytest.raises(ValueError):
        parse_yuan(text)


def test_parse_yuan_keeps_two_places():
    assert str(parse_yuan("20")) == "20.00" and str(parse_yuan("0.5")) == "0.50"


def test_an_order_request_checks_its_values():
    base = {
        "out_trade_no": "MC2026112300000001",
        "amount": Decimal("1.00"),
        "description": "费用",
        "notify_url": "https://court.example/cb/",
    }
    OrderRequest(**base)
    for change in (
        {"out_trade_no": "MC1"},
        {"out_trade_no": "订单202611230001"},
        {"amount": Decimal("0")},
        {"amount": Decimal("1.005")},
        {"amount": 1.0},
        {"description": "  "},
        {"expires_at": dt.datetime(2026, 11, 30)},
    ):
        with pytest.raises(ValueError):
            OrderRequest(**{**base, **change})


def test_timestamps_must_be_fresh():
    now = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    stamp = int(now.timestamp())
    assert check_timestamp(str(stamp - 300), now=now) == stamp - 300
    for bad in (str(stamp - 301), str(stamp + 301), "", "12ab", "-5"):
        with pytest.raises(CallbackRejected):
            check_timestamp(bad, now=now)


# --------------------------------------------------------------------------- registry


def test_the_default_is_the_built_in_sandbox(settings):
    del settings.PAYMENT_PROVIDERS
    assert provider_names() == ["sandbox"]
    provider = get_provider("sandbox")
    assert isinstance(provider, SandboxProvider) and provider.name == "sandbox"
    assert get_provider("sandbox") is provider  # built once per configuration


def test_options_reach_the_provider_and_a_change_rebuilds_it(settings):
    backend = "microcourt.payments.providers.sandbox.SandboxProvider"
    settings.PAYMENT_PROVIDERS = {"demo": {"BACKEND": backend, "duplicate_callbacks": 2}}
    first = get_provider("demo")
    assert first.duplicate_callbacks == 2
    settings.PAYMENT_PROVIDERS = {"demo": {"BACKEND": backend, "duplicate_callbacks": 3}}
    assert get_provider("demo").duplicate_callbacks == 3


def test_configuration_mistakes_are_clear(settings):
    settings.PAYMENT_PROVIDERS = {
        "nobackend": {},
        "missing": {"BACKEND": "microcourt.payments.providers.nope.Provider"},
        "typo": {"BACKEND": "microcourt.payments.providers.sandbox.SandboxProvider", "delay": 5},
        "rate": {
            "BACKEND": "microcourt.payments.providers.sandbox.SandboxProvider",
            "fail_rate": "2",
        },
    }
    with pytest.raises(UnknownProvider):
        get_provider("wechatpay")
    for name, message in (
        ("nobackend", "no BACKEND"),
        ("missing", "nope"),
        ("typo", "delay"),
        ("rate", "fail_rate"),
    ):
        with pytest.raises(ImproperlyConfigured, match=message):
            get_provider(name)


# --------------------------------------------------------------------------- one protocol


@pytest.fixture(scope="module")
def providers():
    merchant, platform, app, alipay_key = (testing.rsa_key() for _ in range(4))
    return [
        SandboxProvider(name="sandbox"),
        WeChatPayProvider(
            name="wechatpay",
            mchid="1900009191",
            appid="wxd678efh567hg6787",
            merchant_serial="3775B6A45ACD588826D15E583A95F5DD",
            apiv3_key="a" * 32,
            private_key=testing.private_pem(merchant),
            platform_keys={"PUB_KEY_ID_01": testing.public_pem(platform)},
        ),
        AlipayProvider(
            name="alipay",
            app_id="2021000123456789",
            private_key=testing.private_pem(app),
            alipay_public_key=testing.public_pem(alipay_key),
        ),
    ]


def test_every_provider_implements_the_protocol(providers):
    for provider in providers:
        assert isinstance(provider, PaymentProvider), provider


def test_every_provider_rejects_garbage_callbacks(providers):
    for provider in providers:
        for headers, body in (
            ({}, b""),
            ({}, b"{}"),
            ({"Content-Type": "text/plain"}, b"\x00\xff"),
        ):
            with pytest.raises(CallbackRejected):
                provider.parse_callback(headers, body)


def test_callback_answers(providers):
    answers = {
        p.name: (p.callback_response(True), p.callback_response(False, "bad signature"))
        for p in providers
    }
    assert answers["wechatpay"][0] == (200, "application/json", b'{"code":"SUCCESS"}')
    assert answers["wechatpay"][1][0] >= 400 and b'"code": "FAIL"' in answers["wechatpay"][1][2]
    assert answers["alipay"][0][2] == b"success" and answers["alipay"][1][2] == b"fail"
    assert answers["sandbox"][0][0] == 200 and answers["sandbox"][1][0] >= 400
    for ok, failed in answers.values():
        assert isinstance(ok[2], bytes) and isinstance(failed[2], bytes)


def test_only_a_checkout_with_a_code_url_has_a_qr_code():
    assert "<svg" in Checkout(kind="qr", code_url="weixin://wxpay/bizpayurl?pr=abc").qr_svg()
    with pytest.raises(ValueError):
        Checkout(kind="redirect", redirect_url="/x/").qr_svg()
