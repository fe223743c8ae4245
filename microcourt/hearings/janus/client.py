"""Django's side of Janus: a small synchronous client over Janus's HTTP API (the client API
for VideoRoom and Streaming requests, the admin API for tokens).

Janus runs with ``token_auth``: every client-API request must carry a token Janus knows.
Django's own token (``server_token`` in JANUS_DIR/secrets.json) is added through the admin
API the first time Janus refuses it (a fresh or restarted Janus knows no tokens). A
participant's token is added limited to the VideoRoom plugin *and* put on its room's
``allowed`` list: Janus then refuses it in any other room, and refuses anyone without one.

Janus keeps tokens and rooms in memory: after a restart both are gone, so callers make
rooms with :meth:`JanusClient.create_room` (idempotent) and add a participant's token on
every entry (:meth:`JanusClient.add_token` and :meth:`JanusClient.allow` are idempotent).
"""

from __future__ import annotations

import json
import logging
import secrets as random
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from microcourt.core.errors import DomainError

from .config import STREAMING, VIDEOROOM

log = logging.getLogger("microcourt.janus")

# Janus core and VideoRoom error codes we act on.
UNAUTHORIZED = 403  # JANUS_ERROR_UNAUTHORIZED: missing or unknown token / secret
UNAUTHORIZED_PLUGIN = 405  # JANUS_ERROR_UNAUTHORIZED_PLUGIN: the token may not use that plugin
SESSION_NOT_FOUND = 458
NO_SUCH_ROOM = 426
ROOM_EXISTS = 427
NO_SUCH_FEED = 428
# Streaming plugin error codes.
NO_SUCH_MOUNTPOINT = 455
CANT_CREATE = 456  # also "a stream with the provided ID already exists"
# Django's own token may use both plugins it drives.
SERVER_PLUGINS = (VIDEOROOM, STREAMING)


class JanusUnavailable(DomainError):
    """The media server cannot be reached or refused a request. Shown to people plainly;
    ``detail`` says what happened, for the log."""

    status = 503
    code = "media_unavailable"

    def __init__(self, detail: str, *, janus_code: int | None = None) -> None:
        super().__init__(_("远程庭审的音视频服务暂时不可用，请稍后再试。"))
        self.detail = detail
        self.janus_code = janus_code

    def __str__(self) -> str:
        return f"{self.message} ({self.detail})"


@dataclass(frozen=True)
class Moderated:
    feed_id: int
    mids: list[str]


