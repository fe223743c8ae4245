"""Alipay adapter against keys, notifications and a local gateway the tests make: our
request signatures verified with the application public key, notifications and answers
signed with an "Alipay" key."""

from __future__ import annotations

import base64
import datetime as dt
import json
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from django.core.exceptions import ImproperlyConfigured

from microcourt.payments.providers import testing
from microcourt.payments.providers.alipay import AlipayProvider, response_members, sign_content
from microcourt.payments.providers.base import (
    CallbackRejected,
    OrderRequest,
    PayerHint,
    ProviderError,
)

APP_ID, SELLER_ID = "2021000123456789", "2088102119685838"


@pytest.fixture(scope="module")
def keys():
    return {"app": testing.rsa_key(), "alipay": testing.rsa_key(), "other": testing.rsa_key()}


def make_provider(keys, gateway="https://openapi.alipay.com/gateway.do", **extra) -> AlipayProvider:
    options = {
        "app_id": APP_ID,
        "private_key": testing.private_pem(keys["app"]),
        # Alipay's console hands out the public key as bare base64: accepted as is.
        "alipay_public_key": testing.bare_base64(testing.public_pem(keys["alipay"])),
        "gateway": gateway,
        "seller_id": SELLER_ID,
    }
    options.update(extra)
    return AlipayProvider(name="alipay", **options)


@pytest.fixture
def alipay(keys):
    return make_provider(keys)


def order(**extra) -> OrderRequest:
    values = {
        "out_trade_no": "MC202611230000000002",
        "amount": Decimal("1050.00"),
        "description": "案件受理费",
        "notify_url": "https://court.example/payments/callback/alipay/",
        "return_url": "https://court.example/payments/orders/MC202611230000000002/",
    }
    values.update(extra)
    return OrderRequest(**values)


def verify_ours(keys, params: dict[str, str]) -> bool:
    content = sign_content(params).encode("utf-8")
    try:
        keys["app"].public_key().verify(
            base64.b64decode(params["sign"]), content, padding.PKCS1v15(), hashes.SHA256()
        )
    except Exception:
        return False
    return True


def notification(**overrides) -> dict[str, str]:
    params = {
        "notify_time": "2026-11-23 14:10:49",
        "notify_type": "trade_status_sync",
        "notify_id": "ac05099524730693a8b330c5ecf72da9786",
        "app_id": APP_ID,
        "charset": "utf-8",
        "version": "1.0",
        "trade_no": "2026112322001456380542497258",
        "out_trade_no": "MC202611230000000002",
        "buyer_id": "2088102116773037",
        "seller_id": SELLER_ID,
        "trade_status": "TRADE_SUCCESS",
        "total_amount": "1050.00",
        "receipt_amount": "1050.00",
        "subject": "案件受理费",
        "gmt_create": "2026-11-23 14:10:44",
        "gmt_payment": "2026-11-23 14:10:47",
        "fund_bill_list": '[{"amount":"1050.00","fundChannel":"ALIPAYACCOUNT"}]',
    }
    params.update(overrides)
    return params


class FormInputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.action, self.inputs = "", {}

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "form":
            self.action = values["action"]
        if tag == "input":
            self.inputs[values["name"]] = values["value"]


# --------------------------------------------------------------------------- page pay


def test_page_pay_is_a_signed_auto_submitting_form(alipay, keys):
    checkout = alipay.create(order(expires_at=dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)))
    assert checkout.kind == "form"
    form = FormInputs()
    form.feed(checkout.form_html)
    assert form.action == "https://openapi.alipay.com/gateway.do?charset=utf-8"
    params = form.inputs
    assert params["method"] == "alipay.trade.page.pay" and params["sign_type"] == "RSA2"
    assert (
        params["app_id"] == APP_ID and params["version"] == "1.0" and params["charset"] == "utf-8"
    )
    assert params["notify_url"] == "https://court.example/payments/callback/alipay/"
    assert verify_ours(keys, params)
    biz = json.loads(params["biz_content"])
    assert biz == {
        "out_trade_no": "MC202611230000000002",
        "total_amount": "1050.00",
        "subject": "案件受理费",
        "product_code": "FAST_INSTANT_TRADE_PAY",
        "time_expire": "2026-11-30 17:00:00",
    }
    assert "submit()" in checkout.form_html
    # The same signed parameters as a redirect URL.
    query = dict(parse_qsl(urlsplit(checkout.redirect_url).query))
    assert verify_ours(keys, query)


def test_a_tampered_request_would_not_verify(alipay, keys):
    form = FormInputs()
    form.feed(alipay.create(order()).form_html)
    params = form.inputs
    params["biz_content"] = params["biz_content"].replace("1050.00", "0.01")
    assert not verify_ours(keys, params)


