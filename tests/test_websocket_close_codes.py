"""Refused websockets reach a browser with their close code, on the real server (uvicorn).

An outsider opening the demo case's space socket must get close code 4404, a socket whose
session expired 4401 — not an HTTP 403 at the handshake, which is what uvicorn answers
when a consumer closes before accepting: the browser then sees only code 1006, cannot
tell it from a dropped network and reconnects for ever. Channels' test communicator hides
the difference (it reports the close code either way), so this talks to the live server
the end-to-end tests start, with the ``websockets`` client a browser's socket behaves like.
"""

from __future__ import annotations

import json

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests.live_server import live_server

# The first test pays for migrate, the demo data and the server start on a shared machine.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

# Run in the server's own process environment (``microcourt shell``): sessions made as
# django's login() makes them, one of them expired as an idle session expires.
SETUP = r"""
import datetime as dt, json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from microcourt.cases.models import CaseParticipant

User = get_user_model()

def session(user, expired=False):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "microcourt.identity.backends.UsernameOrPhoneBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    if expired:
        Session.objects.filter(session_key=store.session_key).update(
            expire_date=timezone.now() - dt.timedelta(minutes=1)
        )
    return store.session_key

member = User.objects.get(username="demo_citizen")
cases = CaseParticipant.objects.filter(user=member, active=True)
case_id = cases.values_list("case_id", flat=True).first()
outsider, _ = User.objects.get_or_create(username="ws_outsider", defaults={"display_name": "路"})
from microcourt.hearings.actions.room import seats_sync
from microcourt.hearings.models import Session as Hearing
hearing = Hearing.objects.filter(case_id=case_id).first()
if hearing is None:
    hearing = Hearing.objects.create(case_id=case_id, kind="hearing", starts_at=timezone.now())
    seats_sync(session=hearing)
print(json.dumps({
    "case": case_id,
    "hearing": hearing.pk,
    "member": session(member),
    "outsider": session(outsider),
    "expired": session(member, expired=True),
}))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("ws-codes"), ready="/healthz", demo=True) as live:
        done = live.run("shell", "-c", SETUP)
        assert done.returncode == 0, done.stderr
        yield live, json.loads(done.stdout.strip().splitlines()[-1])


def close_code(base: str, path: str, session_key: str | None) -> int:
    """Open the socket as a browser on that page would (same origin, its session cookie)
    and return the close code it ends with. An HTTP refusal of the handshake fails."""
    headers = {"Cookie": f"sessionid={session_key}"} if session_key else {}
    url = base.replace("http://", "ws://") + path
    try:
        with connect(url, origin=base, additional_headers=headers, open_timeout=10) as ws:
            try:
                while True:  # whatever the socket sends first, it must then be closed
                    ws.recv(timeout=10)
            except ConnectionClosed as closed:
                assert closed.rcvd is not None, "closed without a close frame"
                return closed.rcvd.code
    except InvalidStatus as refused:  # pragma: no cover - the bug this test guards against
        pytest.fail(f"handshake refused with HTTP {refused.response.status_code}, no close code")


def test_refused_sockets_close_with_4404_and_4401_not_http_403(server):
    live, made = server
    space = f"/ws/cases/{made['case']}/space/"
    assert made["case"], "the demo has a case with demo_citizen on it"
    # Not in the case: 4404, as its page would answer 404; no case at all: the same.
    assert close_code(live.base, space, made["outsider"]) == 4404
    assert close_code(live.base, "/ws/cases/99999999/space/", made["member"]) == 4404
    # The session expired (or there is none): 4401, for the space and for notifications.
    assert close_code(live.base, space, made["expired"]) == 4401
    assert close_code(live.base, space, None) == 4401
    assert close_code(live.base, "/ws/notifications/", made["expired"]) == 4401
    # The courtroom socket of the case's hearing: the same answers.
    hearing = f"/ws/hearings/{made['hearing']}/"
    assert close_code(live.base, hearing, made["outsider"]) == 4404
    assert close_code(live.base, "/ws/hearings/99999999/", made["member"]) == 4404
    assert close_code(live.base, hearing, made["expired"]) == 4401


def test_a_member_with_a_live_session_stays_connected(server):
    """The control: the same socket, for a member of the case, is accepted and stays open."""
    live, made = server
    url = live.base.replace("http://", "ws://") + f"/ws/cases/{made['case']}/space/"
    headers = {"Cookie": f"sessionid={made['member']}"}
    with connect(url, origin=live.base, additional_headers=headers, open_timeout=10) as ws:
        ws.send(json.dumps({"type": "ping"}))
        while (answer := json.loads(ws.recv(timeout=10)))["type"] != "pong":
            assert answer["type"] == "message"  # the backlog of the demo's messages
    url = live.base.replace("http://", "ws://") + f"/ws/hearings/{made['hearing']}/"
    with connect(url, origin=live.base, additional_headers=headers, open_timeout=10) as ws:
        state = json.loads(ws.recv(timeout=10))  # a party of the case, seated: the room
        assert state["event"] == "state" and state["my_seat_id"]
        ws.send(json.dumps({"action": "ping"}))
        while (answer := json.loads(ws.recv(timeout=10)))["event"] != "pong":
            pass
