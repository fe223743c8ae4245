"""The pages of public hearings: the case's 公开审理与直播 page (the court's ground, a party's
request, the judge's decision and switch, refused with the reason on the page), replays of
finished public hearings on /live/, and the way to /live/ from the home page."""

from __future__ import annotations

import subprocess

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from microcourt.hearings.models import CasePublicity, Recording, Session
from microcourt.ledger.models import Entry

from .test_public_switch import schedule

pytestmark = pytest.mark.django_db


def test_the_publicity_page_from_ground_to_refused_switch(
    client, case, judge, judge_chen, plaintiff_zhang, zhang, outsider
):
    session = schedule(case, judge)
    url = f"/hearings/cases/{case.pk}/publicity/"
    client.force_login(plaintiff_zhang)
    page = client.get(url)
    assert page.status_code == 200 and "申请不公开直播的理由" in page.content.decode()
    assert "开启直播" not in page.content.decode()  # the switch is the judge's
    assert client.post(url, {"op": "request", "reason": "涉及未成年子女"}).status_code == 302

    client.force_login(judge_chen)
    html = client.get(url).content.decode()
    assert "涉及未成年子女" in html and "开启直播" in html
    # The court records a ground; the switch is then refused on the page, naming it.
    assert (
        client.post(url, {"op": "ground", "ground": "minor", "note": "原告之子年仅9岁"}).status_code
        == 302
    )
    refused = client.post(url, {"op": "switch", "session": session.pk, "public": "1"})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert (
        "本案依法不得公开直播" in text and 'data-field="public"' in text and "涉及未成年人" in text
    )
    session.refresh_from_db()
    assert session.public is False
    # A ground with no such value is refused, naming the field; nothing changes.
    bad = client.post(url, {"op": "ground", "ground": "celebrity"})
    assert bad.status_code == 400 and 'data-field="ground"' in bad.content.decode()
    assert CasePublicity.objects.get(case=case).ground == "minor"

    before = Entry.objects.count()
    client.force_login(outsider.user)
    assert client.get(url).status_code == 404
    assert client.post(url, {"op": "ground", "ground": ""}).status_code == 404
    assert Entry.objects.count() == before
    assert CasePublicity.objects.get(case=case).ground == "minor"


@pytest.fixture
def replayable(case, judge, tmp_path):
    """A public hearing that sat and closed, its recording ready (a real mp4)."""
    out = tmp_path / "hearing.mp4"
    source = ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-t", "2", "-pix_fmt", "yuv420p"]
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", *source, str(out)], check=True)
    session = schedule(case, judge)
    from microcourt.hearings.actions import publicity

    publicity.session_set_public(session=session, actor=judge, public=True)
    Session.objects.filter(pk=session.pk).update(
        status="closed", opened_at=timezone.now(), closed_at=timezone.now()
    )
    name = default_storage.save(
        f"hearing-recordings/test-{session.pk}.mp4", ContentFile(out.read_bytes())
    )
    Recording.objects.update_or_create(
        session=session, defaults={"status": "ready", "file": name, "duration_seconds": 2.0}
    )
    session.refresh_from_db()
    return session


def test_finished_public_hearings_are_listed_for_replay(client, replayable, case, judge):
    listing = client.get("/live/").content.decode()
    assert f"/live/{replayable.pk}/replay/" in listing
    api = client.get("/api/v1/live/replays").json()
    assert [r["id"] for r in api] == [replayable.pk] and api[0]["case_number"] == case.number
    page = client.get(f"/live/{replayable.pk}/replay/")
    assert (
        page.status_code == 200 and f"/live/{replayable.pk}/replay/video" in page.content.decode()
    )
    video = client.get(f"/live/{replayable.pk}/replay/video", HTTP_RANGE="bytes=0-99")
    assert video.status_code == 206 and video["Content-Type"] == "video/mp4"
    assert len(b"".join(video.streaming_content)) == 100
    # Made protected afterwards: gone from the list, the page and the file.
    from microcourt.hearings.actions import publicity

    publicity.publicity_set(case=case, actor=judge, ground="privacy")
    Session.objects.filter(pk=replayable.pk).update(public=True)  # even with a stale flag
    assert f"/live/{replayable.pk}/replay/" not in client.get("/live/").content.decode()
    assert client.get(f"/live/{replayable.pk}/replay/").status_code == 404
    assert client.get(f"/live/{replayable.pk}/replay/video").status_code == 404


def test_a_private_finished_hearing_has_no_replay(client, replayable):
    Session.objects.filter(pk=replayable.pk).update(public=False)
    assert client.get(f"/live/{replayable.pk}/replay/").status_code == 404
    assert client.get(f"/live/{replayable.pk}/replay/video").status_code == 404
    assert client.get("/api/v1/live/replays").json() == []


def test_the_home_page_leads_to_live_hearings(client):
    html = client.get("/").content.decode()
    assert 'href="/live/"' in html and "司法公开" in html
