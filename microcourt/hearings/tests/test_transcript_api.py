"""庭审笔录 over the API and the pages: the clerk edits a line (every version kept), the edit
is refused once the record was sent (pointing to the correction route), a party reads the
transcript only after the session or live with the judge's leave, an outsider finds
nothing; the reading page shows the record, the signers and the correction form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from microcourt.hearings.actions import transcript
from microcourt.hearings.actions import transcript_record as record_actions
from microcourt.hearings.models import TranscriptLine

from . import test_transcript
from .test_transcript import close_session, say

# The stories' fixtures (the PKI of the test, the hearing with three lines).
_pki, hearing = test_transcript._pki, test_transcript.hearing

pytestmark = pytest.mark.django_db


def lines_url(session):
    return f"/api/v1/sessions/{session.pk}/transcript/lines"


def test_the_clerk_edits_a_line_over_the_api_and_reads_its_versions(
    client, hearing, clerk_zhao, clerk
):
    session, _seats, lines = hearing
    client.force_login(clerk_zhao)
    got = client.get(lines_url(session)).json()
    assert got["may_edit"] and [line["speaker"] for line in got["lines"]] == [
        "审判长 陈法官",
        "原告 张三",
        "被告 王五",
    ]
    url = f"{lines_url(session)}/{lines[1].pk}"
    answer = client.patch(
        url, {"text": "被告借款五万元至今未还。"}, content_type="application/json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["text"] == "被告借款五万元至今未还。"
    assert answer.json()["engine_text"] == "被告借款五万元未还。"
    versions = client.get(f"{url}/versions").json()
    assert [v["text"] for v in versions] == ["被告借款五万元未还。", "被告借款五万元至今未还。"]
    assert versions[1]["by"] == "赵书记员"
    too_long = client.patch(url, {"text": "长" * 20001}, content_type="application/json")
    assert too_long.status_code in (400, 422)

    close_session(session)
    record_actions.transcript_send(session=session, actor=clerk)
    late = client.patch(url, {"text": "再改"}, content_type="application/json")
    assert late.status_code == 409
    assert "补正" in late.json()["error"]["message"]
    record = client.get(f"/api/v1/sessions/{session.pk}/transcript/{session.case_id}").json()
    assert record["status"] == "reading" and len(record["signers"]) == 4


def test_a_party_reads_only_after_the_session_or_live_and_an_outsider_never(
    client, hearing, plaintiff_zhang, judge_chen, judge, outsider
):
    session, _seats, lines = hearing
    client.force_login(outsider.user)
    assert client.get(lines_url(session)).status_code == 404
    client.force_login(plaintiff_zhang)
    assert client.get(lines_url(session)).status_code == 403
    url = f"{lines_url(session)}/{lines[0].pk}"
    assert client.patch(url, {"text": "x"}, content_type="application/json").status_code == 403
    client.force_login(judge_chen)
    live = client.put(
        f"/api/v1/sessions/{session.pk}/transcript/live",
        {"visible": True},
        content_type="application/json",
    )
    assert live.status_code == 200, live.content
    client.force_login(plaintiff_zhang)
    got = client.get(lines_url(session)).json()
    assert len(got["lines"]) == 3 and not got["may_edit"]
    assert "engine_text" not in got["lines"][0] or got["lines"][0]["engine_text"] is None
    page = client.get(reverse("hearing_transcript_live", args=[session.pk]))
    assert page.status_code == 200 and "被告借款五万元未还。" in page.content.decode()
    transcript.transcript_live_set(session=session, actor=judge, visible=False)
    assert client.get(lines_url(session)).status_code == 403
    close_session(session)
    assert client.get(lines_url(session)).status_code == 200
    client.force_login(outsider.user)
    assert (
        client.get(reverse("hearing_transcript", args=[session.pk, session.case_id])).status_code
        == 404
    )


def test_the_reading_page_offers_signing_refusal_and_correction(
    client, hearing, clerk, plaintiff_zhang, zhang
):
    session, _seats, _lines = hearing
    close_session(session)
    record_actions.transcript_send(session=session, actor=clerk)
    client.force_login(plaintiff_zhang)
    url = reverse("hearing_transcript", args=[session.pk, session.case_id])
    page = client.get(url).content.decode()
    assert "确认无误，去签名" in page and "拒绝签名" in page and "申请补正" in page
    pdf = client.get(reverse("hearing_transcript_pdf", args=[session.pk, session.case_id]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    sign = client.post(url, {"op": "sign"})
    assert sign.status_code == 302 and "/sign/" in sign["Location"]
    correct = client.post(url, {"op": "correct", "omission": "1", "text": "我方要求调解。"})
    assert correct.status_code == 302
    assert "我方要求调解。" in client.get(url).content.decode()


def test_the_cursor_gives_only_the_lines_written_or_edited_since_and_keeps_the_scope(
    client, hearing, clerk_zhao, clerk, plaintiff_zhang, judge, outsider
):
    """The pages' catch-up (without Redis the worker's pushes never reach a browser): with
    ``after`` the answer holds only what changed since, a new line and an edited one alike,
    so a page polling every few seconds fetches a handful of lines, not the whole record."""
    session, seats, lines = hearing
    # The three lines were written a minute ago.
    TranscriptLine.objects.filter(session=session).update(
        updated_at=timezone.now() - dt.timedelta(minutes=1)
    )
    client.force_login(outsider.user)
    assert client.get(lines_url(session), {"after": 0}).status_code == 404
    client.force_login(clerk_zhao)
    first = client.get(lines_url(session)).json()
    assert len(first["lines"]) == 3 and first["session_status"] == "open"
    cursor = first["cursor"]
    quiet = client.get(lines_url(session), {"after": cursor}).json()
    assert quiet["lines"] == [] and quiet["cursor"] >= cursor

    new = say(session, seats["defendant"], "借条是我写的。", 20000)
    edited = transcript.transcript_line_edit(
        line_id=lines[1].pk,
        actor=clerk,
        text="被告借款五万元至今未还。",
    )
    got = client.get(lines_url(session), {"after": cursor}).json()
    assert sorted(line["id"] for line in got["lines"]) == sorted([lines[1].pk, new.pk])
    by_id = {line["id"]: line for line in got["lines"]}
    assert by_id[lines[1].pk]["text"] == "被告借款五万元至今未还。"
    assert by_id[lines[1].pk]["edited"] and by_id[lines[1].pk]["updated_at"]
    assert by_id[edited.pk]["updated_at"] > first["lines"][1]["updated_at"]
    # An earlier cursor is the whole record; a malformed one changes nothing and says so.
    assert len(client.get(lines_url(session), {"after": 1}).json()["lines"]) == 4
    for bad in (-1, 2**60, "yesterday"):
        assert client.get(lines_url(session), {"after": bad}).status_code in (400, 422)

    # A party: not while the judge has not allowed it, then only their record's lines.
    client.force_login(plaintiff_zhang)
    assert client.get(lines_url(session), {"after": cursor}).status_code == 403
    transcript.transcript_live_set(session=session, actor=judge, visible=True)
    party = client.get(lines_url(session), {"after": cursor}).json()
    assert sorted(line["id"] for line in party["lines"]) == sorted([lines[1].pk, new.pk])
    assert all(line.get("engine_text") is None for line in party["lines"])
    client.force_login(outsider.user)
    assert client.get(lines_url(session), {"after": cursor}).status_code == 404