def test_wap_pay_on_a_phone(alipay):
    form = FormInputs()
    form.feed(alipay.create(order(payer=PayerHint(mobile=True))).form_html)
    assert form.inputs["method"] == "alipay.trade.wap.pay"
    biz = json.loads(form.inputs["biz_content"])
    assert biz["product_code"] == "QUICK_WAP_WAY"
    assert biz["quit_url"] == "https://court.example/payments/orders/MC202611230000000002/"


def test_descriptions_are_escaped_in_the_form(alipay):
    html = alipay.create(order(description='费用"><script>alert(1)</script>')).form_html
    assert "<script>alert(1)" not in html


# --------------------------------------------------------------------------- notifications


def test_a_good_notification(alipay, keys):
    body = testing.alipay_notification(keys["alipay"], notification())
    event = alipay.parse_callback({"Content-Type": "application/x-www-form-urlencoded"}, body)
    assert event.status == "paid"
    assert event.amount == Decimal("1050.00")
    assert event.out_trade_no == "MC202611230000000002"
    assert event.provider_trade_no == "2026112322001456380542497258"
    assert event.paid_at == dt.datetime(2026, 11, 23, 6, 10, 47, tzinfo=dt.UTC)
    assert "sign" not in event.raw and event.raw["sign_type"] == "RSA2"


@pytest.mark.parametrize(
    ("trade_status", "status"),
    [("TRADE_FINISHED", "paid"), ("TRADE_CLOSED", "closed"), ("WAIT_BUYER_PAY", "pending")],
)
def test_trade_statuses(alipay, keys, trade_status, status):
    body = testing.alipay_notification(keys["alipay"], notification(trade_status=trade_status))
    event = alipay.parse_callback({}, body)
    assert event.status == status
    assert (event.paid_at is not None) == (status == "paid")


def test_a_full_refund_notice_carries_the_refunded_amount(alipay, keys):
    body = testing.alipay_notification(
        keys["alipay"],
        notification(
            trade_status="TRADE_CLOSED", refund_fee="1050.00", gmt_refund="2026-11-24 09:00:00.000"
        ),
    )
    event = alipay.parse_callback({}, body)
    assert event.status == "closed" and event.refunded_amount == Decimal("1050.00")


def test_a_tampered_notification_is_rejected(alipay, keys):
    body = testing.alipay_notification(keys["alipay"], notification())
    tampered = body.replace(b"total_amount=1050.00", b"total_amount=1.00")
    assert tampered != body
    with pytest.raises(CallbackRejected, match="bad signature"):
        alipay.parse_callback({}, tampered)


def test_a_notification_signed_by_another_key_is_rejected(alipay, keys):
    body = testing.alipay_notification(keys["other"], notification())
    with pytest.raises(CallbackRejected, match="bad signature"):
        alipay.parse_callback({}, body)


def test_a_tampered_signature_is_rejected(alipay, keys):
    params = dict(parse_qsl(testing.alipay_notification(keys["alipay"], notification()).decode()))
    raw = bytearray(base64.b64decode(params["sign"]))
    raw[0] ^= 1
    params["sign"] = base64.b64encode(bytes(raw)).decode()
    with pytest.raises(CallbackRejected, match="bad signature"):
        alipay.parse_callback({}, urlencode(params).encode())


def test_a_notification_for_another_app_or_seller_is_rejected(alipay, keys):
    body = testing.alipay_notification(keys["alipay"], notification(app_id="2015102700040153"))
    with pytest.raises(CallbackRejected, match="another app"):
        alipay.parse_callback({}, body)
    body = testing.alipay_notification(keys["alipay"], notification(seller_id="2088000000000000"))
    with pytest.raises(CallbackRejected, match="another seller"):
        alipay.parse_callback({}, body)


def test_sign_type_is_excluded_from_the_signed_string_and_must_be_rsa2(alipay, keys):
    params = dict(parse_qsl(testing.alipay_notification(keys["alipay"], notification()).decode()))
    params["sign_type"] = "RSA"
    with pytest.raises(CallbackRejected, match="not RSA2"):
        alipay.parse_callback({}, urlencode(params).encode())


def test_malformed_notifications_are_rejected(alipay, keys):
    for body in (b"", b"\xff\xfe", b"a=1&a=2&sign=x", b"no-equals-sign"):
        with pytest.raises(CallbackRejected):
            alipay.parse_callback({}, body)
    body = testing.alipay_notification(keys["alipay"], notification(total_amount="1,050.00"))
    with pytest.raises(CallbackRejected, match="amount"):
        alipay.parse_callback({}, body)
    body = testing.alipay_notification(keys["alipay"], notification(trade_status="TRADE_PENDING"))
    with pytest.raises(CallbackRejected, match="trade_status"):
        alipay.parse_callback({}, body)
    unsigned = urlencode(notification()).encode()
    with pytest.raises(CallbackRejected, match="no sign"):
        alipay.parse_callback({}, unsigned)


