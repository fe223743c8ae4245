import pytest

from microcourt.notifications import templates

from .gateways import FakeAliyun, FakeWechat

# An event of the tests' own, whose whole text is its params: the outbox's behaviour does not
# depend on what a real event says.
TEST_NOTICE = templates.Event(
    "test.notice",
    "general",
    title="%(title)s",
    body="%(text)s",
    params=("title", "text"),
    title_en="%(title)s",
    body_en="%(text)s",
)


@pytest.fixture(autouse=True)
def _test_notice(monkeypatch):
    monkeypatch.setitem(templates.EVENTS, TEST_NOTICE.name, TEST_NOTICE)


ALIYUN_TEMPLATES = {
    # event (or its sms key) → approved template and how its variables are filled
    "identity.sms_code": {"code": "SMS_100", "params": {"code": "code"}},
    "payments.order_created": {
        "code": "SMS_200",
        "params": {"due": "due", "amount": "amount"},
    },
    "service.served": "SMS_300",
    "deadline.reminder": {"code": "SMS_400", "params": {"what": "what", "time": "deadline"}},
}


@pytest.fixture
def aliyun(settings):
    """The Aliyun SMS backend pointed at a local Dysmsapi that checks signatures."""
    server = FakeAliyun(
        templates={
            "SMS_100": ("code",),
            "SMS_200": ("due", "amount"),
            "SMS_300": ("case_number", "document_title", "url"),
            "SMS_400": ("what", "time"),
        }
    ).start()
    settings.SMS_BACKEND = "microcourt.notifications.backends.aliyun.AliyunSmsBackend"
    settings.NOTIFICATIONS_ALIYUN_ENDPOINT = server.url
    settings.NOTIFICATIONS_ALIYUN_ACCESS_KEY_ID = "LTAI-test-key"
    settings.NOTIFICATIONS_ALIYUN_ACCESS_KEY_SECRET = "test-secret"
    settings.NOTIFICATIONS_ALIYUN_SIGN_NAME = "微法院"
    settings.NOTIFICATIONS_ALIYUN_TEMPLATES = ALIYUN_TEMPLATES
    settings.NOTIFICATIONS_ALIYUN_TIMEOUT = 2
    yield server
    server.stop()


WECHAT_TEMPLATES = {
    "service.served": {
        "template_id": "TPL-SERVED",
        "page": "pages/cases/detail?url={url}",
        "data": {
            "thing1": "document_title",
            "character_string2": "case_number",
            "thing3": "$title",
        },
    },
}


@pytest.fixture
def wechat(settings):
    from django.core.cache import cache

    server = FakeWechat(templates={"TPL-SERVED": ("thing1", "character_string2", "thing3")}).start()
    settings.WECHAT_BACKEND = "microcourt.notifications.backends.wechat.WechatSubscribeBackend"
    settings.NOTIFICATIONS_WECHAT_API_BASE = server.url
    settings.NOTIFICATIONS_WECHAT_APPID = server.appid
    settings.NOTIFICATIONS_WECHAT_SECRET = server.secret
    settings.NOTIFICATIONS_WECHAT_TEMPLATES = WECHAT_TEMPLATES
    settings.NOTIFICATIONS_WECHAT_TIMEOUT = 2
    cache.clear()
    yield server
    server.stop()
