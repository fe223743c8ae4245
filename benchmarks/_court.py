"""What the hearing benchmarks (hearing_latency, transcript_delay) share: the machine line,
our Janus on loopback ports and the environment that points ``microcourt serve`` at it, and
the case set-up — people, case, bearer tokens, a session scheduled then moved to now,
parties admitted, a browser log-in — through the actions and the API as users would.

The Django pieces import inside the functions: ``django.setup()`` runs only once the live
server's environment is known (``benchmarks.*`` modules are imported before it)."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import secrets
import shutil
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live_server import free_port  # noqa: E402

# Roles that are court staff (a StaffFactory user with a TOTP device), not parties.
STAFF_ROLES = ("judge", "clerk", "judge_assistant")


# -- the machine ---------------------------------------------------------------------------


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def machine() -> str:
    return (
        f"machine: {platform.node()}, nproc {os.cpu_count()}, {cpu_model()}, "
        f"Python {platform.python_version()}"
    )


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def utc_now(fmt: str = "%Y-%m-%d %H:%M:%S UTC") -> str:
    return time.strftime(fmt, time.gmtime())


def ended() -> str:
    """The closing line's start: the time and the load the run ends with."""
    return f"end {utc_now('%H:%M:%S UTC')}, load average {load_average()}"


# -- our Janus -----------------------------------------------------------------------------


def media_address() -> str:
    """The local media interface's address (docs/janus.md; made if missing, needs root)."""
    from microcourt.hearings.janus.network import ensure_media_interface

    address = os.environ.get("MICROCOURT_JANUS_MEDIA_ADDRESS", "127.0.0.12")
    ensure_media_interface(address, os.environ.get("MICROCOURT_JANUS_MEDIA_INTERFACE", "mc0"))
    return address


def start_janus(root: Path, address: str, *, rtp_base: int, rtp_blocks: int) -> tuple[Any, Any]:
    """Janus from microcourt's generated configuration in ``root``, on free loopback ports
    and 100 RTP ports from ``rtp_base`` + a random block below ``rtp_blocks`` (two runs side
    by side do not collide); returns (layout, started JanusProcess)."""
    from microcourt.hearings.janus.config import JanusLayout, load_secrets
    from microcourt.hearings.janus.process import JanusProcess

    start = rtp_base + secrets.randbelow(rtp_blocks) * 100
    layout = JanusLayout(
        root=root,
        rec_dir=root / "recordings",
        http_port=free_port(),
        http_path="/janus",
        admin_port=free_port(),
        admin_path="/admin",
        ws_port=free_port(),
        rtp_ports=f"{start}-{start + 99}",
        ice_enforce=address,
    )
    janus = JanusProcess(layout, load_secrets(root), binary=shutil.which("janus") or "janus")
    janus.start()
    return layout, janus


def janus_env(layout: Any, janus: Any, address: str) -> dict[str, str]:
    """The environment that points ``microcourt serve`` at that Janus (it does not manage
    it)."""
    return {
        "MICROCOURT_JANUS_MANAGED": "false",
        "MICROCOURT_JANUS_DIR": str(layout.root),
        "MICROCOURT_JANUS_REC_DIR": str(layout.rec_dir),
        "MICROCOURT_JANUS_API_URL": janus.api_url,
        "MICROCOURT_JANUS_ADMIN_URL": janus.admin_url,
        "MICROCOURT_JANUS_WS_PORT": str(layout.ws_port),
        "MICROCOURT_JANUS_URL": janus.ws_url,
        "MICROCOURT_JANUS_MEDIA_ADDRESS": address,
        "MICROCOURT_LOG_LEVEL": "WARNING",
    }


# -- the API -------------------------------------------------------------------------------


def api(base: str, path: str, bearer: str, body: dict | None = None) -> dict:
    """``POST base+path`` with the bearer token; the JSON answer."""
    request = urllib.request.Request(  # noqa: S310 - our own server on loopback
        base + path,
        data=json.dumps(body or {}).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
        return json.load(response)


# -- the case ------------------------------------------------------------------------------


def resident_id(n: int) -> str:
    """A valid 18-digit ID number, different for each ``n`` (one account per ID)."""
    body = f"330203{1960 + n % 40:04d}0{n % 9 + 1}1{n % 10}{100 + 17 * (n % 50):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def person(court: Any, username: str, name: str, role: str) -> Any:
    """A user: court staff (with a TOTP device, as staff must have) or a party."""
    from allauth.mfa.models import Authenticator

    from microcourt.courts.tests.factories import StaffFactory
    from microcourt.identity.tests.factories import UserFactory

    if role in STAFF_ROLES:
        user = StaffFactory(
            court=court, role=role, user__username=username, user__display_name=name
        ).user
        Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP, data={})
        return user
    return UserFactory(username=username, display_name=name)


def accepted_case(court: Any, *, serial: int, title: str, filed_by: Any) -> Any:
    """A 民初 case of 2026, already accepted (filing is not what is measured)."""
    from django.utils import timezone

    from microcourt.cases.models import Case, CaseType

    return Case.objects.create(
        court=court,
        case_type=CaseType.objects.get(code="民初"),
        year=2026,
        serial=serial,
        number=f"(2026)浙0203民初{serial}号",
        title=title,
        cause="民间借贷纠纷",
        status="accepted",
        filed_by=filed_by,
        filed_at=timezone.now(),
        accepted_at=timezone.now(),
    )


def bearer_token(user: Any, name: str) -> str:
    """A bearer token made directly (staff would need a TOTP code for POST /auth/token)."""
    from django.utils import timezone

    from microcourt.identity.models import ApiToken

    key = "mc_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        prefix=key[3:11],
        key_hash=ApiToken.hash_key(key),
        name=name,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    return key


def session_now(case: Any, judge: Any) -> Any:
    """A 开庭 scheduled on the first working day at least four days ahead (the notice
    period), then moved to now, as if those days had passed."""
    from django.utils import timezone

    from microcourt.core.errors import InvalidInput
    from microcourt.hearings.actions import scheduling
    from microcourt.hearings.models import Session

    for days in range(4, 15):
        day = timezone.localtime() + dt.timedelta(days=days)
        try:
            session = scheduling.session_schedule(
                case=case,
                actor=judge,
                kind="hearing",
                starts_at=day.replace(hour=9, minute=30, second=0, microsecond=0),
                duration_minutes=120,
            )
            break
        except InvalidInput:
            continue
    else:
        raise RuntimeError("no day in the next two weeks could be scheduled")
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now())
    return session


def admit(base: str, session_id: int, user: Any, bearer: str, clerk_bearer: str) -> None:
    """The party acknowledges the rules and waits; the clerk admits them."""
    from microcourt.hearings.models import Seat

    api(base, f"/api/v1/sessions/{session_id}/rules", bearer)
    api(base, f"/api/v1/sessions/{session_id}/wait", bearer)
    seat = Seat.objects.get(session_id=session_id, user=user)
    api(base, f"/api/v1/sessions/{session_id}/seats/{seat.pk}/admit", clerk_bearer)


def login_cookie(user: Any) -> str:
    """A browser log-in made directly (staff log-in asks for a TOTP code): the value of the
    ``sessionid`` cookie."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "microcourt.identity.backends.UsernameOrPhoneBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return str(store.session_key)