def alipay_sdk_notification(keys, params: dict[str, str]) -> bytes:
    """A notification signed by python-alipay-sdk as Alipay signs one (《异步通知验签》):
    the SDK's ``sign_data`` signs every parameter it is given, empty values included, sorted,
    ``k=v&…``, and answers the form-encoded string with ``sign``; ``sign_type`` is sent but
    not signed."""
    from alipay import AliPay

    alipay_side = AliPay(
        appid=APP_ID,
        app_private_key_string=testing.private_pem(keys["alipay"]),
        alipay_public_key_string=testing.public_pem(keys["alipay"]),
        sign_type="RSA2",
    )
    return (alipay_side.sign_data(dict(params)) + "&sign_type=RSA2").encode("ascii")


def sdk_verifies(keys, body: bytes) -> bool:
    """What a merchant using python-alipay-sdk does with the notification."""
    from alipay import AliPay

    merchant = AliPay(
        appid=APP_ID,
        app_private_key_string=testing.private_pem(keys["app"]),
        alipay_public_key_string=testing.public_pem(keys["alipay"]),
        sign_type="RSA2",
    )
    data = dict(parse_qsl(body.decode("ascii"), keep_blank_values=True))
    return merchant.verify(data, data.pop("sign"))


def test_a_notification_with_empty_fields_verifies_as_alipays_sdk_verifies_it(alipay, keys):
    """Alipay sends empty fields (``body=``, ``passback_params=``) and signs them: a genuine
    notification must settle, not be refused as a bad signature."""
    params = notification(body="", passback_params="", buyer_logon_id="159****5620")
    body = alipay_sdk_notification(keys, params)
    assert b"&body=&" in body or body.startswith(b"body=&")
    assert sdk_verifies(keys, body)
    event = alipay.parse_callback({"Content-Type": "application/x-www-form-urlencoded"}, body)
    assert event.status == "paid" and event.amount == Decimal("1050.00")
    assert event.raw["body"] == "" and event.raw["passback_params"] == ""
    # The empty fields are part of what was signed: leaving one out is a different message.
    dropped = body.replace(b"passback_params=&", b"")
    assert dropped != body and not sdk_verifies(keys, dropped)
    with pytest.raises(CallbackRejected, match="bad signature"):
        alipay.parse_callback({}, dropped)


def test_notifications_signed_by_the_sdk_verify_here_and_tampering_does_not(alipay, keys):
    body = alipay_sdk_notification(keys, notification(subject="案件受理费 （2026）浙0203民初1号"))
    assert alipay.parse_callback({}, body).provider_trade_no == "2026112322001456380542497258"
    tampered = body.replace(b"total_amount=1050.00", b"total_amount=1.00")
    assert tampered != body and not sdk_verifies(keys, tampered)
    with pytest.raises(CallbackRejected, match="bad signature"):
        alipay.parse_callback({}, tampered)


def test_the_answers_alipay_expects(alipay):
    assert alipay.callback_response(True) == (200, "text/plain; charset=utf-8", b"success")
    assert alipay.callback_response(False)[2] == b"fail"


# --------------------------------------------------------------------------- gateway calls


class FakeGateway:
    def __init__(self, keys, answers):
        self.keys, self.answers, self.bad_requests = keys, answers, []

    def __call__(self, seen: testing.Seen):
        params = dict(parse_qsl(seen.body.decode("ascii")))
        if not verify_ours(self.keys, params) or params["app_id"] != APP_ID:
            self.bad_requests.append(params)
            body = testing.alipay_answer(
                None,
                params.get("method", "x"),
                {"code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.invalid-signature"},
            )
            return 200, {"Content-Type": "application/json;charset=utf-8"}, body
        method = params["method"]
        response = self.answers[method](json.loads(params["biz_content"]))
        return (
            200,
            {"Content-Type": "application/json;charset=utf-8"},
            testing.alipay_answer(self.keys["alipay"], method, response),
        )


def test_query_of_a_paid_order(keys):
    def query(biz):
        assert biz == {"out_trade_no": "MC202611230000000002"}
        return {
            "code": "10000",
            "msg": "Success",
            "trade_no": "2026112322001456380542497258",
            "out_trade_no": "MC202611230000000002",
            "trade_status": "TRADE_SUCCESS",
            "total_amount": "1050.00",
            "send_pay_date": "2026-11-23 14:10:47",
            "buyer_logon_id": "159****5620",
        }

    gateway = FakeGateway(keys, {"alipay.trade.query": query})
    with testing.LocalServer(gateway) as server:
        result = make_provider(keys, gateway=server.url + "/gateway.do").query(
            "MC202611230000000002"
        )
    assert gateway.bad_requests == []
    assert result.status == "paid" and result.amount == Decimal("1050.00")
    assert result.provider_trade_no == "2026112322001456380542497258"
    assert result.paid_at == dt.datetime(2026, 11, 23, 6, 10, 47, tzinfo=dt.UTC)


