"""The event registry (texts per event in the recipient's language, categories, what the
law requires) and people's preferences: mandatory notices ignore opt-outs; an optional one
is not sent on a channel its recipient switched off."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils.translation import gettext_lazy as _

from microcourt.core.errors import InvalidInput
from microcourt.notifications import actions, selectors, templates
from microcourt.notifications.models import Channel, Notification, Preference

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


def sms_and_inapp(user, event, key, **params):
    return actions.notify(
        recipient=user,
        event=event,
        params=params,
        idempotency_key=key,
        channels=[Channel.INAPP, Channel.SMS, Channel.EMAIL],
    )


def test_every_event_the_code_base_sends_is_registered():
    """Each ``notify(event="…")`` in the code has a category and a mandatory flag. An app
    adding an event registers it (templates.register, see the module's docstring)."""
    names = set()
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for call in re.finditer(r"notify\((.*?)\n\s*\)", text, re.S):
            names |= set(re.findall(r'event="([a-z_.]+)"', call.group(1)))
    names |= {f"filing.{e}" for e in ("submitted", "corrected", "forwarded", "correction")}
    names |= {f"filing.{e}" for e in ("rejected", "transferred", "accepted", "deemed_withdrawn")}
    names |= {f"payments.refund_{s}" for s in ("pending", "processing", "succeeded", "failed")}
    names |= {"spaces.mention", "spaces.reminder", "spaces.reminder.sms"}
    names |= {"identity.login_code", "identity.password_reset_key", "identity.sms_code"}
    assert len(names) > 30
    missing = sorted(n for n in names if not templates.is_registered(n))
    assert missing == [], "register them: see microcourt/notifications/templates.py"


@pytest.mark.parametrize(
    ("event", "mandatory"),
    [
        ("service.served", True),  # 送达
        ("filing.accepted", True),  # 受理通知 (民诉法第一百二十六条)
        ("filing.correction", True),  # a court-set period to correct
        ("payments.order_created", True),  # the payment deadline
        ("evidence.cross_examination_opened", True),
        ("identity.sms_code", True),  # log-in codes
        ("identity.login_code", True),  # allauth's e-mailed code, by the identity.* rule
        ("spaces.reminder.sms", True),  # a court's strong reminder
        ("payments.paid", False),
        ("spaces.mention", False),
        ("evidence.submitted", False),
        ("someone.unregistered", False),
    ],
)
def test_what_the_law_requires_is_marked_mandatory(event, mandatory):
    assert templates.lookup(event).is_mandatory is mandatory


@pytest.fixture
def english_catalogue(settings, tmp_path):
    """The English catalogue compiled as ``make`` does (the .mo is not in the repository)."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (gettext) is not installed")
    target = tmp_path / "locale" / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    subprocess.run(
        [msgfmt, "-o", str(target / "django.mo"), str(ROOT / "locale/en/LC_MESSAGES/django.po")],
        check=True,
    )
    settings.LOCALE_PATHS = [tmp_path / "locale"]


def test_params_render_the_events_text_in_the_recipients_language(
    plaintiff_zhang, monkeypatch, english_catalogue
):
    monkeypatch.setitem(
        templates.EVENTS,
        "test.fee_notice",
        templates.Event(
            "test.fee_notice",
            "payment",
            title=_("缴费通知"),  # already in the English catalogue
            body=_("请于 %(due)s 前缴纳%(what)s %(amount)s（%(words)s）。"),
            params=("due", "what", "amount", "words"),
        ),
    )
    params = {
        "due": "2026-12-07",
        "what": "案件受理费",
        "amount": "¥1,050.00",
        "words": "壹仟零伍拾元整",
    }
    (zh,) = actions.notify(
        recipient=plaintiff_zhang, event="test.fee_notice", params=params, idempotency_key="f1"
    )
    assert zh.title == "缴费通知" and zh.body.startswith("请于 2026-12-07 前缴纳案件受理费")
    assert zh.language == "zh-hans" and zh.params == params
    plaintiff_zhang.preferred_language = "en"
    plaintiff_zhang.save(update_fields=["preferred_language"])
    (en,) = actions.notify(
        recipient=plaintiff_zhang, event="test.fee_notice", params=params, idempotency_key="f2"
    )
    assert en.title == "Notice to pay" and en.language == "en"
    assert "2026-12-07" in en.body and not en.body.startswith("请于")


def test_the_english_written_beside_an_event_is_what_an_english_reader_gets(plaintiff_zhang):
    plaintiff_zhang.preferred_language = "en"
    plaintiff_zhang.save(update_fields=["preferred_language"])
    (row,) = actions.notify(
        recipient=plaintiff_zhang,
        event="identity.lawyer_rejected",
        params={"reason": "执业证照片不清晰"},
        idempotency_key="l1",
    )
    assert row.title == "Lawyer verification not approved" and row.language == "en"
    assert row.body.endswith("did not approve them: 执业证照片不清晰")


def test_notify_takes_no_text_and_an_event_without_text_sends_nothing(plaintiff_zhang):
    """One source of text: a caller cannot write its own title or body, and an event the
    table gives no text to is refused inside the caller's transaction."""
    with pytest.raises(TypeError):
        actions.notify(  # type: ignore[call-arg]
            recipient=plaintiff_zhang,
            event="payments.order_created",
            title="缴费通知",
            body="自定义正文",
            idempotency_key="o1",
        )
    with pytest.raises(ValueError, match="no text"):
        actions.notify(recipient=plaintiff_zhang, event="someone.unregistered", idempotency_key="u")
    assert not Notification.objects.exists()


def test_a_missing_param_is_refused_before_anything_is_queued(plaintiff_zhang):
    with pytest.raises(ValueError, match="document_title"):
        actions.notify(
            recipient=plaintiff_zhang,
            event="service.served",
            params={"case_number": "(2026)浙0203民初1号", "url": "/s/x"},
            idempotency_key="s1",
        )
    assert not Notification.objects.exists()


def test_mandatory_notices_ignore_opt_outs(plaintiff_zhang):
    for channel in (Channel.SMS, Channel.EMAIL):
        Preference.objects.create(
            user=plaintiff_zhang, category="legal", channel=channel, enabled=False
        )
    rows = sms_and_inapp(
        plaintiff_zhang,
        "service.served",
        "served:1",
        case_number="(2026)浙0203民初1号",
        document_title="传票",
        url="/s/1",
    )
    assert sorted(r.channel for r in rows) == ["email", "inapp", "sms"]


def test_an_opted_out_optional_notice_is_not_sent_on_that_channel(plaintiff_zhang, run_tasks):
    actions.preference_set(user=plaintiff_zhang, category="payment", channel="sms", enabled=False)
    rows = sms_and_inapp(
        plaintiff_zhang, "payments.paid", "paid:1", what="案件受理费", amount="¥1,050.00"
    )
    assert sorted(r.channel for r in rows) == ["email", "inapp"]  # in-app stays as the record
    run_tasks()
    assert not Notification.objects.filter(channel=Channel.SMS).exists()
    # someone else's switch changes nothing for them
    other = sms_and_inapp(plaintiff_zhang, "spaces.mention", "m:1", name="王五", text="请看")
    assert sorted(r.channel for r in other) == ["email", "inapp", "sms"]


def test_mandatory_categories_and_in_app_cannot_be_switched_off(plaintiff_zhang):
    with pytest.raises(InvalidInput) as legal:
        actions.preference_set(user=plaintiff_zhang, category="legal", channel="sms", enabled=False)
    assert str(legal.value.message) == "依法必须送达的通知不能关闭"
    with pytest.raises(InvalidInput):
        actions.preference_set(
            user=plaintiff_zhang, category="case", channel="inapp", enabled=False
        )
    with pytest.raises(InvalidInput):
        actions.preference_set(user=plaintiff_zhang, category="nope", channel="sms", enabled=False)
    assert not Preference.objects.exists()


def test_the_preferences_page_shows_locks_and_saves_switches(client, plaintiff_zhang):
    client.force_login(plaintiff_zhang)
    page = client.get("/notifications/preferences/").content.decode()
    assert "依法必须送达的通知不能关闭" in page
    assert 'value="legal:sms" checked disabled' in page
    assert 'value="payment:sms" checked' in page
    # The form posts every switch that is on; payment by SMS is left out: off.
    on = [
        f"{c}:{ch}"
        for c in ("case", "space", "payment", "account", "general")
        for ch in ("sms", "wechat", "email")
        if (c, ch) != ("payment", "sms")
    ]
    client.post("/notifications/preferences/", {"on": [*on, "legal:sms"]})
    assert list(Preference.objects.values_list("category", "channel", "enabled")) == [
        ("payment", "sms", False)
    ]
    fragment = client.post(
        "/notifications/preferences/", {"on": [*on, "payment:sms"]}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'id="mc-switches"' in fragment and "<html" not in fragment
    assert Preference.objects.get().enabled is True


def test_preferences_api(client, plaintiff_zhang):
    client.force_login(plaintiff_zhang)
    csrf = client.get("/").cookies["csrftoken"].value
    listed = client.get("/api/v1/notifications/preferences").json()
    legal = next(c for c in listed if c["category"] == "legal")
    assert legal["mandatory"] and legal["reason"] == "依法必须送达的通知不能关闭"
    assert all(s["locked"] and s["enabled"] for s in legal["channels"])
    changed = client.put(
        "/api/v1/notifications/preferences",
        {"category": "space", "channel": "wechat", "enabled": False},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    ).json()
    space = next(c for c in changed if c["category"] == "space")
    assert space["has_required"]  # the court's strong reminders still come
    assert next(s for s in space["channels"] if s["channel"] == "wechat")["enabled"] is False
    refused = client.put(
        "/api/v1/notifications/preferences",
        {"category": "legal", "channel": "sms", "enabled": False},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "依法必须送达的通知不能关闭"


def test_selector_lists_every_category(plaintiff_zhang):
    codes = [c["category"] for c in selectors.preferences_for(plaintiff_zhang)]
    assert codes[:2] == ["legal", "security"] and "general" in codes