class JanusClient:
    def __init__(
        self,
        *,
        api_url: str,
        admin_url: str,
        admin_secret: str,
        room_admin_key: str,
        server_token: str,
        timeout: float = 5.0,
        rec_root: str | None = None,
        stream_admin_key: str = "",
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.admin_url = admin_url.rstrip("/")
        self.admin_secret = admin_secret
        self.room_admin_key = room_admin_key
        self.server_token = server_token
        self.timeout = timeout
        self.rec_root = rec_root  # JANUS_REC_DIR: what the protected folders leave writable
        self.stream_admin_key = stream_admin_key

    # -- transport ---------------------------------------------------------------------

    def _post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        body = {**body, "transaction": random.token_hex(8)}
        request = urllib.request.Request(  # noqa: S310 - our setting
            url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read())
        except (OSError, ValueError) as exc:  # refused, timed out, not JSON
            raise JanusUnavailable(f"{url}: {exc}") from exc
        if answer.get("janus") == "error":
            error = answer.get("error", {})
            raise JanusUnavailable(
                f"{body.get('janus')}: {error.get('reason')}", janus_code=error.get("code")
            )
        return answer

    def _admin(self, request: str, **fields: Any) -> dict[str, Any]:
        return self._post(
            self.admin_url, {"janus": request, "admin_secret": self.admin_secret, **fields}
        )

    def _client(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """A client-API request with Django's token, added to Janus once if it is unknown."""
        url = f"{self.api_url}{path}"
        try:
            return self._post(url, {**body, "token": self.server_token})
        except JanusUnavailable as exc:
            # Unknown (a fresh Janus), or known from before the Streaming plugin was used.
            if exc.janus_code not in (UNAUTHORIZED, UNAUTHORIZED_PLUGIN):
                raise
        self.add_token(self.server_token, plugins=SERVER_PLUGINS)
        return self._post(url, {**body, "token": self.server_token})

    @contextmanager
    def _videoroom(self) -> Iterator[tuple[int, int]]:
        """A Janus session with a VideoRoom handle; yields the handle's path."""
        with self._handle(VIDEOROOM) as path:
            yield path

    @contextmanager
    def _handle(self, plugin: str) -> Iterator[tuple[int, int]]:
        """A Janus session with a handle on ``plugin``; yields the handle's path."""
        session = self._client("", {"janus": "create"})["data"]["id"]
        try:
            handle = self._client(f"/{session}", {"janus": "attach", "plugin": plugin})
            yield session, handle["data"]["id"]
        finally:
            try:
                self._client(f"/{session}", {"janus": "destroy"})
            except JanusUnavailable:
                log.debug("could not destroy Janus session %s", session)

    def request(
        self, body: dict[str, Any], *, ok: tuple[int, ...] = (), plugin: str = VIDEOROOM
    ) -> dict[str, Any]:
        """One synchronous plugin request (VideoRoom unless ``plugin``); its plugin data. An
        error whose code is in ``ok`` is returned (with ``error_code``) instead of raised."""
        with self._handle(plugin) as (session, handle):
            answer = self._client(f"/{session}/{handle}", {"janus": "message", "body": body})
        data = answer.get("plugindata", {}).get("data", {})
        code = data.get("error_code")
        if code and code not in ok:
            name = plugin.rsplit(".", 1)[-1]
            raise JanusUnavailable(
                f"{name} {body.get('request')}: {data.get('error')}", janus_code=code
            )
        return data

    # -- the API -----------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        request = urllib.request.Request(f"{self.api_url}/info")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return json.loads(response.read())
        except (OSError, ValueError) as exc:
            raise JanusUnavailable(f"{self.api_url}/info: {exc}") from exc

    def add_token(self, token: str, *, plugins: tuple[str, ...] = (VIDEOROOM,)) -> None:
        """Let ``token`` use Janus, for ``plugins`` only (the VideoRoom unless told; a public
        viewer's: the Streaming plugin alone). Idempotent; adds plugins to a known token."""
        self._admin("add_token", token=token, plugins=list(plugins))

    def remove_token(self, token: str) -> None:
        try:
            self._admin("remove_token", token=token)
        except JanusUnavailable as exc:
            if exc.janus_code is None:  # unreachable; an unknown token is fine
                raise

    def list_tokens(self) -> list[str]:
        answer = self._admin("list_tokens")
        return [t["token"] for t in answer.get("data", {}).get("tokens", [])]

    def room_exists(self, room: int) -> bool:
        return bool(self.request({"request": "exists", "room": room}).get("exists"))

    def create_room(
        self,
        room: int,
        *,
        secret: str,
        description: str,
        publishers: int,
        record: bool,
        rec_dir: str | None,
        allowed: list[str],
        bitrate: int = 512_000,
        require_pvtid: bool = True,
    ) -> None:
        """Create the room, or (it exists) make sure ``allowed`` is on its list. Django's own
        token is always allowed (it reads the room's participants)."""
        if rec_dir:
            from pathlib import Path

            from .config import is_protected, protected_folders

            folders = protected_folders(Path(self.rec_root or rec_dir))
            if is_protected(Path(rec_dir), folders):
                # Janus would accept the room and then record nothing, saying so in its log only.
                raise JanusUnavailable(f"rec_dir {rec_dir} is in Janus's protected folders")
        tokens = sorted({*allowed, self.server_token})
        body: dict[str, Any] = {
            "request": "create",
            "room": room,
            "admin_key": self.room_admin_key,
            "secret": secret,
            "description": description[:120],
            "publishers": publishers,
            "is_private": True,
            "allowed": tokens,
            "bitrate": bitrate,
            "audiocodec": "opus",
            "videocodec": "vp8",
            # Subscribers must present the private id of a participant of this room (got by
            # joining it, which takes a token on its list): a token of another room cannot
            # subscribe here. Participants who never publish stay invisible (no
            # notify_joining), and so does Django when it looks at a room (moderate).
            "require_pvtid": require_pvtid,
            # A keyframe request to every publisher each 10 s: a recording can be cut
            # anywhere, and a viewer whose decoder lost its way recovers.
            "fir_freq": 10,
            "record": record,
            "permanent": False,
        }
        if rec_dir:
            body["rec_dir"] = rec_dir
        data = self.request(body, ok=(ROOM_EXISTS,))
        if data.get("error_code") == ROOM_EXISTS:
            self.allow(room, secret=secret, tokens=tokens)

    def edit_room(
        self,
        room: int,
        *,
        secret: str,
        require_pvtid: bool | None = None,
        publishers: int | None = None,
        description: str | None = None,
    ) -> None:
        """Change a live room (VideoRoom ``edit``): e.g. ``require_pvtid=False`` lets a
        public hearing's viewers subscribe without joining; ``None`` leaves a value as is."""
        body: dict[str, Any] = {"request": "edit", "room": room, "secret": secret}
        if require_pvtid is not None:
            body["new_require_pvtid"] = require_pvtid
        if publishers is not None:
            body["new_publishers"] = publishers
        if description is not None:
            body["new_description"] = description[:120]
        self.request(body)

    def destroy_room(self, room: int, *, secret: str) -> None:
        self.request(
            {"request": "destroy", "room": room, "secret": secret, "permanent": False},
            ok=(NO_SUCH_ROOM,),
        )

    def allow(self, room: int, *, secret: str, tokens: list[str], add: bool = True) -> None:
        if not tokens:
            return
        self.request(
            {
                "request": "allowed",
                "room": room,
                "secret": secret,
                "action": "add" if add else "remove",
                "allowed": list(tokens),
            }
        )

    def allowed(self, room: int, *, secret: str) -> list[str]:
        """The room's allowed list (an ``allowed`` request that adds nothing)."""
        data = self.request(
            {"request": "allowed", "room": room, "secret": secret, "action": "add", "allowed": []}
        )
        return list(data.get("allowed", []))

    def participants(self, room: int) -> list[dict[str, Any]]:
        """``[{"id", "display", "publisher", "talking"?}, …]``."""
        return list(
            self.request({"request": "listparticipants", "room": room}).get("participants", [])
        )

    def kick(self, room: int, *, secret: str, feed_id: int) -> None:
        """Drop a participant's connection (a feed already gone is fine)."""
        self.request(
            {"request": "kick", "room": room, "secret": secret, "id": feed_id},
            ok=(NO_SUCH_FEED,),
        )

    def publisher_streams(self, room: int, feed_id: int) -> list[dict[str, Any]]:
        """A publisher's audio and video streams ``[{"type", "mid"}, …]``."""
        for publisher in self.room_publishers(room):
            if publisher["id"] == feed_id:
                return publisher["streams"]
        return []

    def room_publishers(self, room: int) -> list[dict[str, Any]]:
        """The room's publishers ``[{"id", "display", "streams": [{"type", "mid"}, …]}, …]``
        with their audio and video streams, as Janus lists them to a participant joining the
        room: Django joins briefly with its own token (on every room's list), without
        publishing (nobody is told), and leaves."""
        with self._videoroom() as (session, handle):
            answer = self._client(
                f"/{session}/{handle}",
                {
                    "janus": "message",
                    "body": {
                        "request": "join",
                        "ptype": "publisher",
                        "room": room,
                        "display": "microcourt",
                        "token": self.server_token,
                    },
                },
            )
            data = answer.get("plugindata", {}).get("data")
            if data is None:  # "ack": the answer comes as an event
                data = self._event(session, handle)
        if data.get("error_code"):
            raise JanusUnavailable(
                f"videoroom join: {data.get('error')}", janus_code=data["error_code"]
            )
        return [
            {
                "id": publisher["id"],
                "display": str(publisher.get("display", "")),
                "streams": [
                    {"type": s["type"], "mid": s["mid"]}
                    for s in publisher.get("streams", [])
                    if s.get("type") in {"audio", "video"} and s.get("mid") is not None
                ],
            }
            for publisher in data.get("publishers", [])
        ]

    def _event(self, session: int, handle: int) -> dict[str, Any]:
        """The next plugin event of ``handle`` (long poll of the session)."""
        import time

        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            url = f"{self.api_url}/{session}?maxev=5&rid={random.randbits(32)}"
            url += f"&token={self.server_token}"
            try:
                with urllib.request.urlopen(url, timeout=self.timeout) as response:  # noqa: S310
                    events = json.loads(response.read())
            except (OSError, ValueError) as exc:
                raise JanusUnavailable(f"{url}: {exc}") from exc
            for event in events if isinstance(events, list) else [events]:
                if event.get("sender") == handle and "plugindata" in event:
                    return event["plugindata"].get("data", {})
        raise JanusUnavailable("no answer from the VideoRoom plugin in time")

    def moderate(
        self,
        room: int,
        *,
        secret: str,
        feed_id: int,
        mute_audio: bool | None = None,
        mute_video: bool | None = None,
    ) -> None:
        """Mute or unmute a publisher's audio and/or video at Janus (their media is no longer
        forwarded; they cannot undo it). ``None`` leaves that kind as it is."""
        wanted: dict[str | None, bool | None] = {"audio": mute_audio, "video": mute_video}
        if all(v is None for v in wanted.values()):
            return
        for stream in self.publisher_streams(room, feed_id):
            mute = wanted.get(stream.get("type"))
            if mute is None or stream.get("mid") is None:
                continue
            self.request(
                {
                    "request": "moderate",
                    "room": room,
                    "secret": secret,
                    "id": feed_id,
                    "mid": stream["mid"],
                    "mute": mute,
                },
                ok=(NO_SUCH_FEED,),
            )

    # -- relaying publishers to the Streaming plugin (broadcast.py) ------------------------

    def rtp_forward(
        self, room: int, *, secret: str, feed_id: int, streams: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Relay a publisher's streams over plain RTP to ``127.0.0.1`` (VideoRoom
        ``rtp_forward``; the room secret and, as lock_rtp_forward wants, the admin key).
        ``streams``: ``[{"mid", "port", "pt"?, "ssrc"?, "rtcp_port"?}, …]``. The forwarders
        made ``[{"stream_id", "type", "port", …}, …]``; they end when the publisher does."""
        data = self.request(
            {
                "request": "rtp_forward",
                "room": room,
                "secret": secret,
                "admin_key": self.room_admin_key,
                "publisher_id": feed_id,
                "host": "127.0.0.1",
                "host_family": "ipv4",
                "streams": streams,
            }
        )
        return list(data.get("forwarders", []))

    def stop_rtp_forward(self, room: int, *, secret: str, feed_id: int, stream_id: int) -> None:
        self.request(
            {
                "request": "stop_rtp_forward",
                "room": room,
                "secret": secret,
                "admin_key": self.room_admin_key,
                "publisher_id": feed_id,
                "stream_id": stream_id,
            },
            ok=(NO_SUCH_FEED, NO_SUCH_ROOM),
        )

    def forwarders(self, room: int, *, secret: str) -> dict[int, list[dict[str, Any]]]:
        """The room's RTP forwarders by publisher (``{}`` for a room that is gone)."""
        data = self.request(
            {"request": "listforwarders", "room": room, "secret": secret}, ok=(NO_SUCH_ROOM,)
        )
        return {
            p["publisher_id"]: list(p.get("forwarders", [])) for p in data.get("publishers", [])
        }

    def create_mountpoint(
        self,
        mountpoint: int,
        *,
        description: str,
        metadata: str,
        secret: str,
        pin: str,
        media: list[dict[str, Any]],
    ) -> dict[str, Any] | None:
        """A private RTP mountpoint of the Streaming plugin (its admin key) whose ports bind
        to 127.0.0.1 only; ``media`` as the plugin takes it (``port: 0`` = one from
        JANUS_STREAM_PORTS). Its ``ports`` ``[{"type", "mid", "port", "rtcp_port"?}]``, or
        None when one with that id exists already."""
        data = self.request(
            {
                "request": "create",
                "admin_key": self.stream_admin_key,
                "type": "rtp",
                "id": mountpoint,
                "description": description[:120],
                "metadata": metadata,
                "secret": secret,
                "pin": pin,
                "is_private": True,
                "permanent": False,
                "media": [{"iface": "127.0.0.1", **m} for m in media],
            },
            ok=(CANT_CREATE,),
            plugin=STREAMING,
        )
        if data.get("error_code"):
            if self.mountpoint_info(mountpoint, secret=secret) is not None:
                return None
            raise JanusUnavailable(
                f"streaming create: {data.get('error')}", janus_code=data["error_code"]
            )
        return data.get("stream", {})

    def mountpoint_info(self, mountpoint: int, *, secret: str) -> dict[str, Any] | None:
        """A mountpoint's info (with its ports and viewer count, given its secret), or None."""
        data = self.request(
            {"request": "info", "id": mountpoint, "secret": secret},
            ok=(NO_SUCH_MOUNTPOINT,),
            plugin=STREAMING,
        )
        if data.get("error_code"):
            return None
        return data.get("info", {})

    def mountpoints(self) -> list[dict[str, Any]]:
        """Every mountpoint, the private ones too (the admin key): id, description, metadata."""
        data = self.request(
            {"request": "list", "admin_key": self.stream_admin_key}, plugin=STREAMING
        )
        return list(data.get("list", []))

    def destroy_mountpoint(self, mountpoint: int, *, secret: str) -> None:
        """Destroy a mountpoint (its viewers' connections close); one already gone is fine."""
        self.request(
            {"request": "destroy", "id": mountpoint, "secret": secret, "permanent": False},
            ok=(NO_SUCH_MOUNTPOINT,),
            plugin=STREAMING,
        )

    def set_recording(self, room: int, *, secret: str, record: bool) -> None:
        """Start or stop recording every publisher of the room (VideoRoom enable_recording)."""
        self.request(
            {"request": "enable_recording", "room": room, "secret": secret, "record": record}
        )


def get_client() -> JanusClient:
    """The client for the configured Janus (settings JANUS_*)."""
    from django.conf import settings

    from .config import secrets_from_settings

    try:
        secrets = secrets_from_settings(settings)
    except (OSError, ValueError) as exc:
        detail = f"cannot read the Janus secrets in {settings.JANUS_DIR}: {exc}"
        raise JanusUnavailable(detail) from exc
    return JanusClient(
        api_url=settings.JANUS_API_URL,
        admin_url=settings.JANUS_ADMIN_URL,
        admin_secret=secrets.admin_secret,
        room_admin_key=secrets.room_admin_key,
        server_token=secrets.server_token,
        timeout=settings.JANUS_TIMEOUT_SECONDS,
        rec_root=str(settings.JANUS_REC_DIR),
        stream_admin_key=secrets.stream_admin_key,
    )


def available() -> str | None:
    """None when Janus answers, else a plain line why not (for the hearing room and /healthz)."""
    from django.conf import settings

    try:
        get_client().info()
    except JanusUnavailable as exc:
        if settings.JANUS_MANAGED:
            from .process import binary

            if binary(settings) is None:
                return "Janus is not installed (scripts/system-deps.sh run)"
        return exc.detail
    return None


def health() -> dict[str, Any]:
    """/healthz's view of Janus (core/health.py, HEALTH_OPTIONAL_CHECKS)."""
    from django.conf import settings

    problem = available()
    result: dict[str, Any] = {"ok": problem is None, "managed": settings.JANUS_MANAGED}
    if problem:
        result["error"] = problem
    return result