def test_query_of_an_unknown_order(keys):
    gateway = FakeGateway(
        keys,
        {
            "alipay.trade.query": lambda biz: {
                "code": "40004",
                "msg": "Business Failed",
                "sub_code": "ACQ.TRADE_NOT_EXIST",
                "sub_msg": "交易不存在",
            }
        },
    )
    with testing.LocalServer(gateway) as server:
        result = make_provider(keys, gateway=server.url + "/gateway.do").query(
            "MC202611230000000002"
        )
    assert result.status == "not_found"


def test_a_tampered_or_unsigned_answer_is_not_trusted(keys):
    answer = {
        "code": "10000",
        "msg": "Success",
        "out_trade_no": "MC202611230000000002",
        "trade_status": "TRADE_SUCCESS",
        "total_amount": "1050.00",
        "send_pay_date": "2026-11-23 14:10:47",
    }

    def tampered(seen):
        body = testing.alipay_answer(keys["alipay"], "alipay.trade.query", answer)
        return 200, {}, body.replace(b"1050.00", b"9999.00")

    with (
        testing.LocalServer(tampered) as server,
        pytest.raises(ProviderError, match="does not verify"),
    ):
        make_provider(keys, gateway=server.url + "/gateway.do").query("MC202611230000000002")

    def unsigned(seen):
        return 200, {}, testing.alipay_answer(None, "alipay.trade.query", answer)

    with (
        testing.LocalServer(unsigned) as server,
        pytest.raises(ProviderError, match="not signed"),
    ):
        make_provider(keys, gateway=server.url + "/gateway.do").query("MC202611230000000002")


def test_an_answer_is_verified_over_its_exact_text():
    text = (
        '{ "alipay_trade_query_response" : {"code":"10000","msg":"Success","a":{"b":"}"}} ,'
        '"sign":"c2lnbg=="}'
    )
    members = response_members(text)
    assert (
        members["alipay_trade_query_response"] == '{"code":"10000","msg":"Success","a":{"b":"}"}}'
    )
    assert members["sign"] == '"c2lnbg=="'
    for bad in ("[]", '{"a":1,"a":2}', '{"a":1} x', '{"a" 1}'):
        with pytest.raises(ValueError):
            response_members(bad)


def test_a_business_error_is_clear(keys):
    gateway = FakeGateway(
        keys,
        {
            "alipay.trade.refund": lambda biz: {
                "code": "40004",
                "msg": "Business Failed",
                "sub_code": "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
                "sub_msg": "退款金额超限",
            }
        },
    )
    with testing.LocalServer(gateway) as server, pytest.raises(ProviderError) as caught:
        make_provider(keys, gateway=server.url + "/gateway.do").refund(
            "MC202611230000000002", "RF1", Decimal("10.00"), Decimal("1050.00")
        )
    assert (
        caught.value.code == "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
        and "退款金额超限" in caught.value.message
    )


def test_a_refund(keys):
    def refund(biz):
        assert biz == {
            "out_trade_no": "MC202611230000000002",
            "refund_amount": "525.00",
            "out_request_no": "RF202611230001",
        }
        return {
            "code": "10000",
            "msg": "Success",
            "trade_no": "2026112322001456380542497258",
            "out_trade_no": "MC202611230000000002",
            "fund_change": "Y",
            "refund_fee": "525.00",
        }

    gateway = FakeGateway(keys, {"alipay.trade.refund": refund})
    with testing.LocalServer(gateway) as server:
        result = make_provider(keys, gateway=server.url + "/gateway.do").refund(
            "MC202611230000000002", "RF202611230001", Decimal("525.00"), Decimal("1050.00")
        )
    assert gateway.bad_requests == []
    assert result.status == "succeeded" and result.amount == Decimal("525.00")


def test_configuration_errors_are_clear(keys):
    with pytest.raises(ImproperlyConfigured, match="RSA2"):
        make_provider(keys, sign_type="RSA")
    with pytest.raises(ImproperlyConfigured, match="https"):
        make_provider(keys, gateway="http://openapi.alipay.com/gateway.do")
    with pytest.raises(ImproperlyConfigured, match="exactly one"):
        make_provider(keys, private_key="")
    # Alipay's bare base64 private key (PKCS #8 DER) is accepted too.
    bare = testing.bare_base64(testing.private_pem(keys["app"]))
    assert make_provider(keys, private_key=bare).app_id == APP_ID
