"""A real Janus for the tests: started once per test session from the configuration our
managed Janus uses (microcourt/hearings/janus/config.py) on free loopback ports, with the
JANUS_* settings pointed at it, and stopped by its own PID at the end.

Use it from any test module::

    from tests.janus_support import janus, janus_room, janus_server  # noqa: F401

    def test_something(janus, janus_room):
        token = janus.admit(janus_room)              # a participant token for that room
        async def scenario():
            bot = janus.bot(room=janus_room.room, token=token, display="原告 张三")
            ...
        janus.run(scenario())

Janus missing is a failure, never a skip: `make test` installs it (scripts/system-deps.sh).
Media flows over the local media interface (JANUS_MEDIA_ADDRESS, 127.0.0.12; see
docs/janus.md), created here when absent, which needs root (CI and this machine have it).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.live_server import free_port

JANUS_MISSING = (
    "Janus is not installed (Debian package `janus`, with `janus-tools`): run "
    "`scripts/system-deps.sh test` (`make test` does) — the hearing tests need a real Janus"
)


@dataclass
class Room:
    room: int
    secret: str


@dataclass
class JanusServer:
    process: object  # microcourt.hearings.janus.process.JanusProcess
    api_url: str
    admin_url: str
    ws_url: str
    root: Path
    rec_dir: Path
    media_address: str
    settings: dict

    @property
    def log_file(self) -> Path:
        return self.root / "janus.log"

    @property
    def client(self):
        from microcourt.hearings.janus.client import get_client

        return get_client()

    def alive(self) -> bool:
        return self.process.alive()

    def new_room(self, *, record: bool = False, publishers: int = 6, allowed=()) -> Room:
        room = Room(room=secrets.randbelow(1 << 40) + 1_000_000, secret=secrets.token_urlsafe(16))
        self.client.create_room(
            room.room,
            secret=room.secret,
            description=f"test room {room.room}",
            publishers=publishers,
            record=record,
            rec_dir=str(self.rec_dir / f"room-{room.room}"),
            allowed=list(allowed),
        )
        return room

    def admit(self, room: Room, token: str | None = None) -> str:
        """A participant token, known to Janus (VideoRoom only) and on ``room``'s list."""
        token = token or secrets.token_urlsafe(24)
        client = self.client
        client.add_token(token)
        client.allow(room.room, secret=room.secret, tokens=[token])
        return token

    def bot(self, *, room: int, token: str | None, display: str = "bot", sender_id: int = 1, **kw):
        from tests.rtcbot import JanusBot

        return JanusBot(
            self.ws_url,
            room=room,
            token=token,
            display=display,
            sender_id=sender_id,
            media_address=self.media_address,
            **kw,
        )

    @staticmethod
    def run(coro, timeout: float = 45.0):
        """Run an async scenario to its end (bots are asyncio) from a sync test."""
        return asyncio.run(asyncio.wait_for(coro, timeout))

    def log_tail(self, lines: int = 40) -> str:
        return self.process.log_tail(lines)


def port_block(base: int, blocks: int) -> int:
    """The first port of a random 100-port block among ``blocks`` from ``base``, taken from the
    blocks of this pytest-xdist worker (every N-th of N workers): the Janus instances of two
    workers running at once never share an RTP or streaming port range."""
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    workers = max(int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")), worker + 1)
    return base + (secrets.randbelow(blocks // workers) * workers + worker) * 100


def managed_janus_env() -> dict[str, str]:
    """Environment for a `microcourt serve` of a test (tests/live_server.py) whose managed
    Janus must not collide with another one (a developer's `make run`, an earlier server):
    free loopback ports of its own. Pass as ``live_server(..., **managed_janus_env())``."""
    start = port_block(30000, 300)
    stream = port_block(10000, 100)  # below every test's rtp_port_range
    return {
        "MICROCOURT_JANUS_MANAGED": "true",
        "MICROCOURT_JANUS_API_URL": f"http://127.0.0.1:{free_port()}/janus",
        "MICROCOURT_JANUS_ADMIN_URL": f"http://127.0.0.1:{free_port()}/admin",
        "MICROCOURT_JANUS_WS_PORT": str(free_port()),
        "MICROCOURT_JANUS_RTP_PORTS": f"{start}-{start + 99}",
        "MICROCOURT_JANUS_STREAM_PORTS": f"{stream}-{stream + 99}",
        "MICROCOURT_JANUS_MEDIA_ADDRESS": "127.0.0.12",
    }


@pytest.fixture(scope="session")
def janus_server(tmp_path_factory):
    """The Janus process of the whole test run; use ``janus`` (it also points the settings
    at this Janus for the test)."""
    from django.conf import settings

    from microcourt.hearings.janus.config import JanusLayout, load_secrets
    from microcourt.hearings.janus.network import MediaInterfaceError, ensure_media_interface
    from microcourt.hearings.janus.process import JanusProcess

    binary = shutil.which(settings.JANUS_BINARY)
    if binary is None:
        pytest.fail(JANUS_MISSING, pytrace=False)
    address = settings.JANUS_MEDIA_ADDRESS or "127.0.0.12"
    try:
        ensure_media_interface(address, settings.JANUS_MEDIA_INTERFACE)
    except MediaInterfaceError as exc:
        pytest.fail(f"the local media interface is needed for WebRTC tests: {exc}", pytrace=False)
    root = tmp_path_factory.mktemp("janus")
    http_port, admin_port, ws_port = free_port(), free_port(), free_port()
    start = port_block(30000, 300)
    # The Streaming plugin's mountpoints (public viewers) bind apart from rtp_port_range.
    stream = port_block(10000, 100)
    layout = JanusLayout(
        root=root,
        rec_dir=root / "recordings",
        http_port=http_port,
        http_path="/janus",
        admin_port=admin_port,
        admin_path="/admin",
        ws_port=ws_port,
        rtp_ports=f"{start}-{start + 99}",
        ice_enforce=address,
        stream_ports=f"{stream}-{stream + 99}",
    )
    keys = load_secrets(root)
    process = JanusProcess(layout, keys, binary=binary)
    process.start()
    overrides = {
        "JANUS_DIR": root,
        "JANUS_REC_DIR": layout.rec_dir,
        "JANUS_API_URL": process.api_url,
        "JANUS_ADMIN_URL": process.admin_url,
        "JANUS_WS_PORT": ws_port,
        "JANUS_URL": process.ws_url,
        "JANUS_ADMIN_SECRET": keys.admin_secret,
        "JANUS_ROOM_ADMIN_KEY": keys.room_admin_key,
        "JANUS_STREAM_PORTS": layout.stream_ports,
        "JANUS_MEDIA_ADDRESS": address,
        "JANUS_ICE_SERVERS": [],
        "JANUS_MANAGED": False,
    }
    try:
        yield JanusServer(
            process=process,
            api_url=process.api_url,
            admin_url=process.admin_url,
            ws_url=process.ws_url,
            root=root,
            rec_dir=layout.rec_dir,
            media_address=address,
            settings=overrides,
        )
    finally:
        process.stop()


@pytest.fixture
def janus(janus_server, settings):
    """The test run's Janus, with the JANUS_* settings pointing at it for this test."""
    for name, value in janus_server.settings.items():
        setattr(settings, name, value)
    assert janus_server.alive(), f"Janus died earlier in this run:\n{janus_server.log_tail()}"
    return janus_server


@pytest.fixture
def janus_room(janus):
    """A fresh VideoRoom (no tokens on its list but Django's), destroyed after the test."""
    room = janus.new_room()
    yield room
    if janus.alive():
        janus.client.destroy_room(room.room, secret=room.secret)
