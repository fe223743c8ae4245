"""WeChat Pay API v3 adapter against keys, payloads and a local API server the tests make:
request signatures verified with the merchant public key, answers and callbacks signed with
a "platform" key, resources encrypted under the APIv3 key."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from django.core.exceptions import ImproperlyConfigured

from microcourt.payments.providers import testing
from microcourt.payments.providers.base import (
    CallbackRejected,
    OrderRequest,
    PayerHint,
    ProviderError,
)
from microcourt.payments.providers.wechatpay import WeChatPayProvider

MCHID, APPID, MERCHANT_SERIAL = (
    "1900009191",
    "wxd678efh567hg6787",
    "3775B6A45ACD588826D15E583A95F5DD",
)
PLATFORM_SERIAL = "PUB_KEY_ID_0114232134912410000000000000"
APIV3_KEY = "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"  # 32 bytes, as the merchant platform sets it


@pytest.fixture(scope="module")
def keys():
    return {
        "merchant": testing.rsa_key(),
        "platform": testing.rsa_key(),
        "other": testing.rsa_key(),
    }


def make_provider(keys, base_url="https://api.mch.weixin.qq.com", **extra) -> WeChatPayProvider:
    options = {
        "mchid": MCHID,
        "appid": APPID,
        "merchant_serial": MERCHANT_SERIAL,
        "apiv3_key": APIV3_KEY,
        "private_key": testing.private_pem(keys["merchant"]),
        "platform_keys": {PLATFORM_SERIAL: testing.public_pem(keys["platform"])},
        "base_url": base_url,
        "timeout": 3,
    }
    options.update(extra)
    return WeChatPayProvider(name="wechatpay", **options)


@pytest.fixture
def wechat(keys):
    return make_provider(keys)


def order(**extra) -> OrderRequest:
    values = {
        "out_trade_no": "MC202611230000000001",
        "amount": Decimal("1050.00"),
        "description": "案件受理费（2026）浙0203民初1号",
        "notify_url": "https://court.example/payments/callback/wechatpay/",
        "return_url": "https://court.example/payments/orders/MC202611230000000001/",
    }
    values.update(extra)
    return OrderRequest(**values)


def callback(keys, *, total_fen=105000, trade_state="SUCCESS", **extra):
    transaction = testing.wechat_transaction(
        mchid=extra.pop("mchid", MCHID),
        appid=APPID,
        out_trade_no="MC202611230000000001",
        total_fen=total_fen,
        trade_state=trade_state,
    )
    return testing.wechat_callback(
        platform_key=extra.pop("platform_key", keys["platform"]),
        serial=extra.pop("serial", PLATFORM_SERIAL),
        apiv3_key=extra.pop("apiv3_key", APIV3_KEY),
        transaction=transaction,
        **extra,
    )


class FakeWeChat:
    """WeChat Pay's API on 127.0.0.1: checks our Authorization header with the merchant
    public key, answers signed with the platform key."""

    def __init__(self, keys, answer):
        self.keys, self.answer, self.auth_failures = keys, answer, []

    def __call__(self, seen: testing.Seen):
        fields = testing.wechat_authorization(seen.headers.get("authorization", ""))
        message = (
            (
                f"{seen.method}\n{seen.path}\n{fields.get('timestamp')}\n{fields.get('nonce_str')}\n"
            ).encode()
            + seen.body
            + b"\n"
        )
        try:
            self.keys["merchant"].public_key().verify(
                base64.b64decode(fields["signature"]), message, padding.PKCS1v15(), hashes.SHA256()
            )
            assert fields["schema"] == "WECHATPAY2-SHA256-RSA2048"
            assert fields["mchid"] == MCHID and fields["serial_no"] == MERCHANT_SERIAL
            assert abs(int(fields["timestamp"]) - time.time()) < 60
        except Exception as exc:  # the real API answers 401 to any of these
            self.auth_failures.append(repr(exc))
            body = b'{"code":"SIGN_ERROR","message":"signature invalid"}'
            return 401, {"Content-Type": "application/json"}, body
        status, body = self.answer(seen)
        headers = {"Content-Type": "application/json"}
        headers.update(testing.wechat_headers(self.keys["platform"], PLATFORM_SERIAL, body))
        return status, headers, body


def served(keys, answer):
    fake = FakeWeChat(keys, answer)
    return fake, testing.LocalServer(fake)


# --------------------------------------------------------------------------- callbacks


def test_a_payment_callback_verifies_decrypts_and_converts_fen_to_yuan_exactly(wechat, keys):
    headers, body = callback(keys, total_fen=105000)
    event = wechat.parse_callback(headers, body)
    assert event.status == "paid"
    assert event.amount == Decimal("1050.00") and str(event.amount) == "1050.00"
    assert event.out_trade_no == "MC202611230000000001"
    assert event.provider_trade_no == "4200000000202311230000000001"
    assert event.paid_at == dt.datetime(2026, 11, 23, 2, 34, 56, tzinfo=dt.UTC)
    assert event.raw["transaction"]["trade_state"] == "SUCCESS"
    assert "ciphertext" not in event.raw["resource"]


def test_one_fen_is_one_fen(wechat, keys):
    headers, body = callback(keys, total_fen=1)
    assert wechat.parse_callback(headers, body).amount == Decimal("0.01")


def test_header_names_are_case_insensitive(wechat, keys):
    headers, body = callback(keys)
    lowered = {name.lower(): value for name, value in headers.items()}
    assert wechat.parse_callback(lowered, body).status == "paid"


def test_a_tampered_body_is_rejected(wechat, keys):
    headers, body = callback(keys)
    with pytest.raises(CallbackRejected, match="bad signature"):
        wechat.parse_callback(headers, body.replace(b"TRANSACTION.SUCCESS", b"TRANSACTION.SUCCESs"))


def test_a_tampered_signature_is_rejected(wechat, keys):
    headers, body = callback(keys)
    signature = bytearray(base64.b64decode(headers["Wechatpay-Signature"]))
    signature[10] ^= 1
    headers["Wechatpay-Signature"] = base64.b64encode(bytes(signature)).decode()
    with pytest.raises(CallbackRejected, match="bad signature"):
        wechat.parse_callback(headers, body)


def test_a_callback_signed_by_another_key_is_rejected(wechat, keys):
    headers, body = callback(keys, platform_key=keys["other"])
    with pytest.raises(CallbackRejected, match="bad signature"):
        wechat.parse_callback(headers, body)


def test_a_tampered_timestamp_is_rejected(wechat, keys):
    headers, body = callback(keys)
    headers["Wechatpay-Timestamp"] = str(int(headers["Wechatpay-Timestamp"]) + 1)
    with pytest.raises(CallbackRejected, match="bad signature"):
        wechat.parse_callback(headers, body)


def test_a_stale_callback_is_rejected_even_when_correctly_signed(wechat, keys):
    headers, body = callback(keys, timestamp=int(time.time()) - 301)
    with pytest.raises(CallbackRejected, match="stale timestamp"):
        wechat.parse_callback(headers, body)
    headers, body = callback(keys, timestamp=int(time.time()) + 400)
    with pytest.raises(CallbackRejected, match="stale timestamp"):
        wechat.parse_callback(headers, body)


def test_an_unknown_serial_is_rejected(wechat, keys):
    headers, body = callback(keys, serial="5157F09EFDC096DE15EBE81A47057A7232F1B8E1")
    with pytest.raises(CallbackRejected, match="unknown Wechatpay-Serial"):
        wechat.parse_callback(headers, body)


def test_a_tampered_ciphertext_is_rejected(wechat, keys):
    headers, body = callback(keys)
    notice = json.loads(body)
    raw = bytearray(base64.b64decode(notice["resource"]["ciphertext"]))
    raw[3] ^= 1
    notice["resource"]["ciphertext"] = base64.b64encode(bytes(raw)).decode()
    body = json.dumps(notice).encode()
    headers = testing.wechat_headers(keys["platform"], PLATFORM_SERIAL, body)  # re-signed
    with pytest.raises(CallbackRejected, match="does not decrypt"):
        wechat.parse_callback(headers, body)


def test_changed_associated_data_or_a_wrong_apiv3_key_do_not_decrypt(wechat, keys):
    headers, body = callback(keys)
    notice = json.loads(body)
    notice["resource"]["associated_data"] = "refund"
    body = json.dumps(notice).encode()
    headers = testing.wechat_headers(keys["platform"], PLATFORM_SERIAL, body)
    with pytest.raises(CallbackRejected, match="does not decrypt"):
        wechat.parse_callback(headers, body)
    headers, body = callback(keys, apiv3_key="z" * 32)
    with pytest.raises(CallbackRejected, match="does not decrypt"):
        wechat.parse_callback(headers, body)


def test_a_callback_for_another_merchant_is_rejected(wechat, keys):
    headers, body = callback(keys, mchid="1230000109")
    with pytest.raises(CallbackRejected, match="another merchant"):
        wechat.parse_callback(headers, body)


def test_wechat_signature_probes_fail_verification(wechat, keys):
    headers, body = callback(keys)
    headers["Wechatpay-Signature"] = "WECHATPAY/SIGNTEST/" + headers["Wechatpay-Signature"]
    with pytest.raises(CallbackRejected, match="bad signature"):
        wechat.parse_callback(headers, body)


@pytest.mark.parametrize(
    "missing", ["Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial"]
)
def test_a_callback_missing_a_signature_header_is_rejected(wechat, keys, missing):
    headers, body = callback(keys)
    del headers[missing]
    with pytest.raises(CallbackRejected, match="missing"):
        wechat.parse_callback(headers, body)


def test_malformed_bodies_are_rejected(wechat, keys):
    for body in (b"not json", b"[]", b'{"resource": "x"}'):
        headers = testing.wechat_headers(keys["platform"], PLATFORM_SERIAL, body)
        with pytest.raises(CallbackRejected):
            wechat.parse_callback(headers, body)


def test_a_refund_notification_is_not_taken_for_a_payment(wechat, keys):
    resource = testing.wechat_encrypt(
        APIV3_KEY, {"out_trade_no": "MC202611230000000001"}, associated_data="refund"
    )
    resource["original_type"] = "refund"
    body = json.dumps({"event_type": "REFUND.SUCCESS", "resource": resource}).encode()
    headers = testing.wechat_headers(keys["platform"], PLATFORM_SERIAL, body)
    with pytest.raises(CallbackRejected, match="not a payment notification"):
        wechat.parse_callback(headers, body)


def test_platform_certificates_work_and_expired_ones_are_refused(keys):
    pem = testing.certificate_pem(
        keys["platform"], serial=0x5157F09EFDC096DE15EBE81A47057A7232F1B8E1
    )
    provider = make_provider(keys, platform_keys={"5157F09EFDC096DE15EBE81A47057A7232F1B8E1": pem})
    headers, body = callback(keys, serial="5157F09EFDC096DE15EBE81A47057A7232F1B8E1")
    assert provider.parse_callback(headers, body).status == "paid"
    expired = testing.certificate_pem(
        keys["platform"], serial=7, not_after=dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    )
    provider = make_provider(keys, platform_keys={"7": expired})
    headers, body = callback(keys, serial="7")
    with pytest.raises(CallbackRejected, match="expired"):
        provider.parse_callback(headers, body)


def test_serials_are_compared_whatever_the_case_of_their_letters(keys):
    """A certificate serial is a hexadecimal number: WeChat sends it in capitals, a
    merchant may have configured it as openssl prints it (lower case), and either way the
    genuine notification is accepted and the same payment settles."""
    serial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
    pem = testing.certificate_pem(keys["platform"], serial=int(serial, 16))
    configured_lower = make_provider(keys, platform_keys={serial.lower(): pem})
    headers, body = callback(keys, serial=serial)
    assert configured_lower.parse_callback(headers, body).status == "paid"
    configured_upper = make_provider(keys, platform_keys={serial: pem})
    headers, body = callback(keys, serial=serial.lower())  # a lower-case Wechatpay-Serial
    assert configured_upper.parse_callback(headers, body).status == "paid"
    # Still the key of that serial only: another serial in any case is unknown.
    headers, body = callback(keys, serial=serial.lower()[:-1] + "0")
    with pytest.raises(CallbackRejected, match="unknown Wechatpay-Serial"):
        configured_upper.parse_callback(headers, body)


def test_the_answers_wechat_expects(wechat):
    assert wechat.callback_response(True) == (200, "application/json", b'{"code":"SUCCESS"}')
    status, content_type, body = wechat.callback_response(False, "验签失败")
    assert 400 <= status < 600 and content_type == "application/json"
    assert json.loads(body) == {"code": "FAIL", "message": "验签失败"}


# --------------------------------------------------------------------------- orders


def test_a_native_order_is_signed_and_gives_a_code_url(keys):
    def answer(seen):
        sent = json.loads(seen.body)
        assert seen.path == "/v3/pay/transactions/native"
        assert sent["amount"] == {"total": 105000, "currency": "CNY"}
        assert sent["mchid"] == MCHID and sent["appid"] == APPID
        assert sent["out_trade_no"] == "MC202611230000000001"
        assert sent["notify_url"] == "https://court.example/payments/callback/wechatpay/"
        assert sent["time_expire"] == "2026-11-30T17:00:00+08:00"
        return 200, b'{"code_url":"weixin://wxpay/bizpayurl?pr=p4lpSuKzz"}'

    fake, server = served(keys, answer)
    with server:
        provider = make_provider(keys, base_url=server.url)
        checkout = provider.create(order(expires_at=dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)))
    assert fake.auth_failures == []
    assert checkout.kind == "qr" and checkout.code_url == "weixin://wxpay/bizpayurl?pr=p4lpSuKzz"
    assert checkout.qr_svg().startswith("<svg")


def test_h5_and_jsapi_orders(keys):
    def answer(seen):
        sent = json.loads(seen.body)
        if seen.path.endswith("/h5"):
            assert sent["scene_info"] == {
                "payer_client_ip": "203.0.113.9",
                "h5_info": {"type": "Wap"},
            }
            return (
                200,
                b'{"h5_url":"https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx1"}',
            )
        assert seen.path.endswith("/jsapi") and sent["payer"] == {"openid": "oUpF8uMuAJO"}
        return 200, b'{"prepay_id":"wx201410272009395522657a690389285100"}'

    fake, server = served(keys, answer)
    with server:
        provider = make_provider(keys, base_url=server.url)
        h5 = provider.create(order(payer=PayerHint(mobile=True, client_ip="203.0.113.9")))
        jsapi = provider.create(order(payer=PayerHint(openid="oUpF8uMuAJO")))
    assert fake.auth_failures == []
    assert h5.kind == "redirect"
    assert h5.redirect_url.endswith(
        "&redirect_url=https%3A%2F%2Fcourt.example%2Fpayments%2Forders%2FMC202611230000000001%2F"
    )
    params = jsapi.jsapi_params
    assert (
        jsapi.kind == "jsapi"
        and params["package"] == "prepay_id=wx201410272009395522657a690389285100"
    )
    message = (
        f"{APPID}\n{params['timeStamp']}\n{params['nonceStr']}\n{params['package']}\n".encode()
    )
    keys["merchant"].public_key().verify(
        base64.b64decode(params["paySign"]), message, padding.PKCS1v15(), hashes.SHA256()
    )


def test_an_h5_order_needs_the_payers_ip(wechat):
    with pytest.raises(ProviderError, match="client_ip"):
        wechat.create(order(payer=PayerHint(mobile=True)))


def test_an_unsigned_or_mis_signed_answer_is_not_trusted(keys):
    def unsigned(seen):
        return 200, {"Content-Type": "application/json"}, b'{"code_url":"weixin://forged"}'

    with (
        testing.LocalServer(unsigned) as server,
        pytest.raises(ProviderError, match="not trusted") as caught,
    ):
        make_provider(keys, base_url=server.url).create(order())
    assert caught.value.code == "BAD_SIGNATURE"

    def forged(seen):
        body = b'{"code_url":"weixin://forged"}'
        headers = testing.wechat_headers(keys["other"], PLATFORM_SERIAL, body)
        return 200, headers, body

    with (
        testing.LocalServer(forged) as server,
        pytest.raises(ProviderError, match="bad signature"),
    ):
        make_provider(keys, base_url=server.url).create(order())


def test_a_refusal_carries_wechats_code_and_message(keys):
    _fake, server = served(
        keys, lambda seen: (400, b'{"code":"PARAM_ERROR","message":"out_trade_no invalid"}')
    )
    with server, pytest.raises(ProviderError) as caught:
        make_provider(keys, base_url=server.url).create(order())
    assert caught.value.code == "PARAM_ERROR" and not caught.value.retryable
    assert "out_trade_no invalid" in caught.value.message


def test_network_trouble_is_retryable(keys):
    with testing.LocalServer(lambda seen: (200, {}, b"")) as server:
        url = server.url  # closed when the block ends: nothing listens there any more
    with pytest.raises(ProviderError) as caught:
        make_provider(keys, base_url=url).create(order())
    assert caught.value.code == "NETWORK" and caught.value.retryable


# --------------------------------------------------------------------------- query, refund


@pytest.mark.parametrize(
    ("trade_state", "status"),
    [
        ("SUCCESS", "paid"),
        ("REFUND", "paid"),
        ("NOTPAY", "pending"),
        ("USERPAYING", "pending"),
        ("CLOSED", "closed"),
        ("REVOKED", "closed"),
        ("PAYERROR", "failed"),
    ],
)
def test_query_maps_trade_states(keys, trade_state, status):
    def answer(seen):
        assert seen.method == "GET"
        assert seen.path == f"/v3/pay/transactions/out-trade-no/MC202611230000000001?mchid={MCHID}"
        assert seen.body == b""
        data = testing.wechat_transaction(
            mchid=MCHID,
            appid=APPID,
            out_trade_no="MC202611230000000001",
            total_fen=105000,
            trade_state=trade_state,
        )
        return 200, json.dumps(data).encode()

    fake, server = served(keys, answer)
    with server:
        result = make_provider(keys, base_url=server.url).query("MC202611230000000001")
    assert fake.auth_failures == []
    assert result.status == status
    assert result.amount == Decimal("1050.00")
    assert (result.paid_at is not None) == (status == "paid")
    assert result.out_trade_no == "MC202611230000000001"


def test_query_of_an_unknown_order(keys):
    _fake, server = served(
        keys, lambda seen: (404, b'{"code":"ORDER_NOT_EXIST","message":"order not exist"}')
    )
    with server:
        result = make_provider(keys, base_url=server.url).query("MC202611230000000001")
    assert result.status == "not_found"


def test_a_refund_is_signed_and_mapped(keys):
    def answer(seen):
        assert seen.path == "/v3/refund/domestic/refunds"
        sent = json.loads(seen.body)
        assert sent == {
            "out_trade_no": "MC202611230000000001",
            "out_refund_no": "RF202611230001",
            "amount": {"refund": 52500, "total": 105000, "currency": "CNY"},
        }
        return 200, json.dumps(
            {
                "refund_id": "50000000382019052709732678859",
                "out_refund_no": "RF202611230001",
                "status": "PROCESSING",
                "amount": {"refund": 52500, "total": 105000, "currency": "CNY"},
            }
        ).encode()

    fake, server = served(keys, answer)
    with server:
        result = make_provider(keys, base_url=server.url).refund(
            "MC202611230000000001", "RF202611230001", Decimal("525.00"), Decimal("1050.00")
        )
    assert fake.auth_failures == []
    assert result.status == "processing" and result.amount == Decimal("525.00")
    assert result.provider_refund_no == "50000000382019052709732678859"


def test_a_refund_larger_than_the_order_is_refused_before_sending(wechat):
    with pytest.raises(ProviderError, match="within"):
        wechat.refund("MC202611230000000001", "RF1", Decimal("1050.01"), Decimal("1050.00"))


# --------------------------------------------------------------------------- configuration


def test_configuration_errors_are_clear(keys):
    with pytest.raises(ImproperlyConfigured, match="32 bytes"):
        make_provider(keys, apiv3_key="short")
    with pytest.raises(ImproperlyConfigured, match="https"):
        make_provider(keys, base_url="http://api.mch.weixin.qq.com")
    with pytest.raises(ImproperlyConfigured, match="platform_keys"):
        make_provider(keys, platform_keys={})
    with pytest.raises(ImproperlyConfigured, match="private key"):
        make_provider(
            keys, private_key="-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----"
        )
    assert "PRIVATE" not in repr(make_provider(keys))


def test_the_authorization_header_is_what_the_rules_say(wechat, keys):
    header = wechat.authorization(
        "GET",
        "/v3/certificates",
        "",
        timestamp=1554208460,
        nonce="593BEC0C930BF1AFEB40B4A08C8FB242",
    )
    fields = testing.wechat_authorization(header)
    assert fields["schema"] == "WECHATPAY2-SHA256-RSA2048"
    assert set(fields) == {"schema", "mchid", "nonce_str", "signature", "timestamp", "serial_no"}
    keys["merchant"].public_key().verify(
        base64.b64decode(fields["signature"]),
        b"GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n",
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
    assert urlsplit(wechat.base_url).hostname == "api.mch.weixin.qq.com"
