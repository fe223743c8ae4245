"""Local stand-ins for the outside gateways, run by the tests on a loopback port:
Aliyun's Dysmsapi (SendSms, QuerySendDetails, with its signature check) and WeChat's
server API (stable_token, subscribe/send, jscode2session). They implement the published
behaviour the backends rely on, independently of the backends' own code: the signature is
recomputed here byte by byte from the documented rules."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")


def pop_encode(text: str) -> str:
    """Aliyun's percentEncode, written from the documentation's rule: UTF-8 bytes, the
    unreserved characters as they are, every other byte as %XX in upper case."""
    return "".join(chr(b) if b in UNRESERVED else f"%{b:02X}" for b in text.encode("utf-8"))


def pop_signature(params: dict[str, str], secret: str, method: str) -> str:
    canonical = "&".join(
        f"{pop_encode(k)}={pop_encode(v)}" for k, v in sorted(params.items(), key=lambda kv: kv[0])
    )
    to_sign = f"{method}&{pop_encode('/')}&{pop_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class _Server:
    def __init__(self, handler_factory) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_factory(self))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self):
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _handler(server, routes):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            """Silent: the tests' output stays clean."""

        def _answer(self, status: int, body: dict) -> None:
            raw = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _route(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            route = routes.get((method, parts.path))
            if route is None:
                self._answer(404, {"Code": "InvalidAction.NotFound", "errcode": 404})
                return
            status, answer = route(server, parts, self.headers, body)
            self._answer(status, answer)

        def do_POST(self):
            self._route("POST")

        def do_GET(self):
            self._route("GET")

    return Handler


class FakeAliyun(_Server):
    """Dysmsapi 2017-05-25 as the backends meet it. ``sent`` is the handsets' view: every
    SMS accepted, in order. ``delay`` slows SendSms *after* the message is accepted (so a
    worker killed while waiting has in fact sent it); ``fail`` queues error codes for the
    next SendSms calls; ``templates`` are the approved ones with their variables."""

    def __init__(
        self,
        *,
        keys: dict[str, str] | None = None,
        sign_names: tuple[str, ...] = ("微法院",),
        templates: dict[str, tuple[str, ...]] | None = None,
        delay: float = 0.0,
    ) -> None:
        self.keys = keys or {"LTAI-test-key": "test-secret"}
        self.sign_names = sign_names
        self.templates = templates or {}
        self.delay = delay
        self.fail: list[str] = []
        self.sent: list[dict] = []
        self.queries = 0
        self.nonces: set[str] = set()
        self._biz = itertools.count(900619746936498440)
        super().__init__(
            lambda server: _handler(
                server, {("POST", "/"): FakeAliyun._rpc, ("GET", "/"): FakeAliyun._rpc}
            )
        )

    # -- the RPC endpoint --------------------------------------------------------------------
    def _rpc(self, parts, headers, body):
        if parts.query:
            fields = dict(parse_qsl(parts.query, keep_blank_values=True))
            method = "GET"
        else:
            fields = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            method = "POST"
        request_id = f"req-{time.monotonic_ns()}"
        error = self._check(fields, method)
        if error:
            code, status = error
            return status, {"Code": code, "Message": code, "RequestId": request_id}
        action = fields["Action"]
        if action == "SendSms":
            return self._send(fields, request_id)
        if action == "QuerySendDetails":
            return self._query(fields, request_id)
        return 404, {"Code": "InvalidAction.NotFound", "RequestId": request_id}

    def _check(self, fields: dict[str, str], method: str) -> tuple[str, int] | None:
        required = (
            "Action",
            "Version",
            "AccessKeyId",
            "SignatureMethod",
            "SignatureVersion",
            "SignatureNonce",
            "Timestamp",
            "Signature",
            "Format",
        )
        if any(not fields.get(name) for name in required):
            return "MissingParameter", 400
        if fields["Version"] != "2017-05-25":
            return "InvalidVersion", 400
        secret = self.keys.get(fields["AccessKeyId"])
        if secret is None:
            return "InvalidAccessKeyId.NotFound", 404
        if fields["SignatureMethod"] != "HMAC-SHA1" or fields["SignatureVersion"] != "1.0":
            return "IncompleteSignature", 400
        unsigned = {k: v for k, v in fields.items() if k != "Signature"}
        if not hmac.compare_digest(pop_signature(unsigned, secret, method), fields["Signature"]):
            return "SignatureDoesNotMatch", 400
        try:
            stamp = dt.datetime.strptime(fields["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=dt.UTC
            )
        except ValueError:
            return "InvalidTimeStamp.Format", 400
        if abs((dt.datetime.now(dt.UTC) - stamp).total_seconds()) > 15 * 60:
            return "InvalidTimeStamp.Expired", 400
        with self.lock:
            if fields["SignatureNonce"] in self.nonces:
                return "SignatureNonceUsed", 400
            self.nonces.add(fields["SignatureNonce"])
        return None

    def _send(self, fields: dict[str, str], request_id: str):
        with self.lock:
            if self.fail:
                code = self.fail.pop(0)
                return 200, {"Code": code, "Message": code, "RequestId": request_id}
        phone = fields.get("PhoneNumbers", "")
        if not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
            return 200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}
        if fields.get("SignName") not in self.sign_names:
            return 200, {"Code": "isv.SMS_SIGNATURE_ILLEGAL", "Message": "签名不合法"}
        variables = self.templates.get(fields.get("TemplateCode", ""))
        if variables is None:
            return 200, {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "模板不合法"}
        try:
            values = json.loads(fields.get("TemplateParam") or "{}")
        except ValueError:
            return 200, {"Code": "isv.INVALID_JSON_PARAM", "Message": "JSON参数不合法"}
        if any(v not in values for v in variables):
            return 200, {"Code": "isv.TEMPLATE_MISSING_PARAMETERS", "Message": "模板缺少变量"}
        now = dt.datetime.now(SHANGHAI)
        with self.lock:
            biz_id = f"{next(self._biz)}^0"
            self.sent.append(
                {
                    "phone": phone,
                    "template": fields["TemplateCode"],
                    "params": values,
                    "sign_name": fields["SignName"],
                    "out_id": fields.get("OutId", ""),
                    "biz_id": biz_id,
                    "send_date": now.strftime("%Y-%m-%d %H:%M:%S"),
                }
            )
        if self.delay:
            time.sleep(self.delay)  # accepted, the answer is slow
        return 200, {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": request_id}

    def _query(self, fields: dict[str, str], request_id: str):
        phone, day = fields.get("PhoneNumber", ""), fields.get("SendDate", "")
        size, page = int(fields.get("PageSize") or 10), int(fields.get("CurrentPage") or 1)
        if not phone or len(day) != 8 or not 1 <= size <= 50:
            return 400, {"Code": "isv.INVALID_PARAMETERS", "RequestId": request_id}
        with self.lock:
            self.queries += 1
            matching = [
                s
                for s in self.sent
                if s["phone"] == phone
                and s["send_date"][:10].replace("-", "") == day
                and (not fields.get("BizId") or s["biz_id"] == fields["BizId"])
            ]
        chunk = matching[(page - 1) * size : page * size]
        return 200, {
            "Code": "OK",
            "Message": "OK",
            "RequestId": request_id,
            "TotalCount": len(matching),
            "SmsSendDetailDTOs": {
                "SmsSendDetailDTO": [
                    {
                        "PhoneNum": s["phone"],
                        "SendStatus": 3,
                        "ErrCode": "DELIVERED",
                        "TemplateCode": s["template"],
                        "Content": "…",
                        "SendDate": s["send_date"],
                        "ReceiveDate": s["send_date"],
                        "OutId": s["out_id"],
                    }
                    for s in chunk
                ]
            },
        }

    def per_phone(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for s in self.sent:
            counts[s["phone"]] = counts.get(s["phone"], 0) + 1
        return counts


class FakeWechat(_Server):
    """WeChat's server API as the backends meet it: stable tokens (``expire()`` makes the
    current one answer 42001), subscription messages (a template's known fields only;
    ``refusing`` openids answer 43101) and jscode2session (codes in ``codes``)."""

    def __init__(self, *, appid="wx-test-app", secret="wx-test-secret", templates=None):  # noqa: S107
        self.appid, self.secret = appid, secret
        self.templates = templates or {}
        self.tokens: dict[str, bool] = {}  # token → still valid
        self.token_calls = 0
        self.forced = 0
        self.sent: list[dict] = []
        self.refusing: set[str] = set()
        self.codes: dict[str, dict] = {}
        self._msgid = itertools.count(1700827132819554304)
        super().__init__(
            lambda server: _handler(
                server,
                {
                    ("POST", "/cgi-bin/stable_token"): FakeWechat._stable_token,
                    ("POST", "/cgi-bin/message/subscribe/send"): FakeWechat._send,
                    ("GET", "/sns/jscode2session"): FakeWechat._jscode2session,
                },
            )
        )

    def expire(self) -> None:
        with self.lock:
            for token in self.tokens:
                self.tokens[token] = False

    def _stable_token(self, parts, headers, body):
        request = json.loads(body or b"{}")
        if request.get("grant_type") != "client_credential":
            return 200, {"errcode": 40002, "errmsg": "invalid grant_type"}
        if request.get("appid") != self.appid or request.get("secret") != self.secret:
            return 200, {"errcode": 40125, "errmsg": "invalid appsecret"}
        with self.lock:
            self.token_calls += 1
            current = [t for t, valid in self.tokens.items() if valid]
            if current and not request.get("force_refresh"):
                return 200, {"access_token": current[0], "expires_in": 7200}
            if request.get("force_refresh"):
                self.forced += 1
            for token in self.tokens:
                self.tokens[token] = False
            token = f"TOKEN-{len(self.tokens) + 1}"
            self.tokens[token] = True
        return 200, {"access_token": token, "expires_in": 7200}

    def _send(self, parts, headers, body):
        query = dict(parse_qsl(parts.query))
        token = query.get("access_token", "")
        with self.lock:
            valid = self.tokens.get(token)
        if valid is None:
            return 200, {"errcode": 40001, "errmsg": "invalid credential"}
        if not valid:
            return 200, {"errcode": 42001, "errmsg": "access_token expired"}
        message = json.loads(body)
        fields = self.templates.get(message.get("template_id"))
        if fields is None:
            return 200, {"errcode": 40037, "errmsg": "invalid template_id"}
        data = message.get("data") or {}
        if set(data) != set(fields) or any(
            not isinstance(v, dict) or "value" not in v for v in data.values()
        ):
            return 200, {"errcode": 47003, "errmsg": "argument invalid! data.thing1.value"}
        if message.get("touser") in self.refusing:
            return 200, {"errcode": 43101, "errmsg": "user refuse to accept the msg"}
        if message.get("miniprogram_state") not in ("developer", "trial", "formal"):
            return 200, {"errcode": 47003, "errmsg": "miniprogram_state invalid"}
        if message.get("lang") not in ("zh_CN", "en_US", "zh_HK", "zh_TW"):
            return 200, {"errcode": 47003, "errmsg": "lang invalid"}
        with self.lock:
            msgid = next(self._msgid)
            self.sent.append({**message, "msgid": msgid})
        return 200, {"errcode": 0, "errmsg": "ok", "msgid": msgid}

    def _jscode2session(self, parts, headers, body):
        query = dict(parse_qsl(parts.query))
        if query.get("appid") != self.appid or query.get("secret") != self.secret:
            return 200, {"errcode": 40125, "errmsg": "invalid appsecret"}
        if query.get("grant_type") != "authorization_code":
            return 200, {"errcode": 40002, "errmsg": "invalid grant_type"}
        answer = self.codes.pop(query.get("js_code", ""), None)
        if answer is None:
            return 200, {"errcode": 40029, "errmsg": "invalid code"}
        return 200, {"session_key": "c2Vzc2lvbg==", **answer}
