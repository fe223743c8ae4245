"""异步审理 (在线诉讼规则第二十条): only small-claims or summary-procedure cases (the case's own
procedure, decided by its judge on the case), and only when all three conditions are on record —
being online together is genuinely hard; one party applied in writing and every party agreed;
after an online evidence exchange the main facts and evidence are not in dispute. Then the judge
sets each stage's deadline and each party posts text or a video before it; late posts are
refused; everyone in the case sees every post."""

from __future__ import annotations

import subprocess
import time

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from microcourt.hearings.events import LedgerEvent
from microcourt.hearings.models import AsyncStageDeadline, AsyncStagePost
from microcourt.ledger.models import Entry

from .test_public_switch import schedule

API = "/api/v1"
pytestmark = pytest.mark.django_db


@pytest.fixture
def async_session(case, judge, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return schedule(case, judge, procedure="async")


@pytest.fixture
def exchanged(case, zhang, judge):
    """An online evidence exchange on record: 张三's IOU, cross-examined asynchronously."""
    import datetime as dt

    from microcourt.evidence import actions as evidence_actions
    from microcourt.filing.tests.conftest import pdf_bytes

    exhibit = evidence_actions.exhibit_submit(
        case=case,
        actor=zhang,
        upload=SimpleUploadedFile("借条.pdf", pdf_bytes("借条"), "application/pdf"),
        name="借条",
        source="被告书写",
        purpose="证明借款事实",
    )
    return evidence_actions.cross_examination_open(
        case=case,
        actor=judge,
        exhibit_numbers=[exhibit.number],
        mode="async",
        deadline=timezone.now() + dt.timedelta(days=7),
    )


def _video(tmp_path, kind: str = "webm") -> SimpleUploadedFile:
    """A real one-second video made by ffmpeg."""
    out = tmp_path / f"statement.{kind}"
    codec = ["-c:v", "libvpx", "-b:v", "100k"] if kind == "webm" else ["-pix_fmt", "yuv420p"]
    source = ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-t", "1"]
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", *source, *codec, str(out)], check=True)
    return SimpleUploadedFile(out.name, out.read_bytes(), f"video/{kind}")


def _as(client, user, method, url, data=None, **kw):
    client.force_login(user)
    return getattr(client, method)(url, data or {}, content_type="application/json", **kw)


def _procedure(client, judge_chen, case, procedure="summary", **extra):
    """The case's judge decides its procedure on the case (cases API)."""
    body = {"procedure": procedure, **extra}
    return _as(client, judge_chen, "post", f"{API}/cases/{case.pk}/procedure", body)


def _conditions(client, judge_chen, session, **overrides):
    body = {
        "simultaneous_hard": True,
        "facts_undisputed": True,
        "basis": "被告在外地务工，双方无法同时在线；证据交换中对借条真实性无异议",
        **overrides,
    }
    return _as(client, judge_chen, "post", f"{API}/sessions/{session.pk}/async/conditions", body)


def test_every_condition_is_needed_before_deadlines_and_posts(
    client, async_session, exchanged, judge_chen, plaintiff_zhang, defendant_wang, zhang, wang
):
    url = f"{API}/sessions/{async_session.pk}/async"
    due = (timezone.now() + timezone.timedelta(days=3)).isoformat()
    # Nothing recorded: deadlines and posts are refused, naming what is missing.
    early = _as(
        client, judge_chen, "post", f"{url}/deadlines", {"stage": "investigation", "due_at": due}
    )
    assert early.status_code == 409
    missing = early.json()["error"]["fields"]
    assert {"procedure", "simultaneous_hard", "application", "facts_undisputed"} <= set(missing)

    # (2) one party applies in writing …
    no_reason = _as(client, plaintiff_zhang, "post", f"{url}/application", {"reason": "  "})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["error"]["fields"]
    applied = _as(
        client,
        plaintiff_zhang,
        "post",
        f"{url}/application",
        {"reason": "被告长期在新疆务工，无法同时在线"},
    )
    assert applied.status_code == 200, applied.content
    state = applied.json()
    assert state["application"]["party"] == "张三"
    assert "consent" in state["missing"] and "王五" in state["missing"]["consent"]
    # … and all agree: 王五 first declines, then agrees (the latest counts).
    assert (
        "consent"
        in _as(client, defendant_wang, "post", f"{url}/consent", {"agree": False}).json()["missing"]
    )
    assert (
        "consent"
        not in _as(client, defendant_wang, "post", f"{url}/consent", {"agree": True}).json()[
            "missing"
        ]
    )

    # (1) and (3), by the presiding judge: not before the case is under summary procedure.
    assert _conditions(client, plaintiff_zhang, async_session).status_code == 403
    undecided = _conditions(client, judge_chen, async_session)
    assert undecided.status_code == 400
    assert "尚未确定" in undecided.json()["error"]["fields"]["procedure"]
    # A party may not decide the procedure; the judge does, on the case.
    assert _procedure(client, plaintiff_zhang, async_session.case).status_code == 403
    assert _procedure(client, judge_chen, async_session.case).status_code == 200
    no_basis = _conditions(client, judge_chen, async_session, basis="")
    assert no_basis.status_code == 400 and "basis" in no_basis.json()["error"]["fields"]
    made = _conditions(client, judge_chen, async_session)
    assert made.status_code == 200, made.content
    assert made.json()["ready"] is True and made.json()["missing"] == {}

    codes = list(
        Entry.objects.filter(case_id=async_session.case_id, code__gte=12103, code__lte=12105)
        .order_by("pk")
        .values_list("code", flat=True)
    )
    assert codes == [
        LedgerEvent.ASYNC_APPLIED,
        LedgerEvent.ASYNC_CONSENTED,
        LedgerEvent.ASYNC_CONSENTED,
        LedgerEvent.ASYNC_CONDITIONS,
    ]

    # A later finding that the facts are disputed stops it again.
    _conditions(client, judge_chen, async_session, facts_undisputed=False)
    again = _as(
        client, judge_chen, "post", f"{url}/deadlines", {"stage": "investigation", "due_at": due}
    )
    assert again.status_code == 409 and "facts_undisputed" in again.json()["error"]["fields"]
    assert not AsyncStageDeadline.objects.exists()


def test_undisputed_facts_need_an_online_evidence_exchange_first(client, async_session, judge_chen):
    assert _procedure(client, judge_chen, async_session.case).status_code == 200
    refused = _conditions(client, judge_chen, async_session)
    assert refused.status_code == 400
    assert "facts_undisputed" in refused.json()["error"]["fields"]
    assert not Entry.objects.filter(code=LedgerEvent.ASYNC_CONDITIONS).exists()


def test_only_small_claims_or_summary_procedure_cases(
    client, async_session, exchanged, judge_chen, case
):
    from microcourt.cases.models import CaseType

    # Small claims need a money claim (the case names no amount): the case keeps no procedure.
    no_amount = _procedure(client, judge_chen, case, "small_claims", no_exclusion=True)
    assert no_amount.status_code == 400 and "procedure" in no_amount.json()["error"]["fields"]
    # Under ordinary procedure there is no asynchronous trial.
    assert _procedure(client, judge_chen, case, "ordinary").status_code == 200
    ordinary = _conditions(client, judge_chen, async_session)
    assert ordinary.status_code == 400
    assert "普通程序" in ordinary.json()["error"]["fields"]["procedure"]
    # Summary procedure, then the case turns out to be an appeal (民终, corrected on the record):
    # the case's fit is read again, and an appeal is never summary procedure.
    agreed = {"parties_agree": True, "reason": "双方当事人书面约定适用简易程序"}
    assert _procedure(client, judge_chen, case, "summary", **agreed).status_code == 200
    appeal, _ = CaseType.objects.get_or_create(code="民终", defaults={"name": "民事二审"})
    type(case).objects.filter(pk=case.pk).update(case_type=appeal)
    async_session.case.refresh_from_db()
    refused = _conditions(client, judge_chen, async_session)
    assert refused.status_code == 400 and "procedure" in refused.json()["error"]["fields"]
    assert not Entry.objects.filter(code=LedgerEvent.ASYNC_CONDITIONS).exists()


def test_a_live_session_is_not_an_async_trial(
    client, case, judge, judge_chen, plaintiff_zhang, zhang
):
    live = schedule(case, judge)
    refused = _as(
        client,
        plaintiff_zhang,
        "post",
        f"{API}/sessions/{live.pk}/async/application",
        {"reason": "想异步"},
    )
    assert refused.status_code == 409 and "procedure" in refused.json()["error"]["fields"]


@pytest.fixture
def ready(
    client, async_session, exchanged, judge_chen, plaintiff_zhang, defendant_wang, zhang, wang
):
    from microcourt.hearings.actions import async_trial

    async_trial.async_apply(session=async_session, actor=zhang, reason="被告在外地，无法同时在线")
    async_trial.async_consent(session=async_session, actor=wang, agree=True)
    assert _procedure(client, judge_chen, async_session.case).status_code == 200
    assert _conditions(client, judge_chen, async_session).json()["ready"]
    return async_session


def test_parties_post_text_and_video_within_the_deadline_and_everyone_sees_them(
    client, ready, judge_chen, plaintiff_zhang, defendant_wang, outsider, tmp_path, settings
):
    url = f"{API}/sessions/{ready.pk}/async"
    due = timezone.now() + timezone.timedelta(days=3)
    set_ = _as(
        client,
        judge_chen,
        "post",
        f"{url}/deadlines",
        {"stage": "investigation", "due_at": due.isoformat()},
    )
    assert set_.status_code == 200, set_.content
    # Stages keep their order: debate may not be due before the investigation.
    early = _as(
        client,
        judge_chen,
        "post",
        f"{url}/deadlines",
        {"stage": "debate", "due_at": (due - timezone.timedelta(days=1)).isoformat()},
    )
    assert early.status_code == 400 and "due_at" in early.json()["error"]["fields"]
    # Only the presiding judge sets deadlines.
    assert (
        _as(
            client,
            plaintiff_zhang,
            "post",
            f"{url}/deadlines",
            {"stage": "debate", "due_at": due.isoformat()},
        ).status_code
        == 403
    )

    client.force_login(plaintiff_zhang)
    text = client.post(
        f"{url}/posts",
        {"stage": "investigation", "text": "被告于2024年3月向我借款5万元，至今未还。"},
    )
    assert text.status_code == 201, text.content
    client.force_login(defendant_wang)
    video = client.post(f"{url}/posts", {"stage": "investigation", "video": _video(tmp_path)})
    assert video.status_code == 201, video.content
    stored = AsyncStagePost.objects.get(pk=video.json()["id"])
    assert default_storage.exists(stored.video) and stored.video.endswith(".webm")
    assert Entry.objects.get(
        code=LedgerEvent.ASYNC_POSTED, details__post=stored.pk
    ).subject_digest == (f"sha256:{stored.video_sha256}")
    # A stage without a deadline, an empty post, a fake video: refused, naming the field.
    assert (
        "stage"
        in client.post(f"{url}/posts", {"stage": "debate", "text": "x"}).json()["error"]["fields"]
    )
    assert (
        "text" in client.post(f"{url}/posts", {"stage": "investigation"}).json()["error"]["fields"]
    )
    fake = SimpleUploadedFile("statement.mp4", b"this is not a video at all" * 50, "video/mp4")
    refused = client.post(f"{url}/posts", {"stage": "investigation", "video": fake})
    assert refused.status_code == 400 and "video" in refused.json()["error"]["fields"]
    assert AsyncStagePost.objects.count() == 2

    # Everyone in the case sees both posts, and can play the video.
    for user in (plaintiff_zhang, defendant_wang, judge_chen):
        client.force_login(user)
        posts = client.get(url).json()["posts"]
        assert [(p["seat"], bool(p["text"]), bool(p["video_url"])) for p in posts] == [
            ("原告 张三", True, False),
            ("被告 王五", False, True),
        ]
        played = client.get(posts[1]["video_url"])
        assert played.status_code == 200 and played["Content-Type"] == "video/webm"
        page = client.get(f"/hearings/{ready.pk}/async/")
        assert page.status_code == 200 and "被告于2024年3月向我借款" in page.content.decode()
    # An outsider finds nothing: not the state, the page, the video, or a way to post.
    client.force_login(outsider.user)
    assert client.get(url).status_code == 404
    assert client.get(f"/hearings/{ready.pk}/async/").status_code == 404
    assert client.get(posts[1]["video_url"]).status_code == 404
    assert (
        client.post(f"{url}/posts", {"stage": "investigation", "text": "路人"}).status_code == 404
    )
    assert AsyncStagePost.objects.count() == 2


def test_a_late_post_is_refused_and_nothing_is_stored(client, ready, judge_chen, plaintiff_zhang):
    url = f"{API}/sessions/{ready.pk}/async"
    due = timezone.now() + timezone.timedelta(seconds=2)
    assert (
        _as(
            client,
            judge_chen,
            "post",
            f"{url}/deadlines",
            {"stage": "final_statement", "due_at": due.isoformat()},
        ).status_code
        == 200
    )
    time.sleep(max(0.0, (due - timezone.now()).total_seconds()) + 0.3)
    client.force_login(plaintiff_zhang)
    late = client.post(f"{url}/posts", {"stage": "final_statement", "text": "我的最后陈述"})
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "late" and "stage" in late.json()["error"]["fields"]
    assert not AsyncStagePost.objects.exists()
    assert not Entry.objects.filter(code=LedgerEvent.ASYNC_POSTED).exists()
