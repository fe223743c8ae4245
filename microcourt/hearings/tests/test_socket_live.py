"""The courtroom socket on the real server (``microcourt serve``: uvicorn, the project's ASGI
stack, sessions from the cookie) with the ``websockets`` client a browser's socket behaves
like: the judge mutes a party and her socket is told; a party's control is refused; an
outsider is closed with 4404 (not an HTTP 403 at the handshake); an exhibit a party may not
see is refused; a witness not called hears nothing of the room; a hang-up is a leave and a
socket that dies without a close frame is a drop, then a rejoin when it comes back."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests.live_server import live_server

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

# Run in the server's own environment (``microcourt shell``): 海曙's court, 陈法官 presiding,
# 张三 v. 王五 with a hearing open now, 钱证人 waiting outside, 张三's 借条 (3 pages) and a
# court-only bank statement, and a log-in session for each person (as django's login makes).
SETUP = r"""
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.base import ContentFile
from django.utils import timezone
from weasyprint import HTML
from allauth.mfa.models import Authenticator
from microcourt.cases.models import Case, CaseParticipant, CaseType
from microcourt.core.actor import Actor
from microcourt.courts.tests.factories import CourtFactory, StaffFactory
from microcourt.evidence.actions import exhibits as evidence
from microcourt.evidence.models import Exhibit
from microcourt.hearings.actions import room
from microcourt.hearings.models import Seat, Session
from microcourt.identity.tests.factories import UserFactory

court = CourtFactory.haishu()
judge = StaffFactory(court=court, role="judge", user__username="judge_chen",
                     user__display_name="陈法官").user
Authenticator.objects.get_or_create(user=judge, type=Authenticator.Type.TOTP, data={})
zhang = UserFactory(username="plaintiff_zhang", display_name="张三", phone="13811112222")
wang = UserFactory(username="defendant_wang", display_name="王五", phone="13933334444")
qian = UserFactory(username="witness_qian", display_name="钱证人", phone="13500003333")
sun = UserFactory(username="outsider_sun", display_name="孙路人", phone="13600002222")
now = timezone.now()
case = Case.objects.create(
    court=court, case_type=CaseType.objects.get(code="民初"), year=2025, serial=101,
    number="(2025)浙0203民初101号", title="张三诉王五民间借贷纠纷", cause="民间借贷纠纷",
    status="accepted", filed_by=zhang, filed_at=now, accepted_at=now,
)
for user, name, role in ((zhang, "张三", "plaintiff"), (wang, "王五", "defendant"),
                         (judge, "陈法官", "judge")):
    CaseParticipant.objects.create(case=case, user=user, display_name=name, role=role)
session = Session.objects.create(case=case, kind="hearing", starts_at=now, status="open",
                                 opened_at=now, scheduled_by=judge)
room.seats_sync(session=session)
session.seats.exclude(role="presiding_judge").update(status="admitted")
witness = Seat.objects.create(session=session, case=case, user=qian, role="witness",
                              name="钱证人", status="waiting")

def pdf(text, pages=1):
    body = "".join(f'<p style="page-break-after: always">{text} {n}</p>' for n in range(pages))
    made = ContentFile(HTML(string=body).write_pdf())
    made.name = f"{text}.pdf"
    return made

iou = evidence.exhibit_submit(case=case, actor=Actor.citizen(zhang), upload=pdf("借条", 3),
                              name="借条", source="被告书写", purpose="证明借款事实", pages=3)
statement = evidence.exhibit_submit(case=case, actor=Actor.citizen(zhang), upload=pdf("流水"),
                                    name="银行流水", source="银行", purpose="证明转账")
Exhibit.objects.filter(pk=statement.pk).update(court_only=True)

def login(user):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "microcourt.identity.backends.UsernameOrPhoneBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store.session_key

seats = {s.role: s.pk for s in session.seats.all()}
print(json.dumps({
    "session": session.pk, "seats": seats, "iou": iou.number, "statement": statement.number,
    "cookies": {u.username: login(u) for u in (judge, zhang, wang, qian, sun)},
}))
"""

# Read back in the server's environment: the attendance lines of one seat.
LINES = r"""
import json
from microcourt.hearings.models import AttendanceEvent
from microcourt.ledger.models import Entry
seat = {seat}
lines = [[e.kind, e.cause]
         for e in AttendanceEvent.objects.filter(seat_id=seat).order_by("at", "pk")]
ledger = [[e.details["kind"], e.details["cause"]] for e in Entry.objects.filter(code=12013)
          .order_by("pk") if e.details.get("seat") == seat]
print(json.dumps({{"lines": lines, "ledger": ledger}}))
"""


@pytest.fixture(scope="module")
def court(tmp_path_factory):
    # No media server here: the room's status is set directly; Janus is tested with bots in
    # test_control_janus.py.
    with live_server(
        tmp_path_factory.mktemp("hearing-socket"),
        ready="/accounts/login/",
        worker=False,
        MICROCOURT_JANUS_MANAGED="false",
    ) as live:
        made = live.run("shell", "-c", SETUP)
        assert made.returncode == 0, made.stderr
        yield live, json.loads(made.stdout.strip().splitlines()[-1])


class Client:
    """One person's courtroom socket, as the page opens it (same origin, session cookie)."""

    def __init__(self, live, made, username: str):
        url = live.base.replace("http://", "ws://") + f"/ws/hearings/{made['session']}/"
        headers = {"Cookie": f"sessionid={made['cookies'][username]}"}
        try:
            self.ws = connect(
                url, origin=live.base, additional_headers=headers, open_timeout=10
            ).__enter__()  # closed by close() or cut()
        except InvalidStatus as refused:  # pragma: no cover - the bug this guards against
            pytest.fail(f"handshake refused with HTTP {refused.response.status_code}")

    def send(self, **message) -> None:
        self.ws.send(json.dumps(message))

    def next(self, event: str, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            got = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if got["event"] == event:
                return got

    def quiet(self, seconds: float = 1.0) -> list[dict]:
        """Everything that arrives within ``seconds`` (for 'nothing reaches her')."""
        got, deadline = [], time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                got.append(json.loads(self.ws.recv(timeout=left)))
            except TimeoutError:
                break
        return got

    def close(self, code: int = 1000) -> None:
        self.ws.close(code=code)


# A page whose process dies (the phone loses its network, the browser is killed): its socket
# ends without a close frame. Run apart so that the kernel, not a client library, ends it.
DOOMED = r"""
import json, sys, time
from websockets.sync.client import connect
url, origin, cookie = sys.argv[1:4]
with connect(url, origin=origin, additional_headers={"Cookie": cookie}, open_timeout=10) as ws:
    event = ""
    while event != "state":
        event = json.loads(ws.recv(timeout=10))["event"]
    print("in", flush=True)
    time.sleep(600)
"""


def doomed_page(live, made, username: str) -> subprocess.Popen:
    url = live.base.replace("http://", "ws://") + f"/ws/hearings/{made['session']}/"
    cookie = f"sessionid={made['cookies'][username]}"
    page = subprocess.Popen(
        [sys.executable, "-c", DOOMED, url, live.base, cookie],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert page.stdout.readline().strip() == "in"
    return page


def lines_of(live, seat: int) -> dict:
    done = live.run("shell", "-c", LINES.format(seat=seat))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def wait_lines(live, seat: int, count: int, timeout: float = 15) -> dict:
    deadline = time.monotonic() + timeout
    while len((got := lines_of(live, seat))["lines"]) < count and time.monotonic() < deadline:
        time.sleep(0.3)
    return got


def test_the_judge_mutes_a_party_and_her_socket_is_told(court):
    live, made = court
    zhang_seat = made["seats"]["plaintiff"]
    judge, party = Client(live, made, "judge_chen"), Client(live, made, "plaintiff_zhang")
    state = party.next("state")
    assert state["in_room"] and state["my_seat_id"] == zhang_seat
    assert "attendance" in judge.next("state")  # the log is the court's
    judge.send(action="control", op="mute", seat=zhang_seat, ref=1)
    assert judge.next("ok")["ref"] == 1
    assert judge.next("muted")["seats"] == [zhang_seat]  # everyone is told, the judge too
    muted = party.next("muted")
    assert muted["seats"] == [zhang_seat] and muted["muted"] is True
    assert muted["version"] > state["version"]
    # A party trying the same on the other side is refused, and nothing changes.
    party.send(action="control", op="mute", seat=made["seats"]["defendant"], ref=2)
    error = party.next("error")
    assert error["code"] == "forbidden" and error["ref"] == 2 and error["message"]
    assert all(m["event"] != "muted" for m in judge.quiet(0.8))
    party.send(action="resync")
    seats = {s["id"]: s["muted"] for s in party.next("state")["seats"]}
    assert seats[zhang_seat] is True and seats[made["seats"]["defendant"]] is False
    judge.send(action="control", op="unmute", seat=zhang_seat)
    assert party.next("muted")["muted"] is False
    judge.close()
    party.close()


def test_an_outsider_is_closed_with_4404(court):
    live, made = court
    url = live.base.replace("http://", "ws://") + f"/ws/hearings/{made['session']}/"
    for cookie, path in (
        (made["cookies"]["outsider_sun"], url),
        (made["cookies"]["plaintiff_zhang"], url.replace(f"/{made['session']}/", "/99999999/")),
    ):
        headers = {"Cookie": f"sessionid={cookie}"}
        with connect(path, origin=live.base, additional_headers=headers, open_timeout=10) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                while True:  # nothing of the room first: closed straight away
                    assert json.loads(ws.recv(timeout=10))["event"] != "state"
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4404


def test_an_exhibit_a_party_may_not_see_is_refused_the_other_shown(court):
    live, made = court
    judge, party = Client(live, made, "judge_chen"), Client(live, made, "defendant_wang")
    party.next("state")
    judge.send(action="control", op="exhibit", exhibit=made["statement"], ref="a")
    error = judge.next("error")
    assert error["field"] == "exhibit" and error["ref"] == "a"
    assert all(m["event"] != "exhibit" for m in party.quiet(0.8))
    judge.send(action="control", op="exhibit", exhibit=made["iou"], page=2)
    shown = party.next("exhibit")["exhibit"]
    assert (shown["name"], shown["page"], shown["pages"]) == ("借条", 2, 3)
    judge.send(action="control", op="page", page=3)
    assert party.next("exhibit")["exhibit"]["page"] == 3
    judge.send(action="control", op="exhibit_clear")
    assert party.next("exhibit")["exhibit"] is None
    judge.close()
    party.close()


def test_a_witness_not_called_hears_nothing_of_the_room_until_called(court):
    live, made = court
    witness_seat = made["seats"]["witness"]
    judge, witness = Client(live, made, "judge_chen"), Client(live, made, "witness_qian")
    state = witness.next("state")
    assert state["in_room"] is False and state["waiting"] is True
    assert not {"seats", "feeds", "exhibit", "exhibit_id"} & set(state)
    judge.next("state")
    judge.send(action="control", op="exhibit", exhibit=made["iou"])
    judge.send(action="control", op="stage", stage="evidence")
    judge.send(action="control", op="mute", seat=made["seats"]["defendant"])
    for _ in range(3):
        judge.next("ok")
    assert witness.quiet(1.0) == []
    judge.send(action="control", op="call", seat=witness_seat)
    assert witness.next("called")["seat"] == witness_seat
    inside = witness.next("state")
    assert inside["in_room"] is True and inside["exhibit"]["name"] == "借条"
    judge.send(action="control", op="excuse", seat=witness_seat)
    witness.next("excused")
    assert witness.next("state")["in_room"] is False
    judge.send(action="control", op="exhibit_clear")
    judge.next("ok")
    assert all(m["event"] not in ("exhibit", "stage", "muted") for m in witness.quiet(0.8))
    judge.close()
    witness.close()


def test_a_hang_up_is_a_leave_a_dead_socket_a_drop_and_coming_back_a_rejoin(court):
    live, made = court
    wang_seat = made["seats"]["defendant"]
    judge = Client(live, made, "judge_chen")
    judge.next("state")
    before = len(lines_of(live, wang_seat)["lines"])  # earlier tests' entries of 王五

    def line():  # on a shared, busy machine the server may take a while
        got = judge.next("attendance", timeout=30)
        while got["seat"] != wang_seat:  # another seat's line: skip it
            got = judge.next("attendance", timeout=30)
        return got["kind"], got["cause"]

    party = Client(live, made, "defendant_wang")
    party.next("state")
    assert line()[0] in ("joined", "rejoined")
    # 退出: the page says so, then closes the socket cleanly.
    party.send(action="report", report="hangup")
    party.next("ok")
    party.close(1000)
    assert line() == ("left", "hangup")
    # Back; then the page dies and its socket ends without a close frame.
    page = doomed_page(live, made, "defendant_wang")
    assert line() == ("rejoined", "hangup")
    page.kill()
    page.wait(timeout=10)
    assert line() == ("dropped", "socket_lost")
    # Back within the grace window: a rejoin, and the drop counts as a network failure.
    party = Client(live, made, "defendant_wang")
    party.next("state")
    assert line() == ("rejoined", "socket_lost")
    judge.send(action="resync")
    mine = [a for a in judge.next("state")["attendance"] if a["seat"] == wang_seat]
    assert [(a["kind"], a["cause"]) for a in mine] == [("rejoined", "socket_lost")]
    got = wait_lines(live, wang_seat, before + 5)
    assert got["lines"][before][0] in ("joined", "rejoined")
    assert got["lines"][before + 1 :] == [
        ["left", "hangup"],
        ["rejoined", "hangup"],
        ["dropped", "socket_lost"],
        ["rejoined", "socket_lost"],
    ]
    assert got["ledger"] == got["lines"]  # each line is a ledger entry
    party.close()
    judge.close()
